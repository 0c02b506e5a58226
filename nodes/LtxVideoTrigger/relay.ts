/**
 * Hands a callback on to the paused Generate execution that registered its generation: a POST to the
 * execution's resume URL, which runs that node's `webhook()` (it reads every generation itself and
 * stays parked while any is pending). "Already resumed or finished" answers (409, 404) mean done. A 5xx
 * (another caller resumed it at the same moment, or n8n was busy) is asked again a few times. The resume
 * URL is a secret of that execution: never logged.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import { backoffMs, pause } from '../shared/pacing';

const RELAY_ATTEMPTS = 4;
/** webhook() reads every generation of the batch before it answers (several lookups). */
const RELAY_TIMEOUT_MS = 120_000;

/** What came of the relay, for the log: an HTTP status or why none came. */
export async function relayToParkedExecution(ctx: IWebhookFunctions, resumeUrl: string, generationId: string): Promise<string> {
	let outcome = '';
	for (let attempt = 0; attempt < RELAY_ATTEMPTS; attempt++) {
		if (attempt > 0) await pause(backoffMs(attempt - 1));
		try {
			const response = (await ctx.helpers.httpRequest({
				method: 'POST',
				url: resumeUrl,
				body: { generationId },
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				disableFollowRedirect: true,
				timeout: RELAY_TIMEOUT_MS,
			})) as { statusCode: number };
			outcome = `HTTP ${response.statusCode}`;
			if (response.statusCode < 500) return outcome;
		} catch {
			outcome = 'no answer';
		}
	}
	return outcome;
}
