/**
 * POST /v2/generations with what it takes to get a create accepted: the exact body (pure, unit-tested),
 * the request dialect learned once per execution (leonardo-api.md §7), the create pacing, and the
 * re-sends of answers that created nothing.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ASPECT_RATIOS, type ModelSlug } from '../../shared/capabilities';
import { InvalidInputError, validationErrorNames } from '../../shared/errors';
import { pause, throwIfCancelled } from '../../shared/pacing';
import { type CreatedGeneration, readCreateResponse } from '../../shared/responses';
import { callApi, type CallOptions, LeonardoApiError, UNKNOWN_OUTCOME } from '../../shared/transport';
import type { GenerateRequest, ImageReference } from './generateRequest';
import type { RateLimiter } from './rateLimiter';

/**
 * Fields whose spelling the public docs disagree on (leonardo-api.md §7). A 400 that names one of them
 * creates no generation, so the create request may be sent again with the other dialect.
 */
export interface RequestDialect {
	audioField: 'audio' | 'motion_has_audio';
	sendMode: boolean;
	/** Set once Leonardo accepted a create with this dialect. */
	learned?: boolean;
}

export const DEFAULT_DIALECT: RequestDialect = { audioField: 'audio', sendMode: true };

export interface CreateGenerationBody {
	model: ModelSlug;
	public: boolean;
	parameters: Record<string, unknown>;
}

const guidance = (image: ImageReference) => [{ image: { id: image.id, type: image.type } }];

/** The body of POST /v2/generations (leonardo-api.md §1.2, top-level envelope). */
export function buildCreateBody(
	request: GenerateRequest,
	frames: { start?: ImageReference; end?: ImageReference },
	dialect: RequestDialect = DEFAULT_DIALECT,
): CreateGenerationBody {
	const { width, height } = ASPECT_RATIOS[request.aspectRatio].size(request.resolution);
	const parameters: Record<string, unknown> = {
		prompt: request.prompt,
		...(dialect.sendMode ? { mode: request.resolution } : {}),
		prompt_enhance: request.promptEnhance,
		quantity: 1,
		duration: request.duration,
		width,
		height,
		[dialect.audioField]: request.generateAudio,
	};
	if (request.seed !== undefined) parameters.seed = request.seed;
	if (frames.start) {
		parameters.guidances = {
			start_frame: guidance(frames.start),
			...(frames.end ? { end_frame: guidance(frames.end) } : {}),
		};
	}
	return { model: request.model, public: request.public, parameters };
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
