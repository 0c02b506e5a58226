/** Typed access to the generation endpoints (leonardo-api.md §1, §2, §5), defensive about shapes. */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { CreateGenerationBody } from './generateRequest';
import { callApi, type CallOptions } from './transport';

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
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

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

/** `undefined` when the body is not a generation lookup at all; `null` for "no such generation". */
export function readGenerationResponse(body: unknown): GenerationRecord | null | undefined {
	if (!isRecord(body) || !('generations_by_pk' in body)) return undefined;
	const generation = body.generations_by_pk;
	if (generation === null) return null;
	if (!isRecord(generation) || !text(generation.id) || !text(generation.status)) return undefined;
	const outputs = Array.isArray(generation.generated_images) ? generation.generated_images.filter(isRecord) : [];
	const first = outputs[0];
	return {
		id: generation.id as string,
		status: generation.status as string,
		prompt: text(generation.prompt),
		width: num(generation.imageWidth),
		height: num(generation.imageHeight),
		seed: num(generation.seed),
		model: text(first?.motionModel) ?? text(generation.modelId),
		createdAt: text(generation.createdAt),
		// The MP4 is motionMP4URL; `url` is the poster, used only when the MP4 URL is missing (§2).
		videoUrl: text(first?.motionMP4URL) ?? text(first?.url),
		posterUrl: text(first?.motionMP4URL) ? text(first?.url) : undefined,
		videoId: text(first?.id),
		nsfw: typeof first?.nsfw === 'boolean' ? first.nsfw : undefined,
		outputCount: outputs.length,
	};
}

export async function postGeneration(ctx: IExecuteFunctions, body: CreateGenerationBody, options: CallOptions): Promise<unknown> {
	return await callApi(ctx, { method: 'POST', path: '/v2/generations', body: { ...body }, retry: 'create' }, options);
}

/** One status lookup, no retries of its own: the polling loop decides what a failure means. */
export async function fetchGeneration(ctx: IExecuteFunctions, generationId: string, options: CallOptions, maxAttempts = 1): Promise<unknown> {
	return await callApi(
		ctx,
		{ method: 'GET', path: `/v1/generations/${encodeURIComponent(generationId)}`, retry: 'idempotent', maxAttempts },
		options,
	);
}

export async function removeGeneration(ctx: IExecuteFunctions, generationId: string, options: CallOptions): Promise<unknown> {
	return await callApi(ctx, { method: 'DELETE', path: `/v1/generations/${encodeURIComponent(generationId)}`, retry: 'idempotent' }, options);
}
