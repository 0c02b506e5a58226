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
