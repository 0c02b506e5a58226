/**
 * One webhook call from Leonardo. The call is answered as soon as it is known to be genuine,
 * well-formed and new, before the lookup: Leonardo's timeout and retry policy are unknown, so it never
 * waits for us. The lookup then decides whether the workflow starts (n8n starts it once webhook()
 * returns workflowData; without, no execution exists at all). The MP4 is downloaded afterwards, inside
 * the execution (video.ts), so it belongs to that execution in n8n's binary store.
 */
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { recoveryHint } from '../shared/errors';
import { type GenerationRecord, lookUpGeneration } from '../shared/generations';
import { validateOutputSettings } from '../shared/options';
import { generationJson } from '../shared/output';
import { apiBaseUrl, CREDENTIAL_TYPE, secretsOf } from '../shared/transport';
import { type Callback, HandledCallbacks, readCallback } from './callback';
import { bearerMatches, isLeonardoIp } from './security';

interface TriggerSettings {
	statuses: string[];
	videosOnly: boolean;
	leonardoIpsOnly: boolean;
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
	if (settings.leonardoIpsOnly && !isLeonardoIp(request.ip)) {
		answer(ctx, 403, { error: 'This address may not call this webhook.' });
		return nothingStarted;
	}
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const secret = typeof credentials.webhookCallbackApiKey === 'string' ? credentials.webhookCallbackApiKey.trim() : '';
	if (secret && !bearerMatches(request.headers.authorization, secret)) {
		answer(ctx, 401, { error: 'Missing or wrong Webhook Callback API Key.' }, { 'www-authenticate': 'Bearer' });
		return nothingStarted;
	}

	const callback = readCallback(ctx.getBodyData(), secretsOf(credentials));
	if (typeof callback === 'string') {
		answer(ctx, 400, { error: `Not a Leonardo webhook callback: ${callback}.` });
		return nothingStarted;
	}
	const handled = new HandledCallbacks(ctx.getWorkflowStaticData('node'), `${ctx.getWorkflow().id ?? ''}:${node.id}`);
	if (handled.has(callback.generationId)) {
		answer(ctx, 200, { received: true, duplicate: true });
		return nothingStarted;
	}
	handled.add(callback.generationId);
	answer(ctx, 200, { received: true });

	let item: INodeExecutionData | undefined;
	try {
		item = await itemFor(ctx, callback, settings, handled);
	} catch (error) {
		item = failedItem(envelopeJson(callback), (error as Error).message, callback.generationId);
	}
	return item ? { noWebhookResponse: true, workflowData: [[item]] } : nothingStarted;
}

/** The output item for an accepted callback, or undefined when it starts nothing. */
async function itemFor(
	ctx: IWebhookFunctions,
	callback: Callback,
	settings: TriggerSettings,
	handled: HandledCallbacks,
): Promise<INodeExecutionData | undefined> {
	const { generationId, event } = callback;
	const ignore = (why: string) => {
		ctx.logger.info(`LTX Video Trigger "${ctx.getNode().name}": callback for generation ${generationId} ignored: ${why}`);
		return undefined;
	};
	let record: GenerationRecord | null | undefined;
	try {
		const baseUrl = await apiBaseUrl(ctx);
		// Like Get: a 404 or `null` is asked again for a few seconds (a new ID may not be readable yet).
		record = await lookUpGeneration(ctx, generationId, { baseUrl });
	} catch (error) {
		// Leonardo answered the callback's generation but not the lookup: start anyway, the ID is the video.
		if (callback.status === 'FAILED' && !settings.statuses.includes('FAILED')) return ignore('FAILED');
		return failedItem(envelopeJson(callback), `Looking up the generation failed: ${(error as Error).message}`, generationId);
	}
	if (record === null) return ignore('Leonardo has no generation with this ID');
	if (record === undefined) {
		return failedItem(envelopeJson(callback), 'Leonardo answered the lookup with an unexpected body', generationId);
	}
	if (record.status !== 'COMPLETE' && record.status !== 'FAILED') {
		// Too early: a later callback for it must still count.
		handled.forget(generationId);
		return ignore(`its status is ${record.status}`);
	}
	if (settings.videosOnly && record.isVideo === false) return ignore('not a video (option "Videos Only")');
	if (!settings.statuses.includes(record.status)) return ignore(`status ${record.status} is not selected in "Trigger On"`);

	const json: IDataObject = { ...generationJson(record, { cost: callback.cost }), ...(event ? { event } : {}) };
	if (record.status === 'FAILED') {
		json.reason = callback.reason ?? 'Leonardo reported the generation as FAILED without a reason.';
		return { json };
	}
	if (record.outputCount === 0) {
		json.message = 'Leonardo completed the generation without a video (removed by content moderation).';
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
 * known and the error, instead of losing the paid video to the workflow.
 */
function failedItem(json: IDataObject, error: string, generationId: string): INodeExecutionData {
	return { json: { ...json, error, errorDescription: recoveryHint(generationId) } };
}
