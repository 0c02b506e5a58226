/**
 * n8n's Retry On Fail through n8n-core's WorkflowExecute: it calls the node's execute() again in the
 * same execution, and every generation a failed try created is resumed (polled, downloaded), never
 * created (paid for) again.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { FIXTURES } from '../helpers/engine';
import { generate, useEmulator } from '../helpers/scenario';

const { emulator, run, requests, createdGenerations } = useEmulator();
const SAMPLE = readFileSync(path.join(FIXTURES, 'sample.mp4'));
/** n8n's own bounds: 2–5 tries; 100 ms between them keeps the tests short. */
const retry = (maxTries = 2) => ({ retry: { maxTries, waitBetweenTries: 100 } });

test('the download fails on the first try: the retry resumes the same generation and outputs its MP4, one create in all', async () => {
	// Every download attempt of the first try (4) is refused.
	emulator.injectFault({ route: 'download', status: 503, times: 4 });
	const result = await run(generate(), retry());

	expect(result.error).toBeUndefined();
	expect(createdGenerations()).toHaveLength(1);
	expect(requests('create')).toHaveLength(1);
	const [item] = result.items;
	expect(item.json).toMatchObject({ generationId: createdGenerations()[0], status: 'COMPLETE', width: 1920, height: 1080 });
	expect((await result.readBinary(item)).equals(SAMPLE)).toBe(true);
	expect(requests('download').map((request) => request.status)).toEqual([503, 503, 503, 503, 200]);
}, 60_000);

test('the timeout is hit on the first try: the retry waits for the same generation again, one create in all', async () => {
	emulator.setOptions({ generationDelayMs: 3500 });
	const result = await run(generate({}, { timeout: 2 }), retry(3));

	expect(result.error).toBeUndefined();
	expect(createdGenerations()).toHaveLength(1);
	expect(requests('create')).toHaveLength(1);
	expect(result.items[0].json).toMatchObject({ generationId: createdGenerations()[0], status: 'COMPLETE', cost: { unit: 'DOLLARS' } });
	expect((await result.readBinary(result.items[0])).equals(SAMPLE)).toBe(true);
}, 60_000);

test('without Retry On Fail the same download failure ends the run (the control for the test above)', async () => {
	emulator.injectFault({ route: 'download', status: 503, times: 4 });
	const result = await run(generate());
	expect(result.error?.message).toMatch(/Downloading the video of generation .* failed/);
	expect(requests('create')).toHaveLength(1);
}, 60_000);

test('a batch: created items are resumed, items the failure stopped before their create are created by the retry', async () => {
	emulator.injectFault({ route: 'download', status: 503, times: 4 });
	const prompts = ['first', 'second', 'third'];
	const result = await run(generate({ prompt: '={{ $json.prompt }}' }, { maxConcurrency: 1 }), {
		input: prompts.map((prompt) => ({ json: { prompt } })),
		...retry(),
	});

	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.prompt)).toEqual(prompts);
	expect(createdGenerations()).toHaveLength(3);
	expect(requests('create').map((request) => (request.body as { parameters: { prompt: string } }).parameters.prompt)).toEqual(prompts);
	expect(new Set(result.items.map((item) => item.json.generationId))).toEqual(new Set(createdGenerations()));
}, 60_000);

test('two items with the same request each resume their own generation', async () => {
	// Both items' downloads fail on every attempt of the first try.
	emulator.injectFault({ route: 'download', status: 503, times: 8 });
	const result = await run(generate({}, { maxConcurrency: 2 }), { input: [{ json: {} }, { json: {} }], ...retry() });

	expect(result.error).toBeUndefined();
	expect(requests('create')).toHaveLength(2);
	const ids = result.items.map((item) => item.json.generationId);
	expect(new Set(ids)).toEqual(new Set(createdGenerations()));
	expect(new Set(ids).size).toBe(2);
}, 60_000);

test('Wait for Completion off: the retry outputs the generation already submitted and submits only what the failure stopped', async () => {
	// Item 0's create is answered with an ID (a stand-in answer); item 1's is refused on all 4 attempts of the first try (429: nothing created).
	const firstId = '00000000-0000-4000-8000-00000000000a';
	emulator.injectFault({ route: 'create', status: 200, body: { generate: { generationId: firstId, cost: { amount: '0.48', unit: 'DOLLARS' } } } });
	emulator.injectFault({ route: 'create', status: 429, times: 4, body: { error: 'Too many requests' }, headers: { 'retry-after': '0' } });
	const result = await run(generate({ prompt: '={{ $json.prompt }}', waitForCompletion: false }, { maxConcurrency: 1 }), {
		input: [{ json: { prompt: 'zero' } }, { json: { prompt: 'one' } }],
		...retry(),
	});

	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => [item.json.prompt, item.json.status])).toEqual([['zero', 'PENDING'], ['one', 'PENDING']]);
	expect(result.items[0].json).toMatchObject({ generationId: firstId, cost: { amount: '0.48', unit: 'DOLLARS' } });
	expect(result.items[1].json.generationId).toBe(createdGenerations()[0]);
	const creates = requests('create').map((request) => `${(request.body as { parameters: { prompt: string } }).parameters.prompt} ${request.status}`);
	expect(creates).toEqual(['zero 200', 'one 429', 'one 429', 'one 429', 'one 429', 'one 200']);
}, 60_000);

test('a create answered 500 (outcome unknown) is not sent again by the retry; the error says how to find the video', async () => {
	emulator.injectFault({ route: 'create', status: 500, kind: 'status', times: 1 });
	const result = await run(generate(), retry(3));

	expect(requests('create')).toHaveLength(1);
	expect(result.error?.message).toBe('An earlier try of this node sent the create request for this item and got no clear answer, so it was not sent again');
	expect(result.error?.description).toMatch(/Look for it with "Get Many"/);
});

test('a create refused with 4xx (nothing created) may be sent again by the retry', async () => {
	emulator.injectFault({ route: 'create', status: 429, times: 4, body: { error: 'Too many requests' }, headers: { 'retry-after': '0' } });
	const result = await run(generate(), retry());

	expect(result.error).toBeUndefined();
	expect(requests('create').map((request) => request.status)).toEqual([429, 429, 429, 429, 200]);
	expect(createdGenerations()).toHaveLength(1);
	expect(result.items[0].json.generationId).toBe(createdGenerations()[0]);
}, 60_000);

test('a frame from binary is not uploaded again when the retry resumes', async () => {
	emulator.injectFault({ route: 'download', status: 503, times: 4 });
	const result = await run(generate({ startFrame: 'binary' }), { input: [{ binary: { data: { file: 'frame.png' } } }], ...retry() });

	expect(result.error).toBeUndefined();
	expect(requests('initImage')).toHaveLength(1);
	expect(requests('s3Upload')).toHaveLength(1);
	expect(requests('create')).toHaveLength(1);
}, 60_000);

/** A Start Frame link on the emulator's image host (on this machine, so Allow Private Links is on). */
const fromLink = (options = {}) => generate({ startFrame: 'url', startFrameUrl: `${emulator.imagesUrl}/images/frame.png` }, { allowPrivateLinks: true, ...options });

test('a frame link is not downloaded again when Retry On Fail resumes the item', async () => {
	emulator.injectFault({ route: 'download', status: 503, times: 4 });
	const result = await run(fromLink(), retry());

	expect(result.error).toBeUndefined();
	expect((await result.readBinary(result.items[0])).equals(SAMPLE)).toBe(true);
	expect(requests('create')).toHaveLength(1);
	// The first try's two: to check the link, and for its upload.
	expect(requests('imageFile')).toHaveLength(2);
	expect(requests('s3Upload')).toHaveLength(1);
}, 60_000);

test('a generation that ends FAILED is final: the retry reports it without a new create, and says a fresh run would make (and bill) a new one', async () => {
	const result = await run(generate({ prompt: 'A paper boat [emu:failed]' }), retry());

	expect(requests('create')).toHaveLength(1);
	expect(result.error?.message).toBe(`Leonardo reports that generation ${createdGenerations()[0]} failed`);
	expect(result.error?.description).toMatch(/created by an earlier try: retrying resumes it and never creates another\. For a new video \(billed again\), run the workflow anew/);
}, 60_000);

/** A new random seed and the current time in every evaluation: each try's request differs from the last. */
const UNSTABLE_REQUEST = generate({ prompt: '={{ "A paper boat at " + $now.toISO() }}' }, { timeout: 2, seed: '={{ Math.floor(Math.random() * 1e6) }}' });

test('Retry On Fail with a random seed and {{ $now }} in the prompt: one create; the retry resumes it and says the new values were not used', async () => {
	emulator.setOptions({ generationDelayMs: 3500 });
	const result = await run(UNSTABLE_REQUEST, retry(3));

	expect(result.error).toBeUndefined();
	expect(requests('create')).toHaveLength(1);
	const [id] = createdGenerations();
	const sent = emulator.generations.get(id)!;
	const [item] = result.items;
	// What was made, not what the retry's expressions evaluated to.
	expect(item.json).toMatchObject({ generationId: id, status: 'COMPLETE', seed: sent.seed, prompt: sent.params.prompt });
	expect(item.json.notice).toMatch(new RegExp(`^Resumed generation ${id}, created by an earlier try of this node .*not created or billed again\\.`));
	expect(item.json.notice).toMatch(/request has changed since that try .* the new values were NOT used\. For a video of the current values, run the workflow anew/);
	expect((await result.readBinary(item)).equals(SAMPLE)).toBe(true);
}, 60_000);

describe('the executions list’s Retry (a new execution from the failed one’s data, node context included)', () => {
	/** The user presses Retry a little later; by then the generation has finished. */
	const later = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
	const workflows = {
		'the original workflow': (parameters: ReturnType<typeof generate>) => parameters,
		// The user raised the Timeout and edited the prompt before retrying.
		'the currently saved workflow': (parameters: ReturnType<typeof generate>) => ({
			...parameters,
			prompt: 'An edited prompt',
			options: { ...(parameters.options as object), timeout: 60 },
		}),
	};

	test.each(Object.keys(workflows) as Array<keyof typeof workflows>)('with %s: the Timeout hit after the create; the retry resumes that generation and outputs its MP4, one create in all', async (workflow) => {
		emulator.setOptions({ generationDelayMs: 3000 });
		const parameters = generate({}, { timeout: 2 });
		const failed = await run(parameters);
		expect(failed.error?.message).toMatch(/did not finish within 2 seconds/);
		await later(1500);

		const retried = await run(workflows[workflow](parameters), { retryOf: failed.run });

		expect(retried.error).toBeUndefined();
		expect(retried.run.mode).toBe('retry');
		expect(requests('create')).toHaveLength(1);
		const [id] = createdGenerations();
		const [item] = retried.items;
		expect(item.json).toMatchObject({ generationId: id, status: 'COMPLETE', prompt: 'A paper boat drifts down a rainy street' });
		expect(item.json.notice).toMatch(new RegExp(`^Resumed generation ${id}`));
		expect(String(item.json.notice).includes('NOT used')).toBe(workflow === 'the currently saved workflow');
		expect((await retried.readBinary(item)).equals(SAMPLE)).toBe(true);
	}, 60_000);

	test.each(Object.keys(workflows) as Array<keyof typeof workflows>)('with %s: a create answered 500 after it created is not sent again; the error says to look with Get Many', async (workflow) => {
		emulator.injectFault({ route: 'create', status: 500, kind: 'status', afterHandler: true, times: 1 });
		const parameters = generate();
		const failed = await run(parameters);
		expect(failed.error?.description).toMatch(/NOT sent again/);
		expect(createdGenerations()).toHaveLength(1);

		const retried = await run(workflows[workflow](parameters), { retryOf: failed.run });

		expect(requests('create')).toHaveLength(1);
		expect(createdGenerations()).toHaveLength(1);
		expect(retried.error?.message).toBe('An earlier try of this node sent the create request for this item and got no clear answer, so it was not sent again');
		expect(retried.error?.description).toMatch(/Look for it with "Get Many"/);
	}, 60_000);

	test('a retry of a retry still resumes the first execution’s generation', async () => {
		emulator.setOptions({ generationDelayMs: 5000 });
		const parameters = generate({}, { timeout: 2 });
		const failed = await run(parameters);
		const failedAgain = await run(parameters, { retryOf: failed.run });
		expect(failedAgain.error?.message).toMatch(/did not finish within 2 seconds/);
		await later(1500);

		const retried = await run(parameters, { retryOf: failedAgain.run });

		expect(retried.error).toBeUndefined();
		expect(requests('create')).toHaveLength(1);
		expect(retried.items[0].json.generationId).toBe(createdGenerations()[0]);
	}, 60_000);

	test('a generation that ended FAILED is final: the retry reports it, creates nothing, and says a fresh run would', async () => {
		const parameters = generate({ prompt: 'A paper boat [emu:failed]' });
		const failed = await run(parameters);
		const [id] = createdGenerations();
		expect(failed.error?.message).toBe(`Leonardo reports that generation ${id} failed`);

		const retried = await run(parameters, { retryOf: failed.run });

		expect(requests('create')).toHaveLength(1);
		expect(retried.error?.message).toBe(`Leonardo reports that generation ${id} failed`);
		expect(retried.error?.description).toMatch(/run the workflow anew/);
	}, 60_000);

	test('a frame link that answers 404 by the time of the retry: the item resumes and outputs its MP4, nothing is downloaded', async () => {
		emulator.injectFault({ route: 'download', status: 503, times: 4 });
		const parameters = fromLink();
		const failed = await run(parameters);
		expect(failed.error?.message).toMatch(/Downloading the video of generation .* failed/);
		expect(requests('imageFile')).toHaveLength(2);
		// The signed link has expired since.
		emulator.injectFault({ route: 'imageFile', status: 404, times: 3 });

		const retried = await run(parameters, { retryOf: failed.run });

		expect(retried.error).toBeUndefined();
		expect(retried.items[0].json).toMatchObject({ generationId: createdGenerations()[0], status: 'COMPLETE' });
		expect((await retried.readBinary(retried.items[0])).equals(SAMPLE)).toBe(true);
		expect(requests('create')).toHaveLength(1);
		expect(requests('imageFile')).toHaveLength(2);
	}, 60_000);

	test('a frame link that answers 404 by the time of the retry of a create with no clear answer: the error is about that create, not the link', async () => {
		emulator.injectFault({ route: 'create', status: 500, kind: 'status', afterHandler: true, times: 1 });
		const parameters = fromLink();
		const failed = await run(parameters);
		expect(failed.error?.description).toMatch(/NOT sent again/);
		emulator.injectFault({ route: 'imageFile', status: 404, times: 3 });

		const retried = await run(parameters, { retryOf: failed.run });

		expect(retried.error?.message).toBe('An earlier try of this node sent the create request for this item and got no clear answer, so it was not sent again');
		expect(requests('create')).toHaveLength(1);
		expect(requests('imageFile')).toHaveLength(2);
	}, 60_000);

	test('a batch: the retry resumes the items the failed execution created and creates only those it never sent', async () => {
		// Item 1's create is refused (400: nothing created) and stops the node; item 0 was created, item 2 never started.
		emulator.injectFault({ route: 'create', status: 200, body: { generate: { generationId: '00000000-0000-4000-8000-00000000000b', cost: { amount: '0.48', unit: 'DOLLARS' } } } });
		emulator.injectFault({ route: 'create', status: 400, body: { error: 'content moderation filter' } });
		const parameters = generate({ prompt: '={{ $json.prompt }}', waitForCompletion: false }, { maxConcurrency: 1 });
		const input = ['zero', 'one', 'two'].map((prompt) => ({ json: { prompt } }));
		const failed = await run(parameters, { input });
		expect(failed.error).toBeDefined();

		const retried = await run(parameters, { input, retryOf: failed.run });

		expect(retried.error).toBeUndefined();
		expect(retried.items[0].json).toMatchObject({ generationId: '00000000-0000-4000-8000-00000000000b', notice: expect.stringMatching(/^Resumed generation/) });
		const prompts = requests('create').map((request) => `${(request.body as { parameters: { prompt: string } }).parameters.prompt} ${request.status}`);
		expect(prompts).toEqual(['zero 200', 'one 400', 'one 200', 'two 200']);
		expect(retried.items.map((item) => item.json.notice === undefined)).toEqual([false, true, true]);
	}, 60_000);
});
