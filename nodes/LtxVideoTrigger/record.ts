/**
 * The generation behind a callback, awaited until Leonardo shows it finished. The callback can arrive
 * before the read side knows the generation (`generations_by_pk: null`, 404) or while it still reads
 * PENDING; both are "not yet", as in Generate's poller (same default interval and timeout, same
 * "Timeout" and "Poll Interval" options), and so is a failure that Generate would ride out (5xx, 429,
 * no answer). Anything else (e.g. 401: the key was revoked) ends the wait at once.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import { fetchGeneration, isPassingLookupFailure } from '../shared/lookup';
import { type GenerationRecord, readGenerationResponse } from '../shared/responses';
import type { WaitSettings } from '../shared/validation';
import { pause } from '../shared/pacing';
import { LeonardoApiError } from '../shared/transport';

/** The statuses after which a generation no longer changes (leonardo-api.md §2). */
const FINAL_STATUSES = ['COMPLETE', 'FAILED'];

/** Attempts per lookup for 5xx/429/network errors before that lookup counts as "not yet" (as in Get). */
const ATTEMPTS_PER_LOOKUP = 5;

export type AwaitedRecord = { record: GenerationRecord } | { notReadable: string };

/** Whether a failed lookup may still turn into a record (the ID not readable yet, or Leonardo briefly unwell). */
const isPassing = (failure: unknown) => (failure instanceof LeonardoApiError && failure.statusCode === 404) || isPassingLookupFailure(failure);

/** What one lookup showed, when it was not a finished record. */
async function lookUpOnce(ctx: IWebhookFunctions, generationId: string, baseUrl: string): Promise<GenerationRecord | string> {
	let body: unknown;
	let failure: unknown;
	try {
		body = await fetchGeneration(ctx, generationId, { baseUrl }, ATTEMPTS_PER_LOOKUP);
	} catch (error) {
		failure = error;
	}
	// Decided outside the catch: callApi rejects only with NodeApiError or a cancel, passed on as they are.
	if (failure !== undefined) {
		if (!isPassing(failure)) throw failure;
		return `it failed: ${(failure as Error).message}`;
	}
	const record = readGenerationResponse(body);
	if (record === null) return 'Leonardo did not know the ID yet';
	if (record === undefined) return 'Leonardo answered with an unexpected body';
	return FINAL_STATUSES.includes(record.status) ? record : `its status was ${record.status}`;
}

/**
 * Looks the generation up at once and then every `pollIntervalMs` until it reads COMPLETE or FAILED, or
 * `timeoutMs` has passed (then `notReadable` says what the last lookup showed). Throws what ends the
 * wait early. The first lookup that is not final is logged, so the generation ID is in n8n's log should
 * n8n stop during the wait.
 */
export async function awaitFinishedRecord(ctx: IWebhookFunctions, generationId: string, baseUrl: string, wait: WaitSettings): Promise<AwaitedRecord> {
	const deadline = Date.now() + wait.timeoutMs;
	for (let lookups = 1; ; lookups++) {
		const seen = await lookUpOnce(ctx, generationId, baseUrl);
		if (typeof seen !== 'string') return { record: seen };
		if (lookups === 1) {
			ctx.logger.info(
				`LTX Video Trigger "${ctx.getNode().name}": callback for generation ${generationId} came before Leonardo shows it finished (${seen}); looking again for up to ${wait.timeoutMs / 1000} s`,
			);
		}
		const left = deadline - Date.now();
		if (left <= 0) {
			const seconds = Math.round(wait.timeoutMs / 1000);
			return { notReadable: `Leonardo did not show generation ${generationId} as finished within ${seconds} s of its callback (${lookups} lookups; at the last one ${seen})` };
		}
		await pause(Math.min(wait.pollIntervalMs, left));
	}
}
