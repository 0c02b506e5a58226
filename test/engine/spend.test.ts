/**
 * Spend guards (issue 22) through n8n-core's engine against the emulator's prices and balance: Max Spend
 * per Run, Keep Account Balance Above, spentThisRun, a create without cost, Retry On Fail, and executions
 * running at the same time.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { generate, useEmulator } from '../helpers/scenario';

const { emulator, run, requests, createdGenerations } = useEmulator();
const items = (count: number) => Array.from({ length: count }, (_, n) => ({ json: { n } }));
const clip = { prompt: '={{ "clip " + $json.n }}' };
const continueOnError = { onError: 'continueRegularOutput' } as const;
/** Pro, 8 s, 1080p in the emulator: $0.48, or 480 credits. */
const PRO_8S = 0.48;

const errors = (output: INodeExecutionData[]) => output.filter((item) => item.json.error !== undefined);
const videos = (output: INodeExecutionData[]) => output.filter((item) => item.json.error === undefined);

describe('Max Spend per Run', () => {
	test.each([
		['concurrency 4', 4],
		['Auto concurrency', 0],
	])('10 items, a limit that allows 6, %s: exactly 6 creates, 4 clear error items, no overshoot', async (_name, maxConcurrency) => {
		const result = await run(generate(clip, { maxConcurrency, maxSpendPerRun: 3 }), { input: items(10), ...continueOnError });

		expect(result.error).toBeUndefined();
		expect(requests('create')).toHaveLength(6);
		expect(createdGenerations()).toHaveLength(6);
		expect(videos(result.items)).toHaveLength(6);
		const refused = errors(result.items);
		expect(refused).toHaveLength(4);
		for (const item of refused) {
			expect(item.json.error).toMatch(/^Spend limit of 3 DOLLARS reached: 2\.88 DOLLARS spent in this run, this video would cost about 0\.48 DOLLARS \[item \d\]$/);
			expect(item.json.details).toMatchObject({ description: expect.stringMatching(/^Nothing was sent for this item\. Raise Options → "Max Spend per Run"/) });
		}
		// Every item keeps its cost, and the run's total so far, in the unit of cost.
		const totals = videos(result.items).map((item) => item.json.spentThisRun as number);
		for (const item of videos(result.items)) expect(item.json.cost).toEqual({ amount: '0.48', unit: 'DOLLARS' });
		expect(Math.max(...totals)).toBeCloseTo(6 * PRO_8S, 6);
		expect(totals.every((total) => total >= PRO_8S && total <= 3)).toBe(true);
	}, 60_000);

	test('the first video of each kind is created alone; two kinds share one limit without passing it', async () => {
		// Pro 8 s ($0.48) and Fast 6 s ($0.24), alternating; $1.5 allows e.g. 2 Pro + 2 Fast (1.44), never more.
		const mixed = generate({ ...clip, model: '={{ $json.n % 2 ? "ltxv-2.3-fast" : "ltxv-2.3-pro" }}', duration: '={{ $json.n % 2 ? 6 : 8 }}' }, { maxConcurrency: 6, maxSpendPerRun: 1.5 });
		const result = await run(mixed, { input: items(10), ...continueOnError });

		const costs = [...emulator.generations.values()].filter((generation) => createdGenerations().includes(generation.id)).map((generation) => Number(generation.cost));
		expect(costs.reduce((sum, cost) => sum + cost, 0)).toBeLessThanOrEqual(1.5);
		expect(new Set(costs)).toEqual(new Set([0.48, 0.24]));
		expect(errors(result.items).length).toBe(10 - costs.length);
		// Before the first create of a kind was answered, nothing else of unknown price was in flight.
		const creates = requests('create');
		const firstOfKind = (model: string) => creates.findIndex((request) => (request.body as { model: string }).model === model);
		expect(firstOfKind('ltxv-2.3-pro')).toBe(0);
	}, 60_000);

	test('no limit: every item still gets spentThisRun (the sum of the reported costs so far)', async () => {
		const result = await run(generate(clip, { maxConcurrency: 1 }), { input: items(2) });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.spentThisRun)).toEqual([0.48, 0.96]);
	}, 60_000);

	test('without On Error → Continue the first refusal ends the node; the 2 videos already created are named, nothing more is sent', async () => {
		const result = await run(generate(clip, { maxConcurrency: 1, maxSpendPerRun: 1 }), { input: items(4) });
		expect(requests('create')).toHaveLength(2);
		expect(result.error?.message).toMatch(/^Spend limit of 1 DOLLARS reached: 0\.96 DOLLARS spent in this run/);
		expect(result.error?.description).toMatch(/item 0: generation .*COMPLETE.*item 1: generation .*COMPLETE/);
	}, 60_000);

	test.each([
		['a negative number', -1, /"Max Spend per Run" must be a number of 0 or more, not -1/],
		['a word from an expression', '={{ "lots" }}', /"Max Spend per Run" must be a number of 0 or more, not "lots"/],
	])('%s is refused before any request', async (_name, value, message) => {
		const result = await run(generate({}, { maxSpendPerRun: value }));
		expect(result.error?.message).toMatch(message);
		expect(requests()).toHaveLength(0);
	});

	test('"Keep Account Balance Above" from an expression that is not a number is refused before any request', async () => {
		const result = await run(generate({}, { keepBalanceAbove: '={{ {} }}' }));
		expect(result.error?.message).toMatch(/"Keep Account Balance Above" must be a number of 0 or more/);
		expect(requests()).toHaveLength(0);
	});
});

describe('a create that reports no cost', () => {
	test('never any cost: the video is delivered with a notice, and no further video is created while a limit is on', async () => {
		emulator.setOptions({ reportCost: false });
		const result = await run(generate(clip, { maxConcurrency: 4, maxSpendPerRun: 10 }), { input: items(4), ...continueOnError });

		expect(requests('create')).toHaveLength(1);
		const [video] = videos(result.items);
		expect(video.json.notice).toMatch(/Leonardo reported no cost for this video and none is known from this run: the spend limits cannot be checked/);
		expect(errors(result.items)).toHaveLength(3);
		for (const item of errors(result.items)) expect(item.json.error).toMatch(/^The spend limits cannot be checked: Leonardo reported no cost for generation /);
	}, 60_000);

	test('after a reported cost: counted as the highest cost seen, said once, and the limit still holds', async () => {
		// The first create (alone: its kind's price is unknown) reports $0.48; from then on the answers carry no cost.
		const flip = setInterval(() => {
			if (createdGenerations().length === 0) return;
			emulator.setOptions({ reportCost: false });
			clearInterval(flip);
		}, 2);
		const result = await run(generate(clip, { maxConcurrency: 1, maxSpendPerRun: 1 }), { input: items(4), ...continueOnError });
		clearInterval(flip);

		expect(requests('create')).toHaveLength(2);
		const [first, second] = videos(result.items);
		expect(first.json).toMatchObject({ cost: { amount: '0.48', unit: 'DOLLARS' }, spentThisRun: 0.48 });
		expect(second.json.cost).toBeUndefined();
		expect(second.json).toMatchObject({ spentThisRun: 0.96, notice: expect.stringMatching(/reported no cost for this video: it is counted as 0\.48 DOLLARS \(the highest cost seen/) });
		expect(errors(result.items).map((item) => item.json.error)).toEqual([
			expect.stringMatching(/^Spend limit of 1 DOLLARS reached: 0\.96 DOLLARS spent/),
			expect.stringMatching(/^Spend limit of 1 DOLLARS reached: 0\.96 DOLLARS spent/),
		]);
	}, 60_000);
});

describe('Keep Account Balance Above', () => {
	test('a floor reached in the middle of a batch: the balance never goes below it', async () => {
		// 3000 credits, floor 1000: 4 videos of 480 fit (1080 left), the 5th would leave 600.
		emulator.setOptions({ costUnit: 'CREDITS', accountBalance: { subscription: 1000, paid: 2000 } });
		const result = await run(generate(clip, { maxConcurrency: 4, keepBalanceAbove: 1000 }), { input: items(10), ...continueOnError });

		expect(requests('me')).toHaveLength(1);
		expect(createdGenerations()).toHaveLength(4);
		expect(emulator.options.accountBalance).toEqual({ subscription: 0, paid: 1080 });
		expect(errors(result.items)).toHaveLength(6);
		for (const item of errors(result.items)) {
			expect(item.json.error).toMatch(/^Account balance floor of 1000 CREDITS reached: the balance was 3000 CREDITS when this run started, 1920 CREDITS spent since, this video would cost about 480 CREDITS/);
		}
	}, 60_000);

	test('Auto concurrency and the floor read GET /v1/me once between them', async () => {
		emulator.setOptions({ costUnit: 'CREDITS', accountBalance: { subscription: 0, paid: 10_000 } });
		const result = await run(generate(clip, { maxConcurrency: 0, keepBalanceAbove: 100 }), { input: items(3) });
		expect(result.error).toBeUndefined();
		expect(requests('me')).toHaveLength(1);
	}, 60_000);

	test('before any cost is known the first video is created only while the balance is above the floor', async () => {
		emulator.setOptions({ costUnit: 'CREDITS', accountBalance: { subscription: 0, paid: 1000 } });
		const result = await run(generate({}, { keepBalanceAbove: 1000 }));
		expect(requests('create')).toHaveLength(0);
		expect(result.error?.message).toMatch(/^Account balance floor of 1000 reached: the balance was 1000 when this run started, 0 spent since, the cost of this kind of video is not known yet/);
	});

	test('a key billed in DOLLARS shows no API credits: the floor refuses before any create', async () => {
		emulator.setOptions({ costUnit: 'DOLLARS', accountBalance: { subscription: 0, paid: 100 } });
		const result = await run(generate({}, { keepBalanceAbove: 1 }));
		expect(requests('create')).toHaveLength(0);
		expect(result.error?.message).toMatch(/^Account balance floor of 1 reached: the balance was 0 when this run started/);
		expect(result.error?.description).toMatch(/a key billed in dollars shows none there, so remove the option/);
	});

	test('API credits in /v1/me but costs in DOLLARS: after the first video (price unknown before it) the floor refuses', async () => {
		emulator.injectFault({
			route: 'me',
			status: 200,
			body: { user_details: [{ user: { id: '7d2c4b1a-5e6f-4a3b-9c8d-0e1f2a3b4c5d' }, apiConcurrencySlots: 10, apiPaidTokens: 5000, apiSubscriptionTokens: 0 }] },
		});
		const result = await run(generate(clip, { maxConcurrency: 4, keepBalanceAbove: 1 }), { input: items(3), ...continueOnError });
		expect(requests('create')).toHaveLength(1);
		expect(errors(result.items).map((item) => item.json.error)).toEqual([
			expect.stringMatching(/^"Keep Account Balance Above" cannot be checked: Leonardo bills this key in DOLLARS, and GET \/v1\/me reports a balance only in API credits/),
			expect.stringMatching(/^"Keep Account Balance Above" cannot be checked/),
		]);
	}, 60_000);

	test('5 executions at once, 2 items each: at most one video each (the documented bound), and the floor then holds', async () => {
		// 3000 credits, floor 2280: each execution reads a balance with room for 1.5 videos, so it makes at
		// most one (its first, while the balance is above the floor; its second would pass the floor).
		emulator.setOptions({ costUnit: 'CREDITS', accountBalance: { subscription: 0, paid: 3000 } });
		const parameters = generate(clip, { maxConcurrency: 2, keepBalanceAbove: 2280 });
		const runs = await Promise.all(Array.from({ length: 5 }, async () => await run(parameters, { input: items(2), ...continueOnError })));

		const made = createdGenerations().length;
		expect(made).toBeGreaterThanOrEqual(1);
		expect(made).toBeLessThanOrEqual(5);
		for (const result of runs) expect(videos(result.items).length).toBeLessThanOrEqual(1);
		// Below the floor by at most one video per execution that read the balance above it.
		expect(emulator.options.accountBalance!.paid).toBeGreaterThanOrEqual(2280 - 5 * 480);

		const later = await run(parameters, { input: items(1) });
		expect(later.error?.message).toMatch(/^Account balance floor of 2280 reached/);
		expect(createdGenerations().length).toBe(made);
	}, 60_000);
});

describe('retries', () => {
	test('Retry On Fail with a limit: resumed generations count once, never again, and are not created again', async () => {
		// Try 1: item 0's download fails on every attempt, the node fails. Try 2: item 0 resumed ($0.48 counted
		// from the record), items 1 and 2 created ($1.44), item 3 refused. Try 3: the same three resumed, item 3
		// refused again at $1.44, not more.
		emulator.injectFault({ route: 'download', status: 503, times: 4 });
		const result = await run(generate(clip, { maxConcurrency: 1, maxSpendPerRun: 1.5 }), {
			input: items(5),
			retry: { maxTries: 3, waitBetweenTries: 100 },
		});

		expect(requests('create')).toHaveLength(3);
		expect(createdGenerations()).toHaveLength(3);
		expect(result.error?.message).toMatch(/^Spend limit of 1\.5 DOLLARS reached: 1\.44 DOLLARS spent in this run, this video would cost about 0\.48 DOLLARS \[item 3\]/);
	}, 60_000);

	test('the executions list’s Retry: the resumed generation counts toward the limit without a new create', async () => {
		emulator.injectFault({ route: 'download', status: 503, times: 4 });
		const parameters = generate(clip, { maxConcurrency: 1, maxSpendPerRun: 1 });
		const failed = await run(parameters, { input: items(3) });
		expect(failed.error?.message).toMatch(/Downloading the video/);
		expect(requests('create')).toHaveLength(1);

		const retried = await run(parameters, { input: items(3), retryOf: failed.run, ...continueOnError });
		expect(requests('create')).toHaveLength(2);
		expect(retried.items.map((item) => item.json.spentThisRun ?? item.json.error)).toEqual([
			0.48,
			0.96,
			expect.stringMatching(/^Spend limit of 1 DOLLARS reached: 0\.96 DOLLARS spent/),
		]);
	}, 60_000);
});
