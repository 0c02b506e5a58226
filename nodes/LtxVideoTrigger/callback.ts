/**
 * Leonardo's webhook envelope (leonardo-api.md §5) and the memory of callbacks already handled.
 *
 * Only the image envelope is documented (`type`, `object`, `timestamp`, `api_version`, `data.object`
 * with `id`, `status`, `images[]` and an `apiKey` object that echoes the API key). For videos it is
 * unknown, so only the generation ID is taken from it; everything else comes from
 * GET /v1/generations/{id}. Nothing else of the body is kept: `data.object.apiKey` holds the key.
 * The body is not authenticated unless the credential has a Webhook Callback API Key, so the texts
 * taken from it (`type`, `status`, a reason, the cost) are quoted safely: capped, with the secrets redacted.
 */
import type { IDataObject } from 'n8n-workflow';

import { QUOTE_MAX_LENGTH, quoteSafely } from '../shared/errors';
import { UUID_PATTERN } from '../shared/validation';

export interface Callback {
	generationId: string;
	/** The envelope's `type`, e.g. `image_generation.complete`; absent when the envelope has none. */
	event?: string;
	/** The envelope's `data.object.status` (the lookup's status is the one that counts). */
	status?: string;
	/** A failure reason, if the envelope carries one under a usual name. */
	reason?: string;
	/** `data.object.apiDollarCost` (documented in the envelope; the lookup has no cost). */
	cost?: { amount: string; unit: 'DOLLARS' };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
/** Event names, statuses and amounts are short; a longer one is cut like any quote. */
const NAME_MAX_LENGTH = 100;
const uuid = (value: unknown) => {
	const id = text(value);
	return id && UUID_PATTERN.test(id) ? id : undefined;
};

/** Names a failure reason has had in Leonardo-like payloads; none is documented. */
const REASON_KEYS = ['failedReason', 'failureReason', 'statusReason', 'reason', 'error'];

function failureReason(source: Record<string, unknown>): string | undefined {
	for (const key of REASON_KEYS) {
		const value = source[key];
		const reason = text(value) ?? (isRecord(value) ? text(value.message) : undefined);
		if (reason) return reason;
	}
	return undefined;
}

/**
 * The generation a callback is about: `data.object.id`, else the `generationId` of its first image
 * (`images` as documented, or `generated_images` as in the lookup). A string says why the body is unusable.
 * `secrets`: the credential's API key and Webhook Callback API Key, never quoted.
 */
export function readCallback(body: unknown, secrets: readonly string[] = []): Callback | string {
	if (!isRecord(body)) return 'the body is not a JSON object';
	const data = isRecord(body.data) ? body.data : undefined;
	const object = data && isRecord(data.object) ? data.object : undefined;
	if (!object) return 'the body has no data.object';
	const images = [object.images, object.generated_images].find(Array.isArray) as unknown[] | undefined;
	const firstImage = images?.find(isRecord);
	const generationId = uuid(object.id) ?? uuid(firstImage?.generationId);
	if (!generationId) return 'data.object has no generation ID (a UUID in "id" or in an image\'s "generationId")';
	const dollars = typeof object.apiDollarCost === 'number' && Number.isFinite(object.apiDollarCost) ? String(object.apiDollarCost) : text(object.apiDollarCost);
	const quote = (value: string | undefined, length = NAME_MAX_LENGTH) => (value === undefined ? undefined : quoteSafely(value, secrets, length));
	const amount = quote(dollars);
	return {
		generationId,
		event: quote(text(body.type)),
		status: quote(text(object.status)),
		reason: quote(failureReason(object), QUOTE_MAX_LENGTH),
		cost: amount ? { amount, unit: 'DOLLARS' } : undefined,
	};
}

/** Enough for hours of callbacks at Leonardo's default rate limits, small in the workflow's static data. */
export const REMEMBERED_IDS = 500;

/**
 * Per trigger node (`scope`), in this process: the IDs an execution was started for, and the IDs whose
 * callback is still waiting for its record. The static data alone is not enough: each webhook call loads
 * it at its start and n8n saves it whole when the call ends, so calls that overlap (copies sent at once,
 * or a redelivery while the first call waits for minutes) do not see each other's marks.
 */
const startedInProcess = new Map<string, string[]>();
const waitingInProcess = new Map<string, Set<string>>();

function remember(list: string[], generationId: string): string[] {
	return [...list.filter((id) => id !== generationId), generationId].slice(-REMEMBERED_IDS);
}

/**
 * Generation IDs already handled, per trigger node. An ID counts as handled only once an execution was
 * started for it (`started`); a call that started nothing (an image, a status not in "Trigger On")
 * leaves the ID free, so a redelivery is looked at afresh.
 */
export class HandledCallbacks {
	constructor(
		private readonly staticData: IDataObject,
		private readonly scope: string,
	) {}

	private stored(): string[] {
		const ids = this.staticData.handledGenerationIds;
		return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
	}

	private startedHere(): string[] {
		return startedInProcess.get(this.scope) ?? [];
	}

	private waitingHere(): Set<string> {
		let waiting = waitingInProcess.get(this.scope);
		if (!waiting) waitingInProcess.set(this.scope, (waiting = new Set()));
		return waiting;
	}

	has(generationId: string): boolean {
		return this.stored().includes(generationId) || this.startedHere().includes(generationId);
	}

	/**
	 * Claims the ID for this call: false when an execution was started for it already or another call in
	 * this process is handling it. A claimed ID must end in `started` or `dropped`.
	 */
	claim(generationId: string): boolean {
		if (this.has(generationId) || this.waitingHere().has(generationId)) return false;
		this.waitingHere().add(generationId);
		return true;
	}

	/**
	 * The call hands n8n the item that starts the execution. The IDs this process started go into the
	 * static data too: this call's copy of it was loaded when the call began, and n8n saves it whole, so
	 * without them the marks saved by shorter calls in the meantime would be overwritten.
	 */
	started(generationId: string): void {
		this.waitingHere().delete(generationId);
		const here = remember(this.startedHere(), generationId);
		startedInProcess.set(this.scope, here);
		const merged = [...this.stored().filter((id) => !here.includes(id)), ...here];
		this.staticData.handledGenerationIds = remember(merged, generationId);
	}

	/** The call ends without an execution: nothing is remembered, a redelivery is handled afresh. */
	dropped(generationId: string): void {
		this.waitingHere().delete(generationId);
	}
}
