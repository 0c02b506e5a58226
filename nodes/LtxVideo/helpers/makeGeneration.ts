/**
 * One item's generation: the one an earlier try of this node run created (resumed, never created or
 * billed again), or a new one: its frames uploaded (an upload shared with other items that Leonardo
 * refuses is made afresh once), then the create sent with the dialect learning of createGeneration.ts,
 * recorded in createdGenerations.ts before it goes out, within the run's spend limits (spendGuard.ts).
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InvalidInputError } from '../../shared/errors';
import { LeonardoApiError } from '../../shared/transport';
import type { ItemProgress, ItemSignals } from './batchRunner';
import { createGeneration, type CreateSession } from './createGeneration';
import { type CreatedGenerationEntry, CreatedGenerations, requestDigest } from './createdGenerations';
import type { CheckedFrame } from './frameBytes';
import type { FrameInput, GenerateRequest, ImageReference } from './generateRequest';
import { costKind, type SpendGuard, type SpendLimits } from './spendGuard';
import type { FrameUploads } from './upload';

/** Per execution: the create session (accepted dialect, create pacing) and the uploads shared by all items. */
export interface MakeSession extends CreateSession {
	frameUploads: FrameUploads;
	spendGuard: SpendGuard;
}

/** A checked request and its frames as checked (binary data, links; undefined for a Leonardo image ID). */
export interface MakeInput {
	request: GenerateRequest;
	images: { start?: CheckedFrame; end?: CheckedFrame };
	spendLimits: SpendLimits;
}

interface MakeCall extends ItemSignals {
	itemIndex: number;
	progress: ItemProgress;
}

/** A validation error that names an init image this item reused from another item's upload. */
function refusesReusedImage(refusal: unknown, frames: Array<{ reference?: ImageReference; reused: boolean }>): boolean {
	if (!(refusal instanceof LeonardoApiError) || refusal.statusCode !== 400 || !refusal.parsed) return false;
	const { message, field } = refusal.parsed;
	return frames.some(({ reference, reused }) => reused && reference && `${message} ${field ?? ''}`.includes(reference.id));
}

type MadeGeneration = Omit<CreatedGenerationEntry, 'sentAt' | 'request'> & { generationId: string };
/** What this try created or resumed, with what the node changed or did to get there (output as `notice`). */
export type Made = MadeGeneration & { notices?: string[]; resumed?: { requestChanged: boolean } };

/**
 * What an earlier try of this node run created for this item (Retry On Fail, or the executions list's
 * Retry: see createdGenerations.ts): resumed, never created again, whatever the item's request evaluates
 * to now. A create that an earlier try sent without a clear answer is not sent again either.
 */
function resumable(ctx: IExecuteFunctions, created: CreatedGenerations, itemIndex: number, digest: string): Made | undefined {
	const earlier = created.find(itemIndex);
	if (!earlier) return undefined;
	if (!earlier.generationId) {
		throw new NodeOperationError(ctx.getNode(), 'An earlier try of this node sent the create request for this item and got no clear answer, so it was not sent again', {
			itemIndex,
			description: `Whether Leonardo created (and billed) that video is unknown. Look for it with "Get Many" (newest first; sent at ${new Date(earlier.sentAt).toISOString()}) before running this item again. Retrying never sends it again; running the workflow anew does.`,
		});
	}
	const made = earlier as MadeGeneration;
	const requestChanged = earlier.request !== digest;
	ctx.logger.info(`LTX Video: resuming generation ${made.generationId} created by an earlier try (item ${itemIndex}${requestChanged ? ', request changed since' : ''})`);
	const notices = [`Resumed generation ${made.generationId}, created by an earlier try of this node (Retry On Fail or a retried execution): not created or billed again.`];
	if (requestChanged) {
		notices.push(
			'The item\'s request has changed since that try (e.g. a random seed or {{ $now }} in an expression, or another link): the new values were NOT used. For a video of the current values, run the workflow anew instead of retrying.',
		);
	}
	return { ...made, notices, resumed: { requestChanged } };
}

/** An error about a resumed generation says that retrying will not make another one, and what will. */
export function noteResumed(error: unknown, generationId: string): unknown {
	if (error instanceof Error && 'description' in error) {
		error.description = `${error.description ?? ''} Generation ${generationId} was created by an earlier try: retrying resumes it and never creates another. For a new video (billed again), run the workflow anew.`.trim();
	}
	return error;
}

/** A refusal of the create that made no generation (a 4xx answer, or input the node refused). */
const createdNothing = (refusal: unknown) =>
	refusal instanceof InvalidInputError || (refusal instanceof LeonardoApiError && refusal.statusCode >= 400 && refusal.statusCode < 500);

/**
 * Reserves the video's estimated cost before anything is uploaded or sent (a refusal sends nothing), then
 * counts what Leonardo reports: a create without a clear answer counts at its estimate (it may be billed).
 */
async function createWithinLimits(ctx: IExecuteFunctions, session: MakeSession, input: MakeInput, call: MakeCall, created: CreatedGenerations, digest: string): Promise<Made> {
	const { spendGuard } = session;
	const kind = costKind(input.request);
	const reservation = await spendGuard.reserve(kind, input.spendLimits, call.stopNew);
	const made = await uploadAndCreate(ctx, session, input, call, created, digest).catch((error: unknown) => {
		if (call.progress.createSent && !createdNothing(error)) spendGuard.keepAsSpent(reservation);
		else spendGuard.release(reservation);
		throw error;
	});
	const notice = spendGuard.settle(reservation, kind, made.cost, made.generationId);
	return notice ? { ...made, notices: [...(made.notices ?? []), notice] } : made;
}

/** Uploads the frames and sends the create, keeping the record of created generations up to date. */
async function uploadAndCreate(
	ctx: IExecuteFunctions,
	session: MakeSession,
	{ request, images }: MakeInput,
	{ itemIndex, progress, cancel, stopNew }: MakeCall,
	created: CreatedGenerations,
	digest: string,
): Promise<Made> {
	// Until the create, another item's failure stops this one; once created (paid for), it runs to the end.
	const beforeCreate = { itemIndex, signal: stopNew, baseUrl: session.baseUrl };
	const frame = async (image: CheckedFrame | undefined, input: FrameInput | undefined, which: string) => {
		if (image) return await session.frameUploads.upload(image, beforeCreate, which);
		return { reference: input?.source === 'imageId' ? input.image : undefined, reused: false };
	};
	let start = await frame(images.start, request.startFrame, 'start frame');
	let end = await frame(images.end, request.endFrame, 'end frame');
	const send = async () => {
		try {
			return await createGeneration(ctx, session, request, { start: start.reference, end: end.reference }, {
				itemIndex,
				signal: cancel,
				stopBeforeSend: stopNew,
				// A reused upload refused is uploaded afresh below, not waited for.
				waitForUploads: !start.reused && !end.reused,
				onSend: () => {
					progress.createSent = true;
					created.markSent(itemIndex, digest);
				},
			});
		} catch (error) {
			return { refusal: error as unknown };
		}
	};
	let outcome = await send();
	if ('refusal' in outcome && refusesReusedImage(outcome.refusal, [start, end])) {
		// A refused create costs nothing: upload this item's frames afresh once and send again.
		session.frameUploads.stopSharing();
		start = await frame(images.start, request.startFrame, 'start frame');
		end = await frame(images.end, request.endFrame, 'end frame');
		outcome = await send();
	}
	if ('refusal' in outcome) {
		const { refusal } = outcome;
		// A 4xx answer creates nothing: a retry may send again. Anything else stays "sent, outcome unknown".
		if (createdNothing(refusal)) created.forget(itemIndex);
		throw refusal;
	}
	const result = outcome;
	const made = {
		generationId: result.created.generationId,
		cost: result.created.cost,
		// 0×0 ("follow the start image") is no size: left out unless Leonardo reports one.
		width: (result.body.parameters.width as number) || undefined,
		height: (result.body.parameters.height as number) || undefined,
	};
	created.markCreated(itemIndex, { ...made, model: request.model, seed: request.seed });
	ctx.logger.info(`LTX Video: created generation ${made.generationId} (item ${itemIndex}, ${request.model})`);
	return { ...made, notices: result.notices };
}

/**
 * The generation for item `itemIndex`: resumed from an earlier try, or uploaded and created now. The
 * item's position finds what an earlier try made; the digest only tells whether the request changed since.
 */
export async function makeGeneration(ctx: IExecuteFunctions, session: MakeSession, input: MakeInput, call: MakeCall, created: CreatedGenerations): Promise<Made> {
	const digest = requestDigest(input.request);
	return resumable(ctx, created, call.itemIndex, digest) ?? (await createWithinLimits(ctx, session, input, call, created, digest));
}
