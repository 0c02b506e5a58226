/** Cancellable waiting and retry delays. Nothing here outlives one run (queue mode safe). */
import { OperationalError, sleep } from 'n8n-workflow';

/** Thrown when the execution is stopped (or a sibling item failed) while the node waits. */
export class WaitCancelledError extends OperationalError {
	constructor() {
		super('The execution was stopped while waiting');
		this.name = 'WaitCancelledError';
	}
}

export function throwIfCancelled(signal?: AbortSignal): void {
	if (signal?.aborted) throw new WaitCancelledError();
}

/** n8n 2.x has no sleepWithAbort: sleep in short steps so a stop takes effect within ~¼ s. */
const SLEEP_STEP_MS = 250;

export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
	const until = Date.now() + ms;
	for (let left = ms; left > 0; left = until - Date.now()) {
		throwIfCancelled(signal);
		await sleep(Math.min(SLEEP_STEP_MS, left));
	}
	throwIfCancelled(signal);
}

/** Bounded exponential backoff: 1 s, 2 s, 4 s, … capped. */
export const backoffMs = (attempt: number, capMs = 30_000) => Math.min(capMs, 1000 * 2 ** attempt);

/** Retry-After in seconds or as an HTTP date, capped; undefined when absent or unreadable. */
export function retryAfterMs(header: unknown, capMs = 60_000): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const seconds = Number(value);
	const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(String(value)) - Date.now();
	return Number.isFinite(ms) ? Math.min(capMs, Math.max(0, ms)) : undefined;
}
