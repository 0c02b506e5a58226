/** Many items in flight: order, pairing, create pacing under 429s, the bound on status requests. */
import { generate, useEmulator } from '../helpers/scenario';

const { emulator, run, requests, createdGenerations } = useEmulator();
const items = (count: number) => Array.from({ length: count }, (_, n) => ({ json: { n } }));

test('12 items at concurrency 12: all together, output in input order, each paired with its item', async () => {
	emulator.setOptions({ generationDelayMs: 1500 });
	const started = Date.now();
	const result = await run(generate({ prompt: '={{ "clip " + $json.n }}' }, { maxConcurrency: 12 }), { input: items(12) });
	const elapsed = Date.now() - started;
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.prompt)).toEqual(items(12).map(({ json }) => `clip ${json.n}`));
	expect(result.items.map((item) => item.pairedItem)).toEqual(items(12).map((_, item) => ({ item })));
	expect(new Set(result.items.map((item) => item.json.generationId)).size).toBe(12);
	// About one generation time (plus polling), not twelve.
	expect(elapsed).toBeLessThan(1500 * 4);
});

test('429s on create while many items are in flight are waited out and re-sent; one generation per item', async () => {
	emulator.injectFault({ route: 'create', status: 429, times: 3, body: { error: 'rate limited', code: 'rate-limited' }, headers: { 'retry-after': '1' } });
	const result = await run(generate({ prompt: '={{ "clip " + $json.n }}' }, { maxConcurrency: 6 }), { input: items(6) });
	expect(result.error).toBeUndefined();
	const statuses = requests('create').map((request) => request.status);
	expect(statuses.filter((status) => status === 429)).toHaveLength(3);
	expect(statuses.filter((status) => status === 200)).toHaveLength(6);
	expect(createdGenerations()).toHaveLength(6);
	expect(result.items.map((item) => item.json.prompt)).toEqual(items(6).map(({ json }) => `clip ${json.n}`));
});

test('status requests of all items together stay within 10 per second, with twice that demand for 15 seconds', async () => {
	// 20 items polling every second want 20 status requests a second, for as long as the videos render.
	emulator.setOptions({ generationDelayMs: 15_000 });
	const result = await run(generate({ prompt: '={{ "clip " + $json.n }}' }, { maxConcurrency: 20, pollInterval: 1 }), { input: items(20) });
	expect(result.error).toBeUndefined();
	const times = requests('poll').map((request) => request.at).sort((a, b) => a - b);
	const spanSeconds = (times.at(-1)! - times[0]) / 1000;
	expect(spanSeconds).toBeGreaterThanOrEqual(12);
	// Per second over the whole run, not in short windows: arrivals lag their grants by up to a few hundred
	// ms on a loaded machine, which only the endpoints of a long span feel. Allowed: 10 a second over the
	// span, the starting burst of 10, and 10 more for lag at the ends. At 14/s this run would make ~230.
	expect(times.length).toBeLessThanOrEqual(10 * spanSeconds + 20);
	// Demand exceeded the bound all along: every item polled more than once, and together they kept the
	// limiter busy (more than 5 a second; without it about 20).
	expect(times.length).toBeGreaterThan(5 * spanSeconds);
});

test('continueOnFail with many items: failures stay in their place', async () => {
	const prompts = ['a', 'b [emu:failed]', 'c', 'd [emu:moderated]', 'e', 'f [emu:failed]', 'g', 'h'];
	const result = await run(generate({ prompt: '={{ $json.prompt }}' }, { maxConcurrency: 4 }), {
		continueOnFail: true,
		input: prompts.map((prompt) => ({ json: { prompt } })),
	});
	expect(result.items.map((item) => (item.json.error ? 'error' : item.json.prompt))).toEqual(['a', 'error', 'c', 'error', 'e', 'error', 'g', 'h']);
	expect(result.items.map((item) => item.pairedItem)).toEqual(prompts.map((_, item) => ({ item })));
	expect(createdGenerations()).toHaveLength(8);
});

test('maxConcurrency: items run in parallel, output keeps input order', async () => {
	emulator.setOptions({ generationDelayMs: 1000 });
	const started = Date.now();
	const result = await run(generate({ prompt: '={{ "clip " + $json.n }}' }, { maxConcurrency: 3 }), {
		input: [1, 2, 3, 4, 5, 6].map((n) => ({ json: { n } })),
	});
	const elapsed = Date.now() - started;
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.prompt)).toEqual(['clip 1', 'clip 2', 'clip 3', 'clip 4', 'clip 5', 'clip 6']);
	const creates = requests('create').map((request) => request.at);
	// The first three are sent together; the second wave only after a slot frees up.
	expect(creates[2] - creates[0]).toBeLessThan(500);
	expect(creates[3] - creates[0]).toBeGreaterThanOrEqual(900);
	expect(elapsed).toBeLessThan(6 * 1000);
});
