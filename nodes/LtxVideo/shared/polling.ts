/**
 * Waits for a generation to finish by polling GET /v1/generations/{id}. Transient trouble right
 * after a create (404, `generations_by_pk: null`, 5xx, 429, network) counts as "still pending";
 * only a bounded run of consecutive failures, a terminal status or the timeout ends the wait.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { recoveryHint } from './errors';
import { fetchGeneration, type GenerationRecord, readGenerationResponse } from './generations';
import type { WaitSettings } from './options';
import { pause, type RateLimiter, WaitCancelledError } from './pacing';
import { LeonardoApiError } from './transport';

/** A brand-new ID can be unknown to the read side for a while (3P-observed 404s and nulls). */
const NEW_GENERATION_GRACE_MS = 60_000;
/** Give up after this many failed lookups in a row (about a minute at the default interval). */
export const MAX_CONSECUTIVE_POLL_FAILURES = 12;

export interface PollTarget {
	generationId: string;
	itemIndex: number;
	baseUrl: string;
	signal?: AbortSignal;
	/** Spreads status requests of all in-flight items of one execution (bounded polls per second). */
	pollLimiter: RateLimiter;
	/** Called after each lookup; lets the benchmark and logs see progress. */
	onPoll?: (record: GenerationRecord | null) => void;
}

function isTransient(error: unknown, sinceCreateMs: number): boolean {
	if (error instanceof LeonardoApiError) {
		if (error.statusCode === 429 || error.statusCode >= 500) return true;
		return error.statusCode === 404 && sinceCreateMs < NEW_GENERATION_GRACE_MS;
	}
	// No HTTP answer at all (network error, timeout).
	return error instanceof NodeApiError;
}

/** Whether a finished lookup ends the wait: returns the record for COMPLETE, throws for failures. */
function settle(ctx: IExecuteFunctions, record: GenerationRecord, target: PollTarget): GenerationRecord | undefined {
	const { generationId, itemIndex } = target;
	if (record.status === 'FAILED') {
		throw new NodeOperationError(ctx.getNode(), `Leonardo reports that generation ${generationId} failed`, {
			itemIndex,
			description: `Leonardo could not make this video (status FAILED). Try another prompt or image; failed generations are normally not charged. ${recoveryHint(generationId)}`,
		});
	}
	if (record.status !== 'COMPLETE') return undefined;
	if (record.outputCount === 0) {
		throw new NodeOperationError(ctx.getNode(), `Generation ${generationId} finished without a video`, {
			itemIndex,
			description: `Leonardo completed the generation but returned no video, which happens when content moderation removes the output. Rephrase the prompt or use another image. ${recoveryHint(generationId)}`,
		});
	}
	if (!record.videoUrl) {
		throw new NodeOperationError(ctx.getNode(), `Generation ${generationId} finished but Leonardo gave no video URL`, {
			itemIndex,
			description: recoveryHint(generationId),
		});
	}
	return record;
}

export async function waitForVideo(ctx: IExecuteFunctions, target: PollTarget, wait: WaitSettings): Promise<GenerationRecord> {
	const { generationId, itemIndex, signal } = target;
	const startedAt = Date.now();
	const deadline = startedAt + wait.timeoutMs;
	let failuresInARow = 0;
	let lastProblem = '';

	while (true) {
		await pause(Math.max(0, Math.min(wait.pollIntervalMs, deadline - Date.now())), signal);
		if (Date.now() >= deadline) break;
		await target.pollLimiter.waitTurn(signal);
		let record: GenerationRecord | null | undefined;
		let failure: unknown;
		try {
			record = readGenerationResponse(await fetchGeneration(ctx, generationId, { itemIndex, signal, baseUrl: target.baseUrl }));
		} catch (error) {
			failure = error;
		}
		if (failure !== undefined) {
			// A cancel passes on as it is; a lasting API failure (a NodeApiError) gets the recovery hint.
			if (failure instanceof WaitCancelledError || signal?.aborted) throw failure;
			if (!isTransient(failure, Date.now() - startedAt)) {
				if (failure instanceof NodeApiError) failure.description = `${failure.description ?? ''} ${recoveryHint(generationId)}`.trim();
				throw failure;
			}
			record = undefined;
			lastProblem = (failure as Error).message;
		}
		target.onPoll?.(record ?? null);

		if (record === null && Date.now() - startedAt >= NEW_GENERATION_GRACE_MS) {
			throw new NodeOperationError(ctx.getNode(), `Leonardo no longer knows generation ${generationId}`, {
				itemIndex,
				description: 'The generation was not found: it may have been deleted. Check the ID, or create it again.',
			});
		}
		if (record) {
			failuresInARow = 0;
			const finished = settle(ctx, record, target);
			if (finished) return finished;
			continue;
		}
		if (record === undefined && !lastProblem) lastProblem = 'Leonardo answered with an unexpected body';
		if (record === undefined && ++failuresInARow >= MAX_CONSECUTIVE_POLL_FAILURES) {
			throw new NodeOperationError(ctx.getNode(), `Could not get the status of generation ${generationId}`, {
				itemIndex,
				description: `${failuresInARow} status checks in a row failed (last: ${lastProblem}). ${recoveryHint(generationId)}`,
			});
		}
		lastProblem = '';
	}

	throw new NodeOperationError(
		ctx.getNode(),
		`Generation ${generationId} did not finish within ${Math.round(wait.timeoutMs / 1000)} seconds`,
		{
			itemIndex,
			description: `Raise "Timeout" in Options, or turn off "Wait for Completion". ${recoveryHint(generationId)}`,
		},
	);
}
