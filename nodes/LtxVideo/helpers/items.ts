/**
 * Runs one operation over all input items: check every item first (bad input fails before ANY
 * request), then run the valid ones with bounded concurrency, keeping input order and pairedItem.
 * With "Continue On Fail" a failed item becomes an error item naming its generation; without it the
 * first failure stops new work, stops the waits of the others, and is reported with the IDs of every
 * generation already created, so nothing paid for is lost.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InvalidInputError, recoveryHint } from '../../shared/errors';
import { WaitCancelledError } from '../../shared/pacing';

/** What one item has reached so far; read when it fails. */
export interface ItemProgress {
	generationId?: string;
	videoUrl?: string;
}

export interface ItemRun<Checked> {
	/** Validates item `itemIndex`; throws InvalidInputError. Must not send requests. */
	check(itemIndex: number): Promise<Checked>;
	/** Does the work for a checked item. `signal` fires on cancel or when a sibling failed. */
	run(checked: Checked, itemIndex: number, progress: ItemProgress, signal: AbortSignal): Promise<INodeExecutionData>;
	concurrency: number;
}

type Outcome = { json: IDataObject; binary?: INodeExecutionData['binary'] } | { error: Error };

function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number, progress: ItemProgress): Error {
	if (error instanceof InvalidInputError) {
		return new NodeOperationError(ctx.getNode(), `${error.message} [item ${itemIndex}]`, { itemIndex, description: error.fix });
	}
	const nodeError: Error & { description?: string | null } =
		error instanceof Error ? error : new NodeOperationError(ctx.getNode(), String(error), { itemIndex });
	if (progress.generationId && !`${nodeError.message} ${nodeError.description ?? ''}`.includes(progress.generationId)) {
		nodeError.description = `${nodeError.description ?? ''} ${recoveryHint(progress.generationId)}`.trim();
	}
	return nodeError;
}

export async function runItems<Checked>(ctx: IExecuteFunctions, spec: ItemRun<Checked>): Promise<INodeExecutionData[]> {
	const itemCount = ctx.getInputData().length;
	const continueOnFail = ctx.continueOnFail();
	const outcomes: Outcome[] = new Array(itemCount);
	const progress: ItemProgress[] = Array.from({ length: itemCount }, () => ({}));

	// Phase 1: check everything before the first request.
	const checked: Array<Checked | undefined> = new Array(itemCount);
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		try {
			checked[itemIndex] = await spec.check(itemIndex);
		} catch (error) {
			const failure = asNodeError(ctx, error, itemIndex, progress[itemIndex]);
			if (!continueOnFail) throw failure;
			outcomes[itemIndex] = { error: failure };
		}
	}

	// Phase 2: the work, at most `concurrency` items at a time.
	const stopSiblings = new AbortController();
	const cancel = ctx.getExecutionCancelSignal();
	const signal = cancel ? AbortSignal.any([cancel, stopSiblings.signal]) : stopSiblings.signal;
	let firstFailure: { itemIndex: number; error: Error } | undefined;
	let next = 0;
	const worker = async () => {
		while (next < itemCount && !firstFailure && !signal.aborted) {
			const itemIndex = next++;
			const item = checked[itemIndex];
			if (outcomes[itemIndex] || item === undefined) continue;
			try {
				outcomes[itemIndex] = await spec.run(item, itemIndex, progress[itemIndex], signal);
			} catch (error) {
				// A stop of the whole execution is reported once, below; a sibling's failure is reported instead.
				if (cancel?.aborted || error instanceof WaitCancelledError) return;
				const failure = asNodeError(ctx, error, itemIndex, progress[itemIndex]);
				if (continueOnFail) {
					outcomes[itemIndex] = { error: failure };
				} else if (!firstFailure) {
					firstFailure = { itemIndex, error: failure };
					stopSiblings.abort();
				}
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(spec.concurrency, itemCount) }, worker));

	if (cancel?.aborted) {
		const created = progress.filter((entry) => entry.generationId).map((entry) => entry.generationId);
		throw new NodeOperationError(ctx.getNode(), 'The execution was stopped', {
			description: created.length
				? `Generations already created, which you can fetch later with "Get": ${created.join(', ')}.`
				: 'No generation had been created yet.',
		});
	}

	if (firstFailure) {
		const others = progress
			.map((entry, itemIndex) => ({ ...entry, itemIndex }))
			.filter((entry) => entry.generationId && entry.itemIndex !== firstFailure!.itemIndex)
			.map((entry) => `${entry.generationId} (item ${entry.itemIndex})`);
		if (others.length) {
			const error = firstFailure.error as Error & { description?: string | null };
			error.description = `${error.description ?? ''} Other generations created in this run, which you can fetch with "Get": ${others.join(', ')}.`.trim();
		}
		throw firstFailure.error;
	}

	return outcomes.map((outcome, itemIndex) => {
		if ('error' in outcome) {
			const { error } = outcome as { error: Error & { description?: string | null } };
			return {
				json: {
					error: error.message,
					...(error.description ? { errorDescription: error.description } : {}),
					...(progress[itemIndex].generationId ? { generationId: progress[itemIndex].generationId } : {}),
					...(progress[itemIndex].videoUrl ? { videoUrl: progress[itemIndex].videoUrl } : {}),
				},
				pairedItem: { item: itemIndex },
			};
		}
		return { ...outcome, pairedItem: { item: itemIndex } };
	});
}
