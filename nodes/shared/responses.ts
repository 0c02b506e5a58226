/**
 * What Leonardo's answers mean (leonardo-api.md §1, §2, §4, §5): pure readers, defensive about shapes, no
 * requests (the calls sit in lookup.ts and beside the node code that makes them).
 */
import { MODELS, type ModelSlug } from './capabilities';

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

/** A link without its query: two signatures of one file are the same file. */
const withoutQuery = (link: string) => link.replace(/[?#].*$/, '');

/**
 * The poster: `url` beside an MP4 in `motionMP4URL` (§2, INFERRED for LTX). None when there is no separate
 * MP4 link (then `url` is the video itself) or when `url` is the MP4 link again.
 */
function posterUrlOf(output: Record<string, unknown> | undefined): string | undefined {
	const mp4 = text(output?.motionMP4URL);
	const url = text(output?.url);
	return mp4 && url && withoutQuery(url) !== withoutQuery(mp4) ? url : undefined;
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
		posterUrl: posterUrlOf(first),
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
	/** API credits (tokens) bought and from the API plan; whether they are the unit of `cost` is unverified (spendGuard.ts). */
	apiPaidTokens?: number;
	apiSubscriptionTokens?: number;
}

export function readAccountResponse(body: unknown): AccountDetails {
	const details = isRecord(body) && Array.isArray(body.user_details) && isRecord(body.user_details[0]) ? body.user_details[0] : {};
	const user = isRecord(details.user) ? details.user : {};
	return {
		userId: text(user.id),
		apiConcurrencySlots: num(details.apiConcurrencySlots),
		apiPaidTokens: num(details.apiPaidTokens),
		apiSubscriptionTokens: num(details.apiSubscriptionTokens),
	};
}
