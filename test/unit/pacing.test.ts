/** Request pacing: backoff, Retry-After and the create rate limiter. */
import { backoffMs, retryAfterMs } from '../../nodes/shared/pacing';
import { RateLimiter } from '../../nodes/LtxVideo/helpers/rateLimiter';

describe('pacing', () => {
	test('backoff doubles up to the cap; Retry-After seconds and dates', () => {
		expect([0, 1, 2, 3, 10].map((attempt) => backoffMs(attempt))).toEqual([1000, 2000, 4000, 8000, 30000]);
		expect(retryAfterMs('2')).toBe(2000);
		expect(retryAfterMs(['3'])).toBe(3000);
		expect(retryAfterMs('600')).toBe(60000);
		expect(retryAfterMs(undefined)).toBeUndefined();
		expect(retryAfterMs('soon')).toBeUndefined();
		const date = new Date(Date.now() + 5000).toUTCString();
		expect(retryAfterMs(date)).toBeGreaterThan(3000);
	});

	test('RateLimiter lets a burst through up to the limit, then spaces by the window', async () => {
		const limiter = new RateLimiter(3, 300);
		const started = Date.now();
		const grants: number[] = [];
		await Promise.all(Array.from({ length: 5 }, async () => {
			await limiter.waitTurn();
			grants.push(Date.now() - started);
		}));
		grants.sort((a, b) => a - b);
		// The burst is granted at once; 250 ms leaves room for a stalled machine and is still before the 300 ms window.
		expect(grants.slice(0, 3).every((at) => at < 250)).toBe(true);
		expect(grants[3]).toBeGreaterThanOrEqual(290);
		expect(grants[4]).toBeGreaterThanOrEqual(290);
	});

	test('a cancelled wait rejects', async () => {
		const limiter = new RateLimiter(1, 10_000);
		await limiter.waitTurn();
		const controller = new AbortController();
		const waiting = limiter.waitTurn(controller.signal);
		controller.abort();
		await expect(waiting).rejects.toThrow('stopped');
	});
});
