/** Typed access to the generation endpoints and the account (leonardo-api.md §1, §2, §4, §5), defensive about shapes. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { MODELS, type ModelSlug } from './capabilities';
import { InvalidInputError, validationErrorNames } from './errors';
import {
	buildCreateBody,
	type CreateGenerationBody,
	type GenerateRequest,
	type ImageReference,
	type RequestDialect,
} from './generateRequest';
import { pause, type RateLimiter, throwIfCancelled } from './pacing';
import { callApi, type CallOptions, LeonardoApiError, type NodeContext, UNKNOWN_OUTCOME } from './transport';

export interface GenerationCost {
	amount?: string;
	unit?: string;
}

export interface CreatedGeneration {
	generationId: string;
	cost?: GenerationCost;
}

/** The fields of `generations_by_pk` this node uses; anything may be missing on the wire. */
export interface GenerationRecord {
	id: string;
	status: string;
	prompt?: string;
	width?: number;
	height?: number;
	seed?: number;
	model?: string;
	createdAt?: string;
	videoUrl?: string;
	videoId?: string;
	posterUrl?: string;
	nsfw?: boolean;
	/** Number of outputs; 0 on COMPLETE means moderation removed the video. */
	outputCount: number;
	/**
	 * Whether the outputs are videos (an MP4 URL, the `motion` flag or a motion model on an output);
	 * `false` when every output is a plain image; undefined without outputs (FAILED, moderated).
	 */
	isVideo?: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
/** The markers of a video among an output's fields (§2: `motionMP4URL`; `motion`/`motionModel` seen on video outputs; an .mp4 link). */
const isVideoOutput = (output: Record<string, unknown>) =>
	Boolean(text(output.motionMP4URL) || output.motion === true || text(output.motionModel) || /\.mp4(\?|$)/i.test(text(output.url) ?? ''));

/** A model spelling reduced to what all spellings share: "LTXV_2_3_PRO", "ltxv-2.3-pro", "LTX 2.3 Pro" → "ltx23pro". */
const modelKey = (spelling: string) => spelling.toLowerCase().replace(/[^a-z0-9]/g, '').replace(/^ltxv/, 'ltx');
const SLUG_BY_MODEL_KEY = new Map<string, ModelSlug>(
	Object.values(MODELS).flatMap((model) => [modelKey(model.slug), modelKey(model.displayName)].map((key) => [key, model.slug] as const)),
);

/**
 * The slug (`ltxv-2.3-pro`, `ltxv-2.3-fast`) for whatever spelling a record reports (enum `LTXV_2_3_PRO`,
 * snake `ltxv_2_3_fast`, display `LTX 2.3 Pro`, the slug itself); the raw value when it names no LTX 2.3 model.
 */
export function modelSlugOf(spelling: string | undefined): string | undefined {
	return spelling === undefined ? undefined : (SLUG_BY_MODEL_KEY.get(modelKey(spelling)) ?? spelling);
}

/** `generate.generationId` (documented) or a top-level `generationId` (seen in third-party code). */
export function readCreateResponse(body: unknown): CreatedGeneration | undefined {
	if (!isRecord(body)) return undefined;
	const generate = isRecord(body.generate) ? body.generate : body;
	const generationId = text(generate.generationId) ?? text(body.generationId);
	if (!generationId) return undefined;
	const cost = isRecord(generate.cost)
		? { amount: text(generate.cost.amount) ?? (num(generate.cost.amount) !== undefined ? String(generate.cost.amount) : undefined), unit: text(generate.cost.unit) }
		: undefined;
	return { generationId, cost };
}

/** One generation as `generations_by_pk` or a list entry has it; `undefined` without an id or status. */
function readGenerationRecord(generation: unknown): GenerationRecord | undefined {
	if (!isRecord(generation) || !text(generation.id) || !text(generation.status)) return undefined;
	const outputs = Array.isArray(generation.generated_images) ? generation.generated_images.filter(isRecord) : [];
	// The video, when there is one, wherever it sits among the outputs.
	const first = outputs.find(isVideoOutput) ?? outputs[0];
	return {
		id: generation.id as string,
		status: generation.status as string,
		prompt: text(generation.prompt),
		// 0 (seen for "follow the start image" requests) is no size: the caller falls back to what it knows.
		width: num(generation.imageWidth) || undefined,
		height: num(generation.imageHeight) || undefined,
		seed: num(generation.seed),
		model: modelSlugOf(text(first?.motionModel) ?? text(generation.modelId)),
		createdAt: text(generation.createdAt),
		// The MP4 is motionMP4URL; `url` is the poster, used only when the MP4 URL is missing (§2).
		videoUrl: text(first?.motionMP4URL) ?? text(first?.url),
		posterUrl: text(first?.motionMP4URL) ? text(first?.url) : undefined,
		videoId: text(first?.id),
		nsfw: typeof first?.nsfw === 'boolean' ? first.nsfw : undefined,
		outputCount: outputs.length,
		isVideo: outputs.length ? outputs.some(isVideoOutput) : undefined,
	};
}

/** `undefined` when the body is not a generation lookup at all; `null` for "no such generation". */
export function readGenerationResponse(body: unknown): GenerationRecord | null | undefined {
	if (!isRecord(body) || !('generations_by_pk' in body)) return undefined;
	if (body.generations_by_pk === null) return null;
	return readGenerationRecord(body.generations_by_pk);
}

/** One page of `GET /v1/generations/user/{id}`; `undefined` when the body is not a list at all. */
export interface GenerationPage {
	records: GenerationRecord[];
	/** Entries on the page, usable or not (the next page starts after all of them). */
	entryCount: number;
	/** Entries without an id or status, left out of `records`. */
	unreadable: number;
}

export function readGenerationListResponse(body: unknown): GenerationPage | undefined {
	if (!isRecord(body) || !Array.isArray(body.generations)) return undefined;
	const records = body.generations.map(readGenerationRecord);
	const usable = records.filter((record): record is GenerationRecord => record !== undefined);
	return { records: usable, entryCount: records.length, unreadable: records.length - usable.length };
}

/** What `GET /v1/me` says about the key's account: `user_details[0]` (§4). */
export interface AccountDetails {
	userId?: string;
	apiConcurrencySlots?: number;
}

export function readAccountResponse(body: unknown): AccountDetails {
	const details = isRecord(body) && Array.isArray(body.user_details) && isRecord(body.user_details[0]) ? body.user_details[0] : {};
	const user = isRecord(details.user) ? details.user : {};
	return { userId: text(user.id), apiConcurrencySlots: num(details.apiConcurrencySlots) };
}

export async function fetchAccount(ctx: IExecuteFunctions, options: CallOptions): Promise<AccountDetails> {
	return readAccountResponse(await callApi(ctx, { method: 'GET', path: '/v1/me', retry: 'idempotent' }, options));
}

/** One page of the user's generations, newest first (§5). */
export async function fetchUserGenerations(
	ctx: IExecuteFunctions,
	userId: string,
	page: { offset: number; limit: number },
	options: CallOptions,
): Promise<unknown> {
	return await callApi(
		ctx,
		{ method: 'GET', path: `/v1/generations/user/${encodeURIComponent(userId)}`, qs: { offset: page.offset, limit: page.limit }, retry: 'idempotent' },
		options,
	);
}

async function postGeneration(ctx: IExecuteFunctions, body: CreateGenerationBody, options: CallOptions): Promise<unknown> {
	return await callApi(ctx, { method: 'POST', path: '/v2/generations', body: { ...body }, retry: 'create' }, options);
}

/** Per execution: which spelling Leonardo accepted (reused by later items) and the create pacing. */
export interface CreateSession {
	baseUrl: string;
	dialect: RequestDialect;
	createLimiter: RateLimiter;
	/** While the first create of the run learns the dialect, the others wait for it (no needless refusals). */
	dialectLearned?: Promise<void>;
}

/** The dialect fix a 400 asks for (every field it names at once), or undefined when it names none of them. */
function adjustDialect(error: LeonardoApiError, dialect: RequestDialect): RequestDialect | undefined {
	if (error.statusCode !== 400) return undefined;
	const adjusted = { ...dialect };
	if (dialect.audioField === 'audio' && validationErrorNames(error.parsed, 'audio')) adjusted.audioField = 'motion_has_audio';
	if (dialect.sendMode && validationErrorNames(error.parsed, 'mode')) adjusted.sendMode = false;
	return adjusted.audioField !== dialect.audioField || adjusted.sendMode !== dialect.sendMode ? adjusted : undefined;
}

/** An uploaded image can be unknown to the create endpoint for a moment after its upload (leonardo-api.md §3.3). */
const INIT_IMAGE_WAITS_MS = [2000, 4000, 8000];
const initImageNotReady = (error: LeonardoApiError, frames: CreateFrames) =>
	error.statusCode === 400 &&
	/invalid init image id/i.test(error.parsed?.message ?? '') &&
	[frames.start, frames.end].some((frame) => frame?.type === 'UPLOADED');

export type CreateFrames = { start?: ImageReference; end?: ImageReference };

export interface CreateResult {
	body: CreateGenerationBody;
	created: CreatedGeneration;
	/** What the node changed to get the create accepted, for the output and the log. */
	notices: string[];
}

export interface CreateCall {
	itemIndex: number;
	/** Ends the wait and any retry pause, also of a create already sent (the execution was stopped). */
	signal?: AbortSignal;
	/** Stops before a create is sent (e.g. another item failed); a create already sent is still awaited. */
	stopBeforeSend?: AbortSignal;
	/** Called just before each create request goes out. */
	onSend?: () => void;
	/** Whether an "invalid init image id" for an UPLOADED frame is waited out (default true). */
	waitForUploads?: boolean;
}

/**
 * POST /v2/generations. Only answers that created nothing are re-sent (a validation error or a 429), each
 * for a known reason: a 400 naming `audio` or `mode` (the other dialect), a 400 refusing `prompt_enhance`
 * with a start frame (once more with OFF, said in `notices`), and "invalid init image id" right after an
 * upload (after a short wait). A 5xx, a timeout or a dropped connection is never re-sent (it may have
 * created and billed a generation).
 */
export async function createGeneration(
	ctx: IExecuteFunctions,
	session: CreateSession,
	request: GenerateRequest,
	frames: CreateFrames,
	call: CreateCall,
): Promise<CreateResult> {
	const { itemIndex, signal, stopBeforeSend = signal, onSend, waitForUploads = true } = call;
	const endTurn = await takeDialectTurn(session);
	try {
		let dialect = session.dialect;
		let sent = request;
		const notices: string[] = [];
		const initImageWaits = [...INIT_IMAGE_WAITS_MS];
		for (;;) {
			const body = buildCreateBody(sent, frames, dialect);
			await session.createLimiter.waitTurn(stopBeforeSend);
			throwIfCancelled(stopBeforeSend);
			onSend?.();
			let refusal: unknown;
			let response: unknown;
			try {
				response = await postGeneration(ctx, body, { itemIndex, signal, baseUrl: session.baseUrl });
			} catch (error) {
				refusal = error;
			}
			if (refusal === undefined) {
				session.dialect = { ...dialect, learned: true };
				session.dialectLearned = undefined;
				return { body, created: requireGenerationId(ctx, response, itemIndex), notices };
			}
			// callApi only rejects with NodeApiError (LeonardoApiError for an HTTP answer) or a cancel: pass those on.
			if (!(refusal instanceof LeonardoApiError)) throw refusal;
			if (refusal.statusCode === 400 && sent.seed !== undefined && validationErrorNames(refusal.parsed, 'seed')) {
				throw new InvalidInputError(
					`This model did not accept a seed (${refusal.parsed?.message ?? 'validation error'})`,
					'Remove the "Seed" option and run again. Nothing was generated or charged.',
				);
			}
			const adjusted = adjustDialect(refusal, dialect);
			if (adjusted) {
				dialect = adjusted;
				continue;
			}
			if (refusal.statusCode === 400 && frames.start && sent.promptEnhance !== 'OFF' && validationErrorNames(refusal.parsed, 'prompt_enhance')) {
				notices.push(
					`Leonardo refused Prompt Enhance "${sent.promptEnhance}" with a start frame (${refusal.parsed?.message ?? 'validation error'}), so the video was requested with Prompt Enhance "OFF".`,
				);
				ctx.logger.info(`LTX Video: item ${itemIndex}: Prompt Enhance ${sent.promptEnhance} refused with a start frame; re-sent with OFF`);
				sent = { ...sent, promptEnhance: 'OFF' };
				continue;
			}
			const wait = waitForUploads && initImageNotReady(refusal, frames) ? initImageWaits.shift() : undefined;
			if (wait === undefined) throw refusal;
			ctx.logger.info(`LTX Video: item ${itemIndex}: the uploaded image is not usable yet; creating again in ${wait / 1000} s`);
			// Nothing was created: another item's failure may stop this wait, like any wait before a create.
			await pause(wait, stopBeforeSend);
		}
	} finally {
		endTurn();
	}
}

/**
 * Waits while another create learns the dialect (`dialectLearned`); until it is learned, this create is
 * the one learning it. Returns what ends that turn, whatever the create's outcome.
 */
async function takeDialectTurn(session: CreateSession): Promise<() => void> {
	while (session.dialectLearned) await session.dialectLearned;
	if (session.dialect.learned) return () => {};
	let learned = () => {};
	session.dialectLearned = new Promise<void>((resolve) => (learned = resolve));
	return () => {
		if (!session.dialect.learned) session.dialectLearned = undefined;
		learned();
	};
}

function requireGenerationId(ctx: IExecuteFunctions, response: unknown, itemIndex: number): CreatedGeneration {
	const created = readCreateResponse(response);
	if (created) return created;
	throw new NodeOperationError(ctx.getNode(), 'Leonardo answered the create request without a generation ID', {
		itemIndex,
		description: UNKNOWN_OUTCOME,
	});
}

/** One status lookup, no retries of its own: the polling loop decides what a failure means. */
export async function fetchGeneration(ctx: NodeContext, generationId: string, options: CallOptions, maxAttempts = 1): Promise<unknown> {
	return await callApi(
		ctx,
		{ method: 'GET', path: `/v1/generations/${encodeURIComponent(generationId)}`, retry: 'idempotent', maxAttempts },
		options,
	);
}

/** A brand-new ID can be unknown to the read side for a few seconds (404 or `null`): look again this often. */
const NEW_ID_LOOKUP_WAITS_MS = [2000, 4000];

/**
 * One generation for an operation that looks it up once (Get): 5xx/429/network are retried by callApi,
 * and a 404 or `null` is asked again twice over ~6 s, since an ID just created may not be readable yet.
 * `null` only when Leonardo still does not know the ID after that.
 */
export async function lookUpGeneration(ctx: NodeContext, generationId: string, options: CallOptions): Promise<GenerationRecord | null | undefined> {
	for (const waitMs of [...NEW_ID_LOOKUP_WAITS_MS, undefined]) {
		let body: unknown;
		let failure: unknown;
		try {
			body = await fetchGeneration(ctx, generationId, options, 5);
		} catch (error) {
			failure = error;
		}
		// Decided outside the catch: callApi rejects only with NodeApiError or a cancel, passed on as they are.
		const notFound = failure instanceof LeonardoApiError && failure.statusCode === 404;
		if (failure !== undefined && !notFound) throw failure;
		const record = notFound ? null : readGenerationResponse(body);
		if (record !== null) return record;
		if (waitMs === undefined) {
			if (notFound) throw failure;
			return null;
		}
		await pause(waitMs, options.signal);
	}
	return null;
}

/**
 * A fresh signed MP4 URL after the CDN refused a link (403/404: signed links expire), for every download.
 * Read the way Get reads (lookUpGeneration: 5 attempts for 5xx/429/network errors, a 404 or `null` asked
 * again over ~6 s): a failed refresh fails the download, so a brief outage, or a read side still behind a
 * video that just finished, must not cost it. `undefined` when no URL comes back (the old one is tried again).
 */
export async function freshVideoUrl(ctx: NodeContext, generationId: string, options: CallOptions): Promise<string | undefined> {
	return (await lookUpGeneration(ctx, generationId, options))?.videoUrl;
}

export async function removeGeneration(ctx: NodeContext, generationId: string, options: CallOptions): Promise<unknown> {
	return await callApi(ctx, { method: 'DELETE', path: `/v1/generations/${encodeURIComponent(generationId)}`, retry: 'idempotent' }, options);
}
