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
import { type RateLimiter, throwIfCancelled } from './pacing';
import { callApi, type CallOptions, LeonardoApiError, type NodeContext } from './transport';

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
		width: num(generation.imageWidth),
		height: num(generation.imageHeight),
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
}

/** The dialect fix a 400 asks for, or undefined when the error is not about a negotiable field. */
function adjustDialect(error: LeonardoApiError, dialect: RequestDialect): RequestDialect | undefined {
	if (error.statusCode !== 400) return undefined;
	if (dialect.audioField === 'audio' && validationErrorNames(error.parsed, 'audio')) {
		return { ...dialect, audioField: 'motion_has_audio' };
	}
	if (dialect.sendMode && validationErrorNames(error.parsed, 'mode')) return { ...dialect, sendMode: false };
	return undefined;
}

export interface CreateCall {
	itemIndex: number;
	/** Ends the wait and any retry pause, also of a create already sent (the execution was stopped). */
	signal?: AbortSignal;
	/** Stops before a create is sent (e.g. another item failed); a create already sent is still awaited. */
	stopBeforeSend?: AbortSignal;
	/** Called just before each create request goes out. */
	onSend?: () => void;
}

/**
 * POST /v2/generations. A 400 that names `audio` or `mode` is answered by sending the other dialect
 * (a validation error creates nothing, so this cannot charge twice); nothing else is re-sent here.
 */
export async function createGeneration(
	ctx: IExecuteFunctions,
	session: CreateSession,
	request: GenerateRequest,
	frames: { start?: ImageReference; end?: ImageReference },
	call: CreateCall,
): Promise<{ body: CreateGenerationBody; created: CreatedGeneration }> {
	const { itemIndex, signal, stopBeforeSend = signal, onSend } = call;
	let dialect = session.dialect;
	for (;;) {
		const body = buildCreateBody(request, frames, dialect);
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
			session.dialect = dialect;
			return { body, created: requireGenerationId(ctx, response, itemIndex) };
		}
		// callApi only rejects with NodeApiError (LeonardoApiError for an HTTP answer) or a cancel: pass those on.
		if (!(refusal instanceof LeonardoApiError)) throw refusal;
		if (refusal.statusCode === 400 && request.seed !== undefined && validationErrorNames(refusal.parsed, 'seed')) {
			throw new InvalidInputError(
				`This model did not accept a seed (${refusal.parsed?.message ?? 'validation error'})`,
				'Remove the "Seed" option and run again. Nothing was generated or charged.',
			);
		}
		const adjusted = adjustDialect(refusal, dialect);
		if (!adjusted) throw refusal;
		dialect = adjusted;
	}
}

function requireGenerationId(ctx: IExecuteFunctions, response: unknown, itemIndex: number): CreatedGeneration {
	const created = readCreateResponse(response);
	if (created) return created;
	throw new NodeOperationError(ctx.getNode(), 'Leonardo answered the create request without a generation ID', {
		itemIndex,
		description:
			'Whether a video was created (and billed) is unknown, so the request was NOT sent again. Check your Leonardo library before running this item again.',
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

export async function removeGeneration(ctx: NodeContext, generationId: string, options: CallOptions): Promise<unknown> {
	return await callApi(ctx, { method: 'DELETE', path: `/v1/generations/${encodeURIComponent(generationId)}`, retry: 'idempotent' }, options);
}
