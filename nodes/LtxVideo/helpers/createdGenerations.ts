/**
 * The generations this node run has created, so that a retry resumes them instead of paying again.
 * Two kinds of retry re-run the node with what the failed try left in its node context
 * (`getContext('node')`, kept in the execution's run data per node):
 * - Retry On Fail: n8n-core (WorkflowExecute.runNode loop) calls `execute()` again inside the same
 *   execution, in the same process (in queue mode: on the same worker), with the same run index.
 * - The executions list's Retry (`POST /rest/executions/:id/retry`, with the original or the currently
 *   saved workflow): n8n's ExecutionService starts a NEW execution ID from the failed execution's data,
 *   `executionData.contextData` included, after popping the failed run of the failed node, so that node
 *   runs again with the SAME run index.
 * Every other start gets an empty context: a new execution, and a manual or partial run in the editor
 * (n8n-core's run()/runPartialWorkflow2 build fresh run data). So the record is scoped to the run index
 * only, not the execution ID: a later run of the node in the same execution (a loop, a second branch)
 * has another run index and is a new request; a retry of the failed run finds what it created.
 *
 * Entries are found by the item's position alone: every try evaluates the item's expressions again,
 * so a random seed, `{{ $now }}` or another link must not turn a retry into a second create (the frames
 * of an item found here are not read or downloaded at all). A digest of the request is kept beside the
 * entry only to say, on resume, that the request changed since (its new values were not used).
 *
 * Size: one entry (about 200 bytes) per input item of the current run index; an older run index's
 * entries are dropped when the node runs again. No age limit: the record lives only in this
 * execution's data and its retries, and a user may press Retry days later.
 */
import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { GenerateRequest } from './generateRequest';
import type { GenerationCost } from '../../shared/responses';

/** What a try recorded for one item's create request. */
export interface CreatedGenerationEntry {
	/** Set once Leonardo answered with an ID; absent while the outcome of a sent create is unknown. */
	generationId?: string;
	cost?: GenerationCost;
	width?: number;
	height?: number;
	/** The model and seed that were sent: the output's facts when a retry's request differs. */
	model?: string;
	seed?: number;
	/** When the create was sent (ms since epoch). */
	sentAt: number;
	/** requestDigest() of the request that was sent. */
	request: string;
}

interface StoredRecord extends IDataObject {
	runIndex: number;
	/** By item index. */
	entries: Record<string, CreatedGenerationEntry & IDataObject>;
}

const CONTEXT_KEY = 'ltxCreatedGenerations';

/**
 * A digest of what the item asks for: the validated request, whose frames are named by their source
 * (binary property, link, Leonardo image ID), not by their bytes. Only used to notice a changed request.
 */
export function requestDigest(request: GenerateRequest): string {
	return createHash('sha256').update(JSON.stringify(request)).digest('hex').slice(0, 32);
}

export class CreatedGenerations {
	private constructor(private readonly record: StoredRecord | undefined) {}

	/** The record of this run of the node; a disabled record when n8n offers no node context. */
	static open(ctx: IExecuteFunctions): CreatedGenerations {
		let context: IDataObject;
		let runIndex: number;
		try {
			context = ctx.getContext('node') as IDataObject;
			runIndex = ctx.getWorkflowDataProxy(0).$runIndex as number;
		} catch {
			return new CreatedGenerations(undefined);
		}
		const stored = context[CONTEXT_KEY] as Partial<StoredRecord> | undefined;
		// Another run index (or a record of an older version of the node, scoped differently): a new request.
		if (stored?.runIndex !== runIndex || typeof stored.entries !== 'object' || stored.entries === null) {
			context[CONTEXT_KEY] = { runIndex, entries: {} } satisfies StoredRecord;
		}
		return new CreatedGenerations(context[CONTEXT_KEY] as StoredRecord);
	}

	find(itemIndex: number): CreatedGenerationEntry | undefined {
		return this.record?.entries[itemIndex];
	}

	/** Everything earlier tries of this node run recorded (their generations are resumed, not created again). */
	entries(): CreatedGenerationEntry[] {
		return Object.values(this.record?.entries ?? {});
	}

	/** Called just before the create request goes out: from here on its outcome may be a paid video. */
	markSent(itemIndex: number, digest: string): void {
		if (this.record) this.record.entries[itemIndex] = { sentAt: Date.now(), request: digest };
	}

	markCreated(itemIndex: number, created: Omit<CreatedGenerationEntry, 'sentAt' | 'request'>): void {
		const entry = this.find(itemIndex);
		if (entry) Object.assign(entry, JSON.parse(JSON.stringify(created)) as IDataObject);
	}

	/** Leonardo refused the create (an answer that creates nothing): a retry may send it again. */
	forget(itemIndex: number): void {
		if (this.record) delete this.record.entries[itemIndex];
	}
}
