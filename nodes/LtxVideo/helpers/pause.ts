/**
 * Generate with "Pause Execution": after the creates, the execution is parked in n8n's Waiting state
 * (no process or worker held) until the LTX Video Trigger relays Leonardo's callback to its resume URL.
 * Here: the checks before any create, the registration with the trigger (pauseProtocol.ts), and the park.
 * The resume URL is a bearer secret for this execution: it goes to the trigger and nowhere else (no
 * output, error or log).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InvalidInputError } from '../../shared/errors';
import { backoffMs, pause } from '../../shared/pacing';
import { type Registration, readRegistrationAnswer, registrationBody } from '../../shared/pauseProtocol';
import { CREDENTIAL_TYPE } from '../../shared/transport';
import type { OutputSettings } from '../../shared/validation';
import { parkingUnsupported, prepareParkedNode } from './parking';
import { finishParked, type ParkedGeneration, parkedGenerationIds, parkedItem, readStatuses, timeoutMessage } from './resume';

export interface PauseSettings {
	triggerUrl: string;
	secret: string;
	timeoutMs: number;
}

export function validatePauseExecution(value: unknown): boolean {
	if (value === undefined) return false;
	if (typeof value !== 'boolean') throw new InvalidInputError('"Pause Execution" must be true or false', 'Set Options → "Pause Execution" to true or false.');
	return value;
}

/** Whether Pause Execution can work here; throws InvalidInputError (nothing created yet) when not. */
export async function checkPauseReady(ctx: IExecuteFunctions, timeoutMs: number): Promise<PauseSettings> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const triggerUrl = typeof credentials.triggerUrl === 'string' ? credentials.triggerUrl.trim() : '';
	const secret = typeof credentials.webhookCallbackApiKey === 'string' ? credentials.webhookCallbackApiKey.trim() : '';
	const setUp = 'Publish a workflow with the LTX Video Trigger (same credential), put its Production URL into the credential\'s "Trigger URL" and set the credential\'s "Webhook Callback API Key"; or turn off "Pause Execution".';
	if (!triggerUrl) throw new InvalidInputError(`"Pause Execution" needs the credential's "Trigger URL"`, setUp);
	if (!/^https?:\/\/[^\s]+$/i.test(triggerUrl)) throw new InvalidInputError(`The credential's "Trigger URL" is not an http(s) URL`, setUp);
	if (!secret) throw new InvalidInputError(`"Pause Execution" needs the credential's "Webhook Callback API Key"`, setUp);
	const unsupported = parkingUnsupported(ctx);
	const resumeUrl = unsupported ? '' : readResumeUrl(ctx);
	const reason = unsupported ?? (/[?&]signature=[^&]+/.test(resumeUrl) ? undefined : 'this n8n gives no signed resume URL for the execution');
	if (reason) {
		throw new InvalidInputError(
			`"Pause Execution" does not work on this version of n8n: ${reason}`,
			'Turn off "Pause Execution" (the node then waits in the running execution, or use the LTX Video Trigger in a second workflow). It was built for n8n 2.41.',
		);
	}
	return { triggerUrl, secret, timeoutMs };
}

function readResumeUrl(ctx: IExecuteFunctions): string {
	const value = ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0);
	return typeof value === 'string' ? value : '';
}

/** Tries per registration call (network errors, 5xx); rounds of register-then-verify. */
const REGISTER_ATTEMPTS = 3;
const VERIFY_ROUNDS = 6;
const VERIFY_PAUSE_MS = 1000;

/** Why the trigger refused, in words that say what to fix (never the URL's secret or the body). */
function refusal(status: number): string {
	if (status === 401) return 'it did not accept the credential\'s "Webhook Callback API Key" (the trigger\'s credential must have the same one)';
	if (status === 403) return 'it does not accept this execution\'s resume URL: the trigger must run on this same n8n';
	if (status === 404) return 'no published workflow answers at that URL (publish the trigger\'s workflow; use its Production URL)';
	return `it answered HTTP ${status}`;
}

/** One registration call; the trigger's answer, or an Error saying why not. */
async function registerOnce(ctx: IExecuteFunctions, settings: PauseSettings, registration: Registration) {
	let problem = '';
	for (let attempt = 0; attempt < REGISTER_ATTEMPTS; attempt++) {
		if (attempt > 0) await pause(backoffMs(attempt - 1), ctx.getExecutionCancelSignal());
		let response: { statusCode: number; body: unknown };
		try {
			response = (await ctx.helpers.httpRequest({
				method: 'POST',
				url: settings.triggerUrl,
				headers: { authorization: `Bearer ${settings.secret}` },
				body: registrationBody(registration),
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: 30_000,
				abortSignal: ctx.getExecutionCancelSignal(),
			})) as { statusCode: number; body: unknown };
		} catch {
			problem = 'it could not be reached';
			continue;
		}
		if (response.statusCode >= 500) {
			problem = refusal(response.statusCode);
			continue;
		}
		if (response.statusCode >= 300) return new Error(refusal(response.statusCode));
		const answer = readRegistrationAnswer(response.body);
		return answer ?? new Error('its answer is not an LTX Video Trigger\'s (is the Trigger URL the LTX Video Trigger\'s Production URL?)');
	}
	return new Error(problem);
}

/**
 * Registers until one answer says that the trigger's stored registry already held every ID: a
 * registration that a concurrent save undid is sent again (the trigger then stores it again).
 */
async function registerAndVerify(ctx: IExecuteFunctions, settings: PauseSettings, registration: Registration): Promise<void> {
	for (let round = 0; round < VERIFY_ROUNDS; round++) {
		if (round > 0) await pause(VERIFY_PAUSE_MS * round, ctx.getExecutionCancelSignal());
		const answer = await registerOnce(ctx, settings, registration);
		if (answer instanceof Error) throw answer;
		const known = new Set(answer.known);
		if (round > 0 && registration.generationIds.every((id) => known.has(id))) return;
	}
	throw new Error(`the registration was not kept after ${VERIFY_ROUNDS} tries`);
}

/** An error for a batch whose generations exist (paid) but that could not park: every ID named. */
function notParked(ctx: IExecuteFunctions, why: string, generationIds: string[]): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `"Pause Execution" could not register with the LTX Video Trigger: ${why}`, {
		description: `The generations were created and may still finish: ${generationIds.join(', ')}. Fetch them later with "Get" instead of running Generate again (that would pay twice). Check the credential's "Trigger URL" and "Webhook Callback API Key".`,
	});
}

/**
 * After the creates: registers the batch, then parks the execution, or, when every generation has
 * finished already (its callback may have come before the registration), outputs the batch now.
 * `submitted`: runItems' output (PENDING items, and error items with On Error → Continue);
 * `outputs`: each item's download settings, by item index.
 */
export async function parkOrFinish(
	ctx: IExecuteFunctions,
	settings: PauseSettings,
	baseUrl: string,
	submitted: INodeExecutionData[],
	outputs: Array<OutputSettings | undefined>,
): Promise<INodeExecutionData[]> {
	const parked = submitted.map((item, position) => {
		const itemIndex = (item.pairedItem as { item: number } | undefined)?.item ?? position;
		const generationId = item.json.generationId;
		const output = outputs[itemIndex];
		if (item.json.error !== undefined || typeof generationId !== 'string' || !output) return { json: item.json, pairedItem: { item: itemIndex } };
		const generation: ParkedGeneration = { generationId, submitted: item.json as IDataObject, output: { ...output } };
		return parkedItem(generation, itemIndex);
	});
	const generationIds = parkedGenerationIds(parked);
	if (generationIds.length === 0) return submitted;

	const expiresAt = Date.now() + settings.timeoutMs;
	try {
		await registerAndVerify(ctx, settings, { generationIds, resumeUrl: readResumeUrl(ctx), expiresAt });
	} catch (error) {
		throw notParked(ctx, (error as Error).message, generationIds);
	}

	const statuses = await readStatuses(ctx, parked, baseUrl);
	if ('records' in statuses) {
		const finished = await finishParked(ctx, parked, statuses.records, baseUrl);
		if (finished.failure) throw new NodeOperationError(ctx.getNode(), finished.failure);
		return finished.items;
	}
	prepareParkedNode(ctx, parked, timeoutMessage(generationIds, Math.round(settings.timeoutMs / 1000)));
	ctx.logger.info(`LTX Video: execution parked until ${new Date(expiresAt).toISOString()} for generation(s) ${generationIds.join(', ')}`);
	await ctx.putExecutionToWait(new Date(expiresAt));
	return submitted;
}
