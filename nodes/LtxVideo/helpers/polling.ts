/**
 * Waits for a generation to finish by polling GET /v1/generations/{id}. Transient trouble right
 * after a create (404, `generations_by_pk: null`, 5xx, 429, network) counts as "still pending";
 * only a bounded run of consecutive failures, a terminal status or the timeout ends the wait.
 * A 429 delays the next check by its Retry-After (or a growing pause) and is not counted as a failure.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { finalHint, recoveryHint } from '../../shared/errors';
import { fetchGeneration, isPassingLookupFailure } from '../../shared/lookup';
import { type GenerationRecord, readGenerationResponse } from '../../shared/responses';
import type { WaitSettings } from '../../shared/validation';
import { pause, WaitCancelledError } from '../../shared/pacing';
import type { RateLimiter } from './rateLimiter';
import { LeonardoApiError, type NodeContext, RATE_LIMIT_WAITS_MS } from '../../shared/transport';

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
}

function isTransient(error: unknown, sinceCreateMs: number): boolean {
	if (error instanceof LeonardoApiError && error.statusCode === 404) return sinceCreateMs < NEW_GENERATION_GRACE_MS;
	return isPassingLookupFailure(error);
}

/** Whether a finished lookup ends the wait: returns the record for COMPLETE, throws for failures (also used on a paused execution's resume). */
export function settle(ctx: NodeContext, record: GenerationRecord, target: { generationId: string; itemIndex: number }): GenerationRecord | undefined {
	const { generationId, itemIndex } = target;
	if (record.status === 'FAILED') {
		throw new NodeOperationError(ctx.getNode(), `Leonardo reports that generation ${generationId} failed`, {
			itemIndex,
			description: `Leonardo could not make this video (status FAILED). Try another prompt or image. Whether Leonardo bills a failed generation is not documented. ${finalHint(generationId)}`,
		});
	}
	if (record.status !== 'COMPLETE') return undefined;
	if (record.outputCount === 0) {
		throw new NodeOperationError(ctx.getNode(), `Generation ${generationId} finished without a video`, {
			itemIndex,
			description: `Leonardo completed the generation but returned no video and gave no reason; the only reported cause is content moderation removing the output. Rephrase the prompt or use another image. ${finalHint(generationId)}`,
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

/** A problem to count; `waitMs` when Leonardo asked for a longer pause (429). */
type Lookup = { record: GenerationRecord | null } | { problem: string; waitMs?: number };

/** One status lookup. Transient trouble comes back as a problem to count; anything else is thrown. */
async function lookUp(ctx: IExecuteFunctions, target: PollTarget, sinceStartMs: number, rateLimitedInARow: number): Promise<Lookup> {
	const { generationId, itemIndex, signal, baseUrl } = target;
	let body: unknown;
	let failed = false;
	let failure: unknown;
	try {
		body = await fetchGeneration(ctx, generationId, { itemIndex, signal, baseUrl });
	} catch (error) {
		failed = true;
		failure = error;
	}
	// Decided outside the catch: callApi rejects only with NodeApiError or a cancel, passed on as they are.
	// A lasting failure (e.g. 401) gets its recovery hint from runItems, like every error after a create.
	if (failed) {
		if (failure instanceof WaitCancelledError || signal?.aborted || !isTransient(failure, sinceStartMs)) throw failure;
		return { problem: (failure as Error).message, waitMs: rateLimitWait(failure, rateLimitedInARow) };
	}
	const record = readGenerationResponse(body);
	return record === undefined ? { problem: 'Leonardo answered with an unexpected body' } : { record };
}

/** After a 429: its Retry-After, else a growing pause over Leonardo's one-minute rate window. */
function rateLimitWait(failure: unknown, rateLimitedInARow: number): number | undefined {
	if (!(failure instanceof LeonardoApiError) || failure.statusCode !== 429) return undefined;
	return failure.retryAfterMs ?? RATE_LIMIT_WAITS_MS[Math.min(rateLimitedInARow, RATE_LIMIT_WAITS_MS.length - 1)];
}

export async function waitForVideo(ctx: IExecuteFunctions, target: PollTarget, wait: WaitSettings): Promise<GenerationRecord> {
	const { generationId, itemIndex, signal } = target;
	const startedAt = Date.now();
	const deadline = startedAt + wait.timeoutMs;
	let failuresInARow = 0;
	let rateLimitedInARow = 0;
	let nextWaitMs = wait.pollIntervalMs;

	while (true) {
		await pause(Math.max(0, Math.min(nextWaitMs, deadline - Date.now())), signal);
		if (Date.now() >= deadline) break;
		await target.pollLimiter.waitTurn(signal);
		const lookup = await lookUp(ctx, target, Date.now() - startedAt, rateLimitedInARow);
		nextWaitMs = wait.pollIntervalMs;

		if ('problem' in lookup) {
			if (lookup.waitMs !== undefined) {
				// Rate-limited: honour Retry-After (or back off), and do not count it against the failure limit.
				rateLimitedInARow++;
				nextWaitMs = Math.max(wait.pollIntervalMs, lookup.waitMs);
				continue;
			}
			if (++failuresInARow >= MAX_CONSECUTIVE_POLL_FAILURES) {
				throw new NodeOperationError(ctx.getNode(), `Could not get the status of generation ${generationId}`, {
					itemIndex,
					description: `${failuresInARow} status checks in a row failed (last: ${lookup.problem}). ${recoveryHint(generationId)}`,
				});
			}
			continue;
		}
		failuresInARow = 0;
		rateLimitedInARow = 0;
		if (lookup.record === null) {
			// Unknown right after the create is normal for a while; later it means deleted.
			if (Date.now() - startedAt < NEW_GENERATION_GRACE_MS) continue;
			throw new NodeOperationError(ctx.getNode(), `Leonardo no longer knows generation ${generationId}`, {
				itemIndex,
				description: 'The generation was not found: it may have been deleted. Check the ID, or create it again.',
			});
		}
		const finished = settle(ctx, lookup.record, target);
		if (finished) return finished;
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
