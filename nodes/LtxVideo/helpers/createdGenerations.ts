/**
 * The generations this node run has created, so that n8n's "Retry On Fail" resumes them instead of
 * paying again. n8n-core (WorkflowExecute.runNode loop) retries a failed node inside the same
 * execution, in the same process (in queue mode: on the same worker), with the same run index and
 * the same run data; only `execute()` is called again. The node context (`getContext('node')`) lives
 * in that run data, per execution and per node, so it is the one place a retry can see what the
 * failed try created. Entries are scoped to the execution ID and run index (a later run of the node
 * in a loop is a new request, not a retry), bounded in number and age.
 */
import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { POLLING_LIMITS } from '../../shared/capabilities';
import type { GenerateRequest } from '../../shared/generateRequest';
import type { GenerationCost } from '../../shared/generations';

/** What a try recorded for one item's create request. */
export interface CreatedGenerationEntry {
	/** Set once Leonardo answered with an ID; absent while the outcome of a sent create is unknown. */
	generationId?: string;
	cost?: GenerationCost;
	width?: number;
	height?: number;
	/** When the create was sent (ms since epoch). */
	sentAt: number;
}

interface StoredRecord extends IDataObject {
	scope: string;
	entries: Record<string, CreatedGenerationEntry & IDataObject>;
}

const CONTEXT_KEY = 'ltxCreatedGenerations';
/** More than any batch needs; beyond it the oldest entries go (their items would be created again). */
export const MAX_ENTRIES = 10_000;
/** n8n makes at most 5 tries, each of which may wait up to the longest timeout. */
export const MAX_AGE_MS = 5 * POLLING_LIMITS.maxTimeoutSeconds * 1000;

/** A digest of what the item asks for: the validated request and the bytes of its frame images. */
export function requestDigest(request: GenerateRequest, images: { start?: { bytes: Buffer }; end?: { bytes: Buffer } }): string {
	const hash = createHash('sha256').update(JSON.stringify(request));
	for (const image of [images.start, images.end]) hash.update('\0').update(image ? createHash('sha256').update(image.bytes).digest('hex') : '-');
	return hash.digest('hex');
}

export class CreatedGenerations {
	private constructor(private readonly record: StoredRecord | undefined) {}

	/** The record of this execution's run of the node; a disabled record when n8n offers no node context. */
	static open(ctx: IExecuteFunctions): CreatedGenerations {
		let context: IDataObject;
		let scope: string;
		try {
			context = ctx.getContext('node') as IDataObject;
			scope = `${ctx.getExecutionId()}:${ctx.getWorkflowDataProxy(0).$runIndex as number}`;
		} catch {
			return new CreatedGenerations(undefined);
		}
		const stored = context[CONTEXT_KEY] as StoredRecord | undefined;
		if (!stored || stored.scope !== scope || typeof stored.entries !== 'object' || stored.entries === null) {
			context[CONTEXT_KEY] = { scope, entries: {} } satisfies StoredRecord;
		} else {
			const oldest = Date.now() - MAX_AGE_MS;
			for (const [key, entry] of Object.entries(stored.entries)) if (!(entry.sentAt >= oldest)) delete stored.entries[key];
		}
		return new CreatedGenerations(context[CONTEXT_KEY] as StoredRecord);
	}

	private static key(itemIndex: number, digest: string): string {
		return `${itemIndex}:${digest}`;
	}

	find(itemIndex: number, digest: string): CreatedGenerationEntry | undefined {
		return this.record?.entries[CreatedGenerations.key(itemIndex, digest)];
	}

	/** Called just before the create request goes out: from here on its outcome may be a paid video. */
	markSent(itemIndex: number, digest: string): void {
		if (!this.record) return;
		const keys = Object.keys(this.record.entries);
		// Insertion order is the sending order: drop the oldest first.
		for (const key of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES + 1))) delete this.record.entries[key];
		this.record.entries[CreatedGenerations.key(itemIndex, digest)] = { sentAt: Date.now() };
	}

	markCreated(itemIndex: number, digest: string, created: Omit<CreatedGenerationEntry, 'sentAt'>): void {
		const entry = this.find(itemIndex, digest);
		if (entry) Object.assign(entry, JSON.parse(JSON.stringify(created)) as IDataObject);
	}

	/** Leonardo refused the create (an answer that creates nothing): a retry may send it again. */
	forget(itemIndex: number, digest: string): void {
		if (this.record) delete this.record.entries[CreatedGenerations.key(itemIndex, digest)];
	}
}
