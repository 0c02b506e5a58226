/**
 * Runs one operation over all input items: check every item first (bad input fails before ANY
 * request), then run the valid ones with bounded concurrency, keeping input order and pairedItem.
 * With On Error → Continue a failed item becomes an error item naming its generation. Without it, the
 * first failure stops new work (nothing more is created), lets generations already created finish
 * within their own timeout, and is reported with every created generation's status and link, so
 * nothing paid for is left unnamed.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InvalidInputError, recoveryHint } from '../../shared/errors';
import { WaitCancelledError } from '../../shared/pacing';

/** What one item has reached so far; read when it fails. */
export interface ItemProgress {
	/** A create request went out: without a generation ID its outcome is unknown. */
	createSent?: boolean;
	generationId?: string;
	videoUrl?: string;
}

export interface ItemSignals {
	/** The execution was stopped: end at once. */
	cancel: AbortSignal;
	/**
	 * Also fires when another item failed and the node will stop (no Continue): start nothing that is
	 * paid for (a create) or only useful in the output (a download); let what is paid for finish.
	 */
	stopNew: AbortSignal;
}

export interface ItemRun<Checked> {
	/** Validates item `itemIndex`; throws InvalidInputError. Must not send requests. */
	check(itemIndex: number): Promise<Checked>;
	/** Does the work for a checked item: one output item, or several (Get Many). */
	run(checked: Checked, itemIndex: number, progress: ItemProgress, signals: ItemSignals): Promise<INodeExecutionData | INodeExecutionData[]>;
	/** Items at a time; a function is asked once, after the checks, only when some item passed them. */
	concurrency: number | (() => Promise<number>);
	/** Runs once over the output of all items (e.g. to park the execution); its result is the node's output. */
	finish?(items: INodeExecutionData[]): Promise<INodeExecutionData[]>;
}

/** Items checked at the same time (a check reads binary data or downloads a frame link). */
const CHECK_CONCURRENCY = 4;

type NodeError = Error & { description?: string | null };
type Failure = { error: NodeError };
type Outcome = INodeExecutionData | INodeExecutionData[] | Failure;
const isFailure = (outcome: Outcome | undefined): outcome is Failure => !!outcome && !Array.isArray(outcome) && 'error' in outcome && !!outcome.error;

function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number, progress: ItemProgress): NodeError {
	if (error instanceof InvalidInputError) {
		return new NodeOperationError(ctx.getNode(), `${error.message} [item ${itemIndex}]`, { itemIndex, description: error.fix });
	}
	const nodeError: NodeError = error instanceof Error ? error : new NodeOperationError(ctx.getNode(), String(error), { itemIndex });
	if (progress.generationId && !`${nodeError.message} ${nodeError.description ?? ''}`.includes(progress.generationId)) {
		nodeError.description = `${nodeError.description ?? ''} ${recoveryHint(progress.generationId)}`.trim();
	}
	return nodeError;
}

/**
 * A failed item: `{ error, details: { description, generationId, videoUrl } }` in every Continue mode, so an
 * error branch reads `$json.details.generationId`. Under "Continue (using error output)" n8n's
 * WorkflowExecute must also move it to the error output: n8n 2.x does that for json holding nothing but
 * `error`, `message` and `details`; n8n 1.x only for an item-level `error` (or json of exactly `{error}` or
 * `{error, message}`). Both lines route on `item.error`, but n8n replaces the json of an output item that
 * still has it with the message alone. Routing copies the item with a spread (to add the input item's
 * fields) and a spread drops a non-enumerable property: so `error` is set non-enumerable, routes the item,
 * and the copy on the error output keeps its json (checked in real n8n 2.41.1 and 1.123.81; only an item
 * whose input item n8n cannot find is not copied and keeps the message alone).
 */
function errorItem(error: NodeError, progress: ItemProgress, itemIndex: number, toErrorOutput: boolean): INodeExecutionData {
	const details: IDataObject = {};
	if (error.description) details.description = error.description;
	if (progress.generationId) details.generationId = progress.generationId;
	if (progress.videoUrl) details.videoUrl = progress.videoUrl;
	const item: INodeExecutionData = { json: { error: error.message, details }, pairedItem: { item: itemIndex } };
	// Writable: some n8n versions clear it (`item.error = undefined`) after routing.
	if (toErrorOutput) Object.defineProperty(item, 'error', { value: error, enumerable: false, writable: true, configurable: true });
	return item;
}

/**
 * One line per item that reached Leonardo's create (or looked a generation up), for the error that
 * ends the node: its generation, status and link, or why it has none.
 */
function batchReport(outcomes: Array<Outcome | undefined>, progress: ItemProgress[], exceptItem: number): string[] {
	const lines: string[] = [];
	outcomes.forEach((outcome, itemIndex) => {
		const { generationId, createSent } = progress[itemIndex];
		if (itemIndex === exceptItem || !(generationId || createSent) || Array.isArray(outcome)) return;
		const generation = generationId ? `generation ${generationId}` : 'no generation ID';
		if (isFailure(outcome)) {
			lines.push(`item ${itemIndex}: ${generation}, failed: ${outcome.error.message}`);
		} else if (outcome) {
			const { status, videoUrl } = outcome.json;
			lines.push(`item ${itemIndex}: ${generation}, ${String(status ?? 'done')}${videoUrl ? `, video ${String(videoUrl)}` : ''}`);
		} else if (generationId) {
			lines.push(`item ${itemIndex}: ${generation}, not finished (fetch it later with "Get")`);
		} else {
			lines.push(`item ${itemIndex}: create request sent, no answer yet: check your Leonardo library before running it again`);
		}
	});
	return lines;
}

export async function runItems<Checked>(ctx: IExecuteFunctions, spec: ItemRun<Checked>): Promise<INodeExecutionData[]> {
	const itemCount = ctx.getInputData().length;
	const continueOnFail = ctx.continueOnFail();
	const toErrorOutput = ctx.getNode().onError === 'continueErrorOutput';
	// Not `new Array(n)`: forEach and filter skip its holes, i.e. exactly the items that never finished.
	const outcomes: Array<Outcome | undefined> = Array.from({ length: itemCount }, () => undefined);
	const progress: ItemProgress[] = Array.from({ length: itemCount }, () => ({}));

	// Phase 1: check everything before the first request to Leonardo. A few items at a time, since a
	// check may download a frame link; the first bad item in input order is the one reported.
	const checked: Array<Checked | undefined> = new Array(itemCount);
	const checkFailures: Array<NodeError | undefined> = new Array(itemCount);
	let nextCheck = 0;
	const checker = async () => {
		while (nextCheck < itemCount) {
			const itemIndex = nextCheck++;
			try {
				checked[itemIndex] = await spec.check(itemIndex);
			} catch (error) {
				checkFailures[itemIndex] = asNodeError(ctx, error, itemIndex, progress[itemIndex]);
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(CHECK_CONCURRENCY, itemCount) }, checker));
	checkFailures.forEach((failure, itemIndex) => {
		if (!failure) return;
		if (!continueOnFail) throw failure;
		outcomes[itemIndex] = { error: failure };
	});

	// Phase 2: the work, at most `concurrency` items at a time.
	const stopping = new AbortController();
	const cancel = ctx.getExecutionCancelSignal() ?? new AbortController().signal;
	const signals: ItemSignals = { cancel, stopNew: AbortSignal.any([cancel, stopping.signal]) };
	let firstFailure: { itemIndex: number; error: NodeError } | undefined;
	let next = 0;
	const worker = async () => {
		while (next < itemCount && !signals.stopNew.aborted) {
			const itemIndex = next++;
			const item = checked[itemIndex];
			if (outcomes[itemIndex] || item === undefined) continue;
			try {
				outcomes[itemIndex] = await spec.run(item, itemIndex, progress[itemIndex], signals);
			} catch (error) {
				// A stop of the whole execution is reported once, below; so is an item that stopped
				// before creating anything because another item failed.
				if (cancel.aborted || error instanceof WaitCancelledError) continue;
				const failure = asNodeError(ctx, error, itemIndex, progress[itemIndex]);
				if (continueOnFail || firstFailure) {
					outcomes[itemIndex] = { error: failure };
				} else {
					firstFailure = { itemIndex, error: failure };
					stopping.abort();
				}
			}
		}
	};
	const concurrency = typeof spec.concurrency === 'number' ? spec.concurrency : checked.some((item) => item !== undefined) ? await spec.concurrency() : 1;
	await Promise.all(Array.from({ length: Math.min(concurrency, itemCount) }, worker));

	if (cancel.aborted) {
		const report = batchReport(outcomes, progress, -1);
		throw new NodeOperationError(ctx.getNode(), 'The execution was stopped', {
			description: report.length
				? `What the items had reached (fetch created generations later with "Get"): ${report.join('; ')}.`
				: 'No generation had been created yet.',
		});
	}

	if (firstFailure) {
		const { error, itemIndex } = firstFailure;
		const report = batchReport(outcomes, progress, itemIndex);
		const stoppedEarly = outcomes.filter((outcome, index) => !outcome && !progress[index].createSent && index !== itemIndex).length;
		if (report.length || stoppedEarly) {
			const others = report.length ? ` The other items (generations already created were waited for): ${report.join('; ')}.` : '';
			const skipped = stoppedEarly ? ` ${stoppedEarly} other item(s) created nothing: not started, or stopped before their create request.` : '';
			error.description = `${error.description ?? ''}${others}${skipped} To keep every item's result in a batch, set Settings → On Error → Continue.`.trim();
		}
		throw error;
	}

	return outcomes.flatMap((outcome, itemIndex) => {
		if (Array.isArray(outcome)) return outcome.map((item) => ({ ...item, pairedItem: { item: itemIndex } }));
		return isFailure(outcome) ? errorItem(outcome.error, progress[itemIndex], itemIndex, toErrorOutput) : { ...outcome!, pairedItem: { item: itemIndex } };
	});
}
