/**
 * The paid part (`--spend`): the cheapest real generation, LTX 2.3 Fast, 6 s, 1080p, and with
 * `--image` one Pro image-to-video (6 s, 1080p) with prompt_enhance AUTO. Each create is sent exactly once: after an
 * error or a timeout nothing is re-sent (a second create could be billed a second time).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { inspectCdn, type CdnFacts } from './cdn.ts';
import { headersOf, plainRequest, type ApiClient, type Answer } from './http.ts';
import { randomUUID } from 'node:crypto';

import { namesField, readErrorBody, type ErrorReading } from './errors.ts';
import type { WebhookReceiver, WebhookDelivery } from './webhook.ts';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Leonardo publishes no LTX price (§7.8); an upper bound per 6 s 1080p video at fal.ai's LTX 2.3 Pro rates ($0.08/s). */
export const ESTIMATE_PER_VIDEO_USD = 0.48;

export interface SpendSettings {
	/** Parameter keys chosen from the free part: which audio key, whether to send mode and seed. */
	audioKey?: string;
	sendMode: boolean;
	sendSeed: boolean;
	pollIntervalMs: number;
	timeoutMs: number;
	imageFile?: string;
	/** `user_details[0].user.id` from /v1/me: lists the user's generations after an ambiguous create. */
	userId?: string;
	webhook?: WebhookReceiver;
	webhookWaitMs: number;
}

export interface PollLog {
	polls: number;
	/** Answers before the first record: 404s, `generations_by_pk: null`, 5xx, network errors. */
	notFound: number;
	nullRecord: number;
	serverErrors: number;
	networkErrors: number;
	statuses: string[];
	firstRecordAfterMs?: number;
	terminalAfterMs?: number;
}

export interface GenerationRun {
	kind: 'text-to-video' | 'image-to-video';
	request: unknown;
	create: { status: number; ms: number; body: unknown; reading?: ErrorReading; generationIdAt?: 'generate.generationId' | 'generationId' };
	generationId?: string;
	cost?: unknown;
	apiCreditCost?: unknown;
	poll?: PollLog;
	record?: Json;
	fields?: {
		status?: unknown;
		motionModel?: unknown;
		modelId?: unknown;
		imageWidth?: unknown;
		imageHeight?: unknown;
		seed?: unknown;
		generatedImages: number;
		generatedImageKeys: string[];
		recordKeys: string[];
		motionMP4URL: boolean;
		url: boolean;
	};
	video?: CdnFacts;
	poster?: CdnFacts;
	webhook?: { deliveries: WebhookDelivery[]; waitedMs: number } | { notObserved: string };
	upload?: { initImage: { status: number; body: unknown }; s3?: { status: number; headers: Record<string, string> } };
	/** After an ambiguous create answer: whether the user's newest generations hold one with this prompt. */
	ambiguousCreate?: { listed: number; status: number; generationId?: string };
	/** Image-to-video: creates refused as "invalid init image id" right after the upload, and when one was accepted. */
	imageSettle?: { refusals: number; acceptedAfterMs?: number };
	/** Whether this video's own ID is accepted as a GENERATED frame (a free, anchored probe after COMPLETE). */
	videoIdAsFrame?: { status: number; verdict: 'refused' | 'passed' | 'inconclusive'; reading: ErrorReading; body: unknown };
	/** Why this run ended before COMPLETE, if it did. */
	stoppedBecause?: string;
	/** GET /v1/me before the create and after the video ended, against the reported cost (the floor's reading). */
	balance?: BalanceCheck;
}

/** The /v1/me fields that may hold a balance (§4); which one, and in which unit, is what this settles. */
const BALANCE_FIELDS = ['apiSubscriptionTokens', 'apiPaidTokens', 'subscriptionTokens', 'paidTokens'] as const;

export interface BalanceCheck {
	before?: Record<string, number>;
	after?: Record<string, number>;
	/** How much each field fell (negative: rose). */
	fell: Record<string, number>;
	cost?: unknown;
	/** Whether apiSubscriptionTokens + apiPaidTokens fell by exactly the reported cost, in CREDITS (the node's reading). */
	verdict: 'holds' | 'does not hold' | 'no cost or balance to compare';
	says: string;
}

async function readBalances(client: ApiClient): Promise<Record<string, number> | undefined> {
	const answer = await client.call('GET', '/v1/me');
	const details = isObject(answer.body) && Array.isArray(answer.body.user_details) && isObject(answer.body.user_details[0]) ? answer.body.user_details[0] : undefined;
	if (!details) return undefined;
	return Object.fromEntries(BALANCE_FIELDS.filter((field) => typeof details[field] === 'number').map((field) => [field, details[field] as number]));
}

/** Pure: the balance readings before and after one paid video against its reported cost. */
export function compareBalance(before: Record<string, number> | undefined, after: Record<string, number> | undefined, cost: unknown): BalanceCheck {
	const fell: Record<string, number> = {};
	for (const field of BALANCE_FIELDS) {
		if (before?.[field] !== undefined && after?.[field] !== undefined) fell[field] = Number((before[field] - after[field]).toFixed(6));
	}
	const amount = isObject(cost) ? Number(cost.amount) : NaN;
	const unit = isObject(cost) ? String(cost.unit) : undefined;
	if (!before || !after || !Number.isFinite(amount)) {
		return { before, after, fell, cost, verdict: 'no cost or balance to compare', says: `cost ${JSON.stringify(cost)}; balance ${before && after ? 'read' : 'not readable'}` };
	}
	const apiFell = (fell.apiSubscriptionTokens ?? 0) + (fell.apiPaidTokens ?? 0);
	const changed = Object.entries(fell).filter(([, value]) => value !== 0).map(([field, value]) => `${field} -${value}`);
	const holds = unit === 'CREDITS' && Math.abs(apiFell - amount) < 1e-6;
	return {
		before,
		after,
		fell,
		cost,
		verdict: holds ? 'holds' : 'does not hold',
		says: `reported cost ${amount} ${unit}; ${changed.length ? changed.join(', ') : 'no balance field changed'}`,
	};
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const IMAGE_SETTLE_STEP_MS = 2000;
const IMAGE_SETTLE_LIMIT_MS = 60_000;

function textToVideoParameters(settings: SpendSettings): Json {
	const parameters: Json = {
		prompt: 'A paper boat drifts across a calm pond at sunrise, soft ripples, birdsong',
		prompt_enhance: 'OFF',
		quantity: 1,
		duration: 6,
		width: 1920,
		height: 1080,
	};
	if (settings.sendMode) parameters.mode = 'RESOLUTION_1080';
	if (settings.audioKey) parameters[settings.audioKey] = true;
	if (settings.sendSeed) parameters.seed = 424242;
	return parameters;
}

function generationIdOf(body: unknown): { id?: string; at?: 'generate.generationId' | 'generationId' } {
	if (!isObject(body)) return {};
	if (isObject(body.generate) && typeof body.generate.generationId === 'string') return { id: body.generate.generationId, at: 'generate.generationId' };
	if (typeof body.generationId === 'string') return { id: body.generationId, at: 'generationId' };
	return {};
}

/** Runs one generation: create once, poll until terminal or timeout, then look at the CDN and the webhook. */
async function generate(
	client: ApiClient,
	kind: GenerationRun['kind'],
	body: Json,
	settings: SpendSettings,
	say: (line: string) => void,
	run: GenerationRun = { kind, request: body, create: { status: 0, ms: 0, body: undefined } },
	settle?: { refusesImage: (body: unknown) => boolean; refusals: number },
): Promise<GenerationRun> {
	run.request = body;
	let createdAt = Date.now();
	let answer = await client.call('POST', '/v2/generations', body);
	// A refusal creates nothing, so re-sending after "invalid init image id" is safe (§3.3); how long it lasts is the finding.
	const settleFrom = createdAt;
	while (settle && answer.status === 400 && settle.refusesImage(answer.body) && Date.now() - settleFrom < IMAGE_SETTLE_LIMIT_MS) {
		settle.refusals += 1;
		await sleep(IMAGE_SETTLE_STEP_MS);
		createdAt = Date.now();
		answer = await client.call('POST', '/v2/generations', body);
	}
	if (settle) run.imageSettle = { refusals: settle.refusals, acceptedAfterMs: answer.status === 200 ? Date.now() - settleFrom : undefined };
	run.create = { status: answer.status, ms: answer.ms, body: answer.body ?? answer.networkError };
	const { id, at } = generationIdOf(answer.body);
	let generationId = id;
	if (answer.status < 200 || answer.status >= 300 || !id) {
		run.create.reading = readErrorBody(answer.body);
		if (answer.status >= 400 && answer.status < 500) {
			run.stoppedBecause = `create refused (HTTP ${answer.status}): nothing was created or charged`;
			say(`  ${kind}: ${run.stoppedBecause}`);
			return run;
		}
		// Ambiguous: never sent again. Whether it made a (billed) video is itself a finding, and a free lookup.
		run.ambiguousCreate = await findAfterAmbiguousCreate(client, settings.userId, body, createdAt);
		run.stoppedBecause = `create answered ${answer.status || answer.networkError} without a generation ID: it was NOT sent again; ${
			run.ambiguousCreate.generationId ? `the video exists anyway (${run.ambiguousCreate.generationId}, found in your generations)` : 'no such video in your newest generations (check your Leonardo library)'
		}`;
		say(`  ${kind}: ${run.stoppedBecause}`);
		if (!run.ambiguousCreate.generationId) return run;
		generationId = run.ambiguousCreate.generationId;
	} else run.create.generationIdAt = at;
	const id2 = generationId as string;
	run.generationId = id2;
	const generate = isObject(answer.body) && isObject(answer.body.generate) ? answer.body.generate : isObject(answer.body) ? answer.body : {};
	run.cost = generate.cost;
	run.apiCreditCost = generate.apiCreditCost;
	say(`  ${kind}: created ${id2} in ${answer.ms} ms, cost ${JSON.stringify(generate.cost)}`);

	const { record, log } = await pollUntilTerminal(client, id2, createdAt, settings);
	run.poll = log;
	if (!record) {
		run.stoppedBecause = `no terminal status within ${Math.round(settings.timeoutMs / 1000)} s (the generation may still finish: look it up later)`;
		say(`  ${kind}: ${run.stoppedBecause}`);
		return run;
	}
	run.record = record;
	run.fields = recordFields(record);
	say(`  ${kind}: ${String(record.status)} after ${log.terminalAfterMs} ms (${log.polls} status requests)`);
	const images = Array.isArray(record.generated_images) ? record.generated_images.filter(isObject) : [];
	const first = images[0];
	if (first && typeof first.motionMP4URL === 'string') run.video = await inspectCdn(first.motionMP4URL, true);
	if (first && typeof first.url === 'string' && first.url !== first.motionMP4URL) run.poster = await inspectCdn(first.url, false);
	if (settings.webhook) {
		const waitedFrom = Date.now();
		const deliveries = await settings.webhook.waitFor(id2, settings.webhookWaitMs);
		run.webhook = { deliveries, waitedMs: Date.now() - waitedFrom };
		say(`  ${kind}: ${deliveries.length} webhook call(s) for it within ${Math.round(settings.webhookWaitMs / 1000)} s`);
	} else {
		run.webhook = {
			notObserved:
				'no --webhook-port: the probe cannot see the webhook URL of a key (no API returns it); give the key a webhook URL that reaches --webhook-port (e.g. through an https tunnel)',
		};
	}
	return run;
}

async function pollUntilTerminal(
	client: ApiClient,
	id: string,
	createdAt: number,
	settings: SpendSettings,
): Promise<{ record?: Json; log: PollLog }> {
	const log: PollLog = { polls: 0, notFound: 0, nullRecord: 0, serverErrors: 0, networkErrors: 0, statuses: [] };
	while (Date.now() - createdAt < settings.timeoutMs) {
		await sleep(settings.pollIntervalMs);
		const answer: Answer = await client.call('GET', `/v1/generations/${encodeURIComponent(id)}`);
		log.polls += 1;
		if (answer.status === 0) log.networkErrors += 1;
		else if (answer.status === 404) log.notFound += 1;
		else if (answer.status >= 500) log.serverErrors += 1;
		if (answer.status !== 200 || !isObject(answer.body)) continue;
		const record = answer.body.generations_by_pk;
		if (record === null) {
			log.nullRecord += 1;
			continue;
		}
		if (!isObject(record)) continue;
		log.firstRecordAfterMs ??= Date.now() - createdAt;
		const status = String(record.status);
		if (log.statuses.at(-1) !== status) log.statuses.push(status);
		if (status === 'COMPLETE' || status === 'FAILED') {
			log.terminalAfterMs = Date.now() - createdAt;
			return { record, log };
		}
	}
	return { log };
}

function recordFields(record: Json): NonNullable<GenerationRun['fields']> {
	const images = Array.isArray(record.generated_images) ? record.generated_images.filter(isObject) : [];
	const first = images[0] ?? {};
	return {
		status: record.status,
		motionModel: first.motionModel,
		modelId: record.modelId,
		imageWidth: record.imageWidth,
		imageHeight: record.imageHeight,
		seed: record.seed,
		generatedImages: images.length,
		generatedImageKeys: Object.keys(first).sort(),
		recordKeys: Object.keys(record).sort(),
		motionMP4URL: typeof first.motionMP4URL === 'string',
		url: typeof first.url === 'string',
	};
}

const UPLOAD_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp' };

/** POST /v1/init-image, then the presigned S3 POST (no authorization header), then the create. */
async function imageToVideo(client: ApiClient, file: string, settings: SpendSettings, say: (line: string) => void): Promise<GenerationRun> {
	const extension = path.extname(file).slice(1).toLowerCase();
	const run: GenerationRun = { kind: 'image-to-video', request: undefined, create: { status: 0, ms: 0, body: undefined } };
	if (!UPLOAD_TYPES[extension]) {
		run.stoppedBecause = `--image must be a .png, .jpg, .jpeg or .webp file (got "${path.basename(file)}")`;
		return run;
	}
	const bytes = readFileSync(file);
	const init = await client.call('POST', '/v1/init-image', { extension });
	run.upload = { initImage: { status: init.status, body: init.body } };
	const upload = isObject(init.body) && isObject(init.body.uploadInitImage) ? init.body.uploadInitImage : undefined;
	if (init.status !== 200 || !upload || typeof upload.id !== 'string' || typeof upload.url !== 'string') {
		run.stoppedBecause = `POST /v1/init-image answered ${init.status}: no upload, no create`;
		return run;
	}
	const form = new FormData();
	const fields: unknown = typeof upload.fields === 'string' ? JSON.parse(upload.fields) : upload.fields;
	for (const [name, value] of Object.entries(isObject(fields) ? fields : {})) form.append(name, String(value));
	form.append('file', new Blob([bytes], { type: UPLOAD_TYPES[extension] }), path.basename(file));
	const s3 = await plainRequest(upload.url, { method: 'POST', body: form });
	run.upload.s3 = { status: s3.response?.status ?? 0, headers: s3.response ? headersOf(s3.response) : {} };
	await s3.response?.arrayBuffer().catch(() => undefined);
	if (!s3.response || s3.response.status >= 300) {
		run.stoppedBecause = `the S3 upload answered ${s3.response?.status ?? s3.networkError}: no create`;
		return run;
	}
	// Sent at once after the upload: a refusal naming the image would show uploads are not usable immediately (§3.3).
	const parameters: Json = {
		...textToVideoParameters(settings),
		prompt: 'The scene comes alive: a slow push-in, gentle natural motion',
		prompt_enhance: 'AUTO',
		guidances: { start_frame: [{ image: { id: upload.id, type: 'UPLOADED' } }] },
	};
	delete parameters.seed;
	const refusesImage = (body: unknown) => {
		const reading = readErrorBody(body);
		return reading.messages.some((message) => message.includes(upload.id as string) || /init.?image|image id/i.test(message));
	};
	// Pro: the 3P report of prompt_enhance refused with a start frame is about Pro (§1.2).
	return await generate(client, 'image-to-video', { model: 'ltxv-2.3-pro', public: false, parameters }, settings, say, run, { refusesImage, refusals: 0 });
}

/** GET /v1/generations/user/{id} (free): a generation with this create's prompt, made since it was sent. */
async function findAfterAmbiguousCreate(
	client: ApiClient,
	userId: string | undefined,
	body: Json,
	sentAt: number,
): Promise<NonNullable<GenerationRun['ambiguousCreate']>> {
	if (!userId) return { listed: 0, status: 0 };
	const prompt = isObject(body.parameters) ? body.parameters.prompt : undefined;
	const answer = await client.call('GET', `/v1/generations/user/${encodeURIComponent(userId)}?offset=0&limit=10`);
	const list = isObject(answer.body) && Array.isArray(answer.body.generations) ? answer.body.generations.filter(isObject) : [];
	const match = list.find(
		(generation) => generation.prompt === prompt && typeof generation.createdAt === 'string' && Date.parse(generation.createdAt) >= sentAt - 60_000,
	);
	return { listed: list.length, status: answer.status, generationId: typeof match?.id === 'string' ? match.id : undefined };
}

/**
 * Free: this video's output ID as a GENERATED start frame, with an end frame that names an init image
 * that was never uploaded, so nothing can be made. A refusal naming the start frame (or the video's
 * ID) says a video's ID is not a usable frame; one naming only the end frame says it is.
 */
async function probeVideoIdAsFrame(client: ApiClient, videoId: string): Promise<NonNullable<GenerationRun['videoIdAsFrame']>> {
	const missing = randomUUID();
	const answer = await client.call('POST', '/v2/generations', {
		model: 'ltxv-2.3-fast',
		public: false,
		parameters: {
			prompt: 'Validation probe: an end frame that does not exist, so no video can be made',
			duration: 6,
			width: 1920,
			height: 1080,
			guidances: { start_frame: [{ image: { id: videoId, type: 'GENERATED' } }], end_frame: [{ image: { id: missing, type: 'UPLOADED' } }] },
		},
	});
	const reading = readErrorBody(answer.body);
	const namesVideo = reading.messages.some((message) => message.includes(videoId)) || namesField(reading, 'start_frame');
	const namesMissing = reading.messages.some((message) => message.includes(missing)) || namesField(reading, 'end_frame');
	const verdict = answer.status === 400 && namesVideo ? 'refused' : answer.status === 400 && namesMissing ? 'passed' : 'inconclusive';
	if (answer.status >= 200 && answer.status < 300) {
		const id = generationIdOf(answer.body).id;
		if (id) await client.call('DELETE', `/v1/generations/${encodeURIComponent(id)}`);
	}
	return { status: answer.status, verdict, reading, body: answer.body };
}

export async function runSpend(client: ApiClient, settings: SpendSettings, say: (line: string) => void): Promise<GenerationRun[]> {
	const before = await readBalances(client);
	const runs = [await generate(client, 'text-to-video', { model: 'ltxv-2.3-fast', public: false, parameters: textToVideoParameters(settings) }, settings, say)];
	if (runs[0].generationId) {
		runs[0].balance = compareBalance(before, await readBalances(client), runs[0].cost);
		say(`  balance (GET /v1/me) before and after the video: ${runs[0].balance.says}: the node's reading (API credits) ${runs[0].balance.verdict}`);
	}
	const videoId = (runs[0].record?.generated_images as Array<{ id?: unknown }> | undefined)?.[0]?.id;
	if (runs[0].fields?.status === 'COMPLETE' && typeof videoId === 'string') {
		runs[0].videoIdAsFrame = await probeVideoIdAsFrame(client, videoId);
		say(`  the video's ID as a GENERATED frame: ${runs[0].videoIdAsFrame.verdict}`);
	}
	if (settings.imageFile) runs.push(await imageToVideo(client, settings.imageFile, settings, say));
	return runs;
}
