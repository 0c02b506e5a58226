/**
 * The end of a paused Generate: every parked generation read from Leonardo (nothing in the resume call
 * is trusted), and, once none is pending, the output items: the MP4 downloaded (streamed) for each
 * COMPLETE one, an error item for each that failed. Runs in `webhook()` (a call of the resume URL) or
 * in `execute()` when every generation had finished before the node parked. Never throws: `webhook()`
 * must not (n8n would answer 500 and break the run), so a failure comes back as `failure` for the caller.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { downloadGenerationFiles } from '../../shared/download';
import { lookUpGeneration } from '../../shared/lookup';
import { generationJson, type KnownRequestFacts } from '../../shared/output';
import type { GenerationRecord } from '../../shared/responses';
import type { NodeContext } from '../../shared/transport';
import type { OutputSettings } from '../../shared/validation';
import { settle } from './polling';

const PARKED_KEY = 'ltxVideoParked';

/** What a parked item keeps of its generation: the submitted output and how to finish it. */
export interface ParkedGeneration extends IDataObject {
	generationId: string;
	/** The output json as submitted (status PENDING, the request's facts, a notice). */
	submitted: IDataObject;
	/** The item's output settings (Download Video, its field, Download Poster Image, File Name). */
	output: OutputSettings & IDataObject;
}

export function parkedItem(generation: ParkedGeneration, itemIndex: number): INodeExecutionData {
	return { json: { [PARKED_KEY]: generation }, pairedItem: { item: itemIndex } };
}

const parkedGenerationOf = (item: INodeExecutionData): ParkedGeneration | undefined => {
	const parked = item.json?.[PARKED_KEY] as ParkedGeneration | undefined;
	return parked && typeof parked.generationId === 'string' ? parked : undefined;
};

export const parkedGenerationIds = (items: INodeExecutionData[]): string[] =>
	items.map(parkedGenerationOf).flatMap((parked) => (parked ? [parked.generationId] : []));

export function continuesOnFail(node: INode): boolean {
	if (node.onError === undefined) return node.continueOnFail === true;
	return node.onError === 'continueRegularOutput' || node.onError === 'continueErrorOutput';
}

export type ReadStatuses = { pending: string } | { records: Map<string, GenerationRecord> };

/**
 * Every parked generation's record, looked up one by one; stops at the first that is not final
 * (`pending` says which and why: nothing is decided while one is pending).
 */
export async function readStatuses(ctx: NodeContext, items: INodeExecutionData[], baseUrl: string): Promise<ReadStatuses> {
	const records = new Map<string, GenerationRecord>();
	for (const [itemIndex, item] of items.entries()) {
		const parked = parkedGenerationOf(item);
		if (!parked) continue;
		let record: GenerationRecord | null | undefined;
		try {
			record = await lookUpGeneration(ctx, parked.generationId, { itemIndex, baseUrl });
		} catch (error) {
			return { pending: `looking up generation ${parked.generationId} failed: ${(error as Error).message}` };
		}
		if (!record || (record.status !== 'COMPLETE' && record.status !== 'FAILED')) {
			return { pending: `generation ${parked.generationId} is ${record ? record.status : 'not readable yet'}` };
		}
		records.set(parked.generationId, record);
	}
	return { records };
}

/** An error item as the batch runner makes them: json of nothing but `error` and `details`, so n8n 2.x routes it to the error output. */
function errorItem(error: Error & { description?: string | null }, parked: ParkedGeneration, itemIndex: number): INodeExecutionData {
	const details: IDataObject = { generationId: parked.generationId };
	if (error.description) details.description = error.description;
	return { json: { error: error.message, details }, pairedItem: { item: itemIndex } };
}

/** One finished item: its output json (and MP4), or the error that ended it. */
async function finishItem(ctx: NodeContext, parked: ParkedGeneration, record: GenerationRecord, itemIndex: number, baseUrl: string): Promise<INodeExecutionData> {
	const { generationId } = parked;
	const { submitted } = parked;
	const facts: KnownRequestFacts = {
		model: submitted.model as string | undefined,
		prompt: submitted.prompt as string | undefined,
		seed: submitted.seed as number | undefined,
		width: submitted.width as number | undefined,
		height: submitted.height as number | undefined,
		cost: submitted.cost as KnownRequestFacts['cost'],
	};
	const finished = settle(ctx, record, { generationId, itemIndex })!;
	const json: IDataObject = { ...generationJson(finished, facts), ...(submitted.spentThisRun === undefined ? {} : { spentThisRun: submitted.spentThisRun }) };
	const files = await downloadGenerationFiles(ctx, finished, parked.output, { itemIndex, baseUrl });
	const notices = [submitted.notice, files.notice].filter((text): text is string => typeof text === 'string');
	if (notices.length > 0) json.notice = notices.join(' ');
	return { json, ...(files.binary ? { binary: files.binary } : {}), pairedItem: { item: itemIndex } };
}

export interface FinishedBatch {
	items: INodeExecutionData[];
	/** Set when an item failed and the node does not continue on errors: the node fails with it. */
	failure?: string;
}

/** The output for parked items whose generations are all final (`records` from readStatuses). */
export async function finishParked(ctx: NodeContext, items: INodeExecutionData[], records: Map<string, GenerationRecord>, baseUrl: string): Promise<FinishedBatch> {
	const output: INodeExecutionData[] = [];
	const failures: string[] = [];
	const lines: string[] = [];
	for (const [itemIndex, item] of items.entries()) {
		const parked = parkedGenerationOf(item);
		if (!parked) {
			output.push({ json: item.json, pairedItem: { item: itemIndex } });
			continue;
		}
		try {
			const finished = await finishItem(ctx, parked, records.get(parked.generationId)!, itemIndex, baseUrl);
			output.push(finished);
			lines.push(`item ${itemIndex}: generation ${parked.generationId}, ${String(finished.json.status)}, video ${String(finished.json.videoUrl)}`);
		} catch (error) {
			const failed = errorItem(error as Error, parked, itemIndex);
			output.push(failed);
			failures.push(`${(error as Error).message} [item ${itemIndex}]`);
			lines.push(`item ${itemIndex}: generation ${parked.generationId}, failed`);
		}
	}
	if (failures.length === 0 || continuesOnFail(ctx.getNode())) return { items: output };
	const others = lines.filter((line) => !line.endsWith('failed'));
	const failure = `${failures.join('; ')}.${others.length ? ` The other items: ${others.join('; ')}.` : ''} To keep every item's result, set Settings → On Error → Continue.`;
	return { items: output, failure };
}

/** The error that ends a parked node whose wait ran out: every generation still waited for. */
export function timeoutMessage(generationIds: string[], timeoutSeconds: number): string {
	const ids = generationIds.join(', ');
	return `No callback resumed this execution within ${timeoutSeconds} seconds ("Pause Execution"): generation(s) ${ids}. They may still finish: fetch each with "Get". Check that the LTX Video Trigger of the credential's Trigger URL is published and receives this API key's callbacks.`;
}
