/**
 * One webhook call from Leonardo. The call is answered as soon as it is known to be genuine,
 * well-formed and new, before the lookup: Leonardo's timeout and retry policy are unknown, so it never
 * waits for us. The lookup then decides whether the workflow starts (n8n starts it once webhook()
 * returns workflowData; without, no execution exists at all). The MP4 is downloaded afterwards, inside
 * the execution (execute.ts), so it belongs to that execution in n8n's binary store.
 *
 * A callback can come before Leonardo's read side shows the generation finished, and Leonardo, answered
 * already, will not call again. So webhook() keeps looking (record.ts) for up to "Timeout" after the
 * answer. n8n 2.41.1 sets no time limit on webhook(); the call then holds only this wait and the
 * expression sandbox n8n keeps per webhook call until it returns (LiveWebhooks.executeWebhook; a new one
 * is made when its pool is empty, so nothing else waits). Queue mode is the same: webhook() runs on the
 * main or webhook process and only the execution goes to a worker. Waiting here rather than in an
 * execution started at once keeps "Trigger On" and "Videos Only" exact (a generation they exclude starts
 * nothing) and holds no execution slot or worker for minutes. The price: a wait lives in this process
 * only; should n8n stop during it, record.ts's log line names the generation.
 */
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { COMPLETE_WITHOUT_VIDEO, finalHint, recoveryHint } from '../shared/errors';
import type { GenerationRecord } from '../shared/responses';
import { validateOutputSettings, validateWaitSettings, type WaitSettings } from '../shared/validation';
import { generationJson } from '../shared/output';
import { apiBaseUrl, CREDENTIAL_TYPE, secretsOf } from '../shared/transport';
import { type Callback, HandledCallbacks, readCallback } from './callback';
import { isRegistrationBody, readRegistration } from '../shared/pauseProtocol';
import { awaitFinishedRecord } from './record';
import { isOwnResumeUrl, PauseRegistry } from './registry';
import { relayToParkedExecution } from './relay';
import { bearerMatches, isLeonardoIp } from './security';

interface TriggerSettings {
	statuses: string[];
	videosOnly: boolean;
	leonardoIpsOnly: boolean;
	/** How long and how often the record is looked up until it reads finished. */
	wait: WaitSettings;
}

function readSettings(ctx: IWebhookFunctions): TriggerSettings {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	// Checked here too, so a bad setting refuses the call instead of failing every execution.
	validateOutputSettings(options);
	const statuses = ctx.getNodeParameter('statuses', ['COMPLETE']);
	return {
		statuses: Array.isArray(statuses) ? statuses.map(String) : [String(statuses)],
		videosOnly: options.videosOnly !== false,
		leonardoIpsOnly: options.leonardoIpsOnly === true,
		wait: validateWaitSettings(options),
	};
}

/** Answers the call now; nothing of the request is echoed. */
function answer(ctx: IWebhookFunctions, status: number, body: IDataObject, headers: Record<string, string> = {}): void {
	const response = ctx.getResponseObject();
	for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
	response.status(status).json(body);
}

const nothingStarted: IWebhookResponseData = { noWebhookResponse: true };

export async function receiveCallback(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const node = ctx.getNode();
	let settings: TriggerSettings;
	try {
		settings = readSettings(ctx);
	} catch (error) {
		ctx.logger.error(`LTX Video Trigger "${node.name}": ${(error as Error).message}; the callback was refused`);
		answer(ctx, 500, { error: 'The LTX Video Trigger is misconfigured; see the n8n log.' });
		return nothingStarted;
	}

	const request = ctx.getRequestObject();
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const secret = typeof credentials.webhookCallbackApiKey === 'string' ? credentials.webhookCallbackApiKey.trim() : '';
	const scope = `${ctx.getWorkflow().id ?? ''}:${node.id}`;
	const registry = new PauseRegistry(ctx.getWorkflowStaticData('node'), scope);
	// A paused Generate of this n8n registering (not Leonardo: "Only Leonardo's IP Addresses" does not apply).
	if (isRegistrationBody(ctx.getBodyData())) return acceptRegistration(ctx, registry, secret);
	if (settings.leonardoIpsOnly && !isLeonardoIp(request.ip)) {
		answer(ctx, 403, { error: 'This address may not call this webhook.' });
		return nothingStarted;
	}
	if (secret && refusedBearer(ctx, secret)) return nothingStarted;

	const callback = readCallback(ctx.getBodyData(), secretsOf(credentials));
	if (typeof callback === 'string') {
		answer(ctx, 400, { error: `Not a Leonardo webhook callback: ${callback}.` });
		return nothingStarted;
	}
	const handled = new HandledCallbacks(ctx.getWorkflowStaticData('node'), scope);
	// Already started, or another call (a copy, a redelivery) is waiting for the same record right now.
	if (!handled.claim(callback.generationId)) {
		answer(ctx, 200, { received: true, duplicate: true });
		return nothingStarted;
	}
	answer(ctx, 200, { received: true });

	if (registry.find(callback.generationId)) {
		await resumeParked(ctx, registry, callback, settings);
		handled.dropped(callback.generationId);
		return nothingStarted;
	}
	let item: INodeExecutionData | undefined;
	try {
		item = await itemFor(ctx, callback, settings);
	} catch (error) {
		item = failedItem(envelopeJson(callback), (error as Error).message, callback.generationId);
	}
	// Registered while this call waited for the record (in this process): the paused execution takes it.
	if (registry.find(callback.generationId)) {
		await resumeParked(ctx, registry, callback, settings);
		item = undefined;
	}
	// Marked handled only when n8n gets the item that starts the execution; n8n then saves the static
	// data whole, so the registrations this process received go in too.
	if (item) {
		handled.started(callback.generationId);
		registry.save();
	} else {
		handled.dropped(callback.generationId);
	}
	return item ? { noWebhookResponse: true, workflowData: [[item]] } : nothingStarted;
}

/** Answers 401 when the call does not carry `secret` as its bearer token (callbacks and registrations alike). */
function refusedBearer(ctx: IWebhookFunctions, secret: string): boolean {
	if (bearerMatches(ctx.getRequestObject().headers.authorization, secret)) return false;
	answer(ctx, 401, { error: 'Missing or wrong Webhook Callback API Key.' }, { 'www-authenticate': 'Bearer' });
	return true;
}

/** A registration of a paused Generate: only with the Webhook Callback API Key, only for this n8n's resume URLs. */
function acceptRegistration(ctx: IWebhookFunctions, registry: PauseRegistry, secret: string): IWebhookResponseData {
	if (!secret) {
		answer(ctx, 401, { error: 'Registrations need a Webhook Callback API Key in the trigger\'s credential.' }, { 'www-authenticate': 'Bearer' });
		return nothingStarted;
	}
	if (refusedBearer(ctx, secret)) return nothingStarted;
	const registration = readRegistration(ctx.getBodyData());
	if (typeof registration === 'string') {
		answer(ctx, 400, { error: `Not a valid registration: ${registration}.` });
		return nothingStarted;
	}
	if (!isOwnResumeUrl(ctx.getNodeWebhookUrl('default') ?? '', ctx.getNode().webhookId, registration.resumeUrl)) {
		answer(ctx, 403, { error: 'Only resume URLs of this n8n are accepted.' });
		return nothingStarted;
	}
	const known = registry.register(registration);
	ctx.logger.info(`LTX Video Trigger "${ctx.getNode().name}": a paused execution registered generation(s) ${registration.generationIds.join(', ')}`);
	answer(ctx, 200, { registered: true, known });
	return nothingStarted;
}

/**
 * The callback's generation belongs to a paused Generate: once Leonardo shows it finished (the paused
 * node reads every generation and would stay parked on a PENDING one, and Leonardo calls only once),
 * its resume URL is called. The trigger's own workflow does not start.
 */
async function resumeParked(ctx: IWebhookFunctions, registry: PauseRegistry, callback: Callback, settings: TriggerSettings): Promise<void> {
	const { generationId } = callback;
	try {
		await awaitFinishedRecord(ctx, generationId, await apiBaseUrl(ctx), settings.wait);
	} catch {
		// The paused node looks the generation up itself; the relay goes ahead.
	}
	const parked = registry.find(generationId);
	if (!parked) return;
	const outcome = await relayToParkedExecution(ctx, parked.resumeUrl, generationId);
	ctx.logger.info(`LTX Video Trigger "${ctx.getNode().name}": callback for generation ${generationId} relayed to its paused execution (${outcome})`);
}

/** The output item for an accepted callback, or undefined when it starts nothing. */
async function itemFor(ctx: IWebhookFunctions, callback: Callback, settings: TriggerSettings): Promise<INodeExecutionData | undefined> {
	const { generationId, event } = callback;
	const ignore = (why: string) => {
		ctx.logger.info(`LTX Video Trigger "${ctx.getNode().name}": callback for generation ${generationId} ignored: ${why}`);
		return undefined;
	};
	// Without a record the callback's own status is all there is to filter on.
	const unfinished = (error: string) =>
		callback.status === 'FAILED' && !settings.statuses.includes('FAILED') ? ignore('FAILED') : failedItem(envelopeJson(callback), error, generationId, callback.status === 'FAILED');
	let record: GenerationRecord;
	try {
		const awaited = await awaitFinishedRecord(ctx, generationId, await apiBaseUrl(ctx), settings.wait);
		if ('notReadable' in awaited) return unfinished(awaited.notReadable);
		record = awaited.record;
	} catch (error) {
		// Leonardo answered the callback's generation but not the lookup: start anyway, the ID is the video.
		return unfinished(`Looking up the generation failed: ${(error as Error).message}`);
	}
	if (settings.videosOnly && record.isVideo === false) return ignore('not a video (option "Videos Only")');
	if (!settings.statuses.includes(record.status)) return ignore(`status ${record.status} is not selected in "Trigger On"`);

	const json: IDataObject = { ...generationJson(record, { cost: callback.cost }), ...(event ? { event } : {}) };
	if (record.status === 'FAILED') {
		json.reason = callback.reason ?? 'Leonardo reported the generation as FAILED without a reason.';
		return { json };
	}
	if (record.outputCount === 0) {
		json.message = COMPLETE_WITHOUT_VIDEO;
	}
	return { json };
}

/** What the callback itself said, for when the lookup gave nothing better. */
const envelopeJson = ({ generationId, status, event }: Callback): IDataObject => ({
	generationId,
	...(status ? { status } : {}),
	...(event ? { event } : {}),
});

/**
 * The callback was answered already, so Leonardo will not call again: the workflow starts with what is
 * known and the error, instead of losing the paid video to the workflow. A callback that said FAILED
 * reports a generation that has ended: its advice is final, not "fetch it later".
 */
function failedItem(json: IDataObject, error: string, generationId: string, ended = false): INodeExecutionData {
	return { json: { ...json, error, errorDescription: ended ? finalHint(generationId) : recoveryHint(generationId) } };
}
