/** Request pacing per execution (creates per minute, polls per second): nothing here outlives one run (queue mode safe). */
import { pause } from '../../shared/pacing';

/**
 * At most `limit` grants in any window of `windowMs`. Slots are reserved synchronously, so
 * concurrent callers queue fairly without locks.
 */
export class RateLimiter {
	private readonly grants: number[] = [];

	constructor(
		readonly limit: number,
		readonly windowMs: number,
	) {}

	async waitTurn(signal?: AbortSignal): Promise<void> {
		const now = Date.now();
		const blocking = this.grants.length >= this.limit ? this.grants[this.grants.length - this.limit] : undefined;
		const slot = blocking === undefined ? now : Math.max(now, blocking + this.windowMs);
		this.grants.push(slot);
		if (this.grants.length > this.limit * 2) this.grants.splice(0, this.grants.length - this.limit);
		if (slot > now) await pause(slot - now, signal);
	}
}
