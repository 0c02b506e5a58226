/** Bad input, API errors and failed generations through n8n's engine: clear errors, nothing paid twice. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { FIXTURES } from '../helpers/engine';
import { generate, useEmulator, visibleText } from '../helpers/scenario';

const { emulator, run, requests } = useEmulator();

describe('API errors carry Leonardo’s message, the HTTP code and the fix', () => {
	test('401 wrong key', async () => {
		const { runLtxNode } = await import('../helpers/engine');
		const wrongKey = '11111111-2222-4333-8444-555555555555';
		const result = await runLtxNode({ parameters: generate(), credentials: { apiKey: wrongKey, baseUrl: emulator.baseUrl } });
		expect(result.error?.name).toBe('NodeApiError');
		expect(result.error?.message).toBe('Leonardo refused to create the video: Authentication hook unauthorized this request');
		expect(result.error?.httpCode).toBe('401');
		expect(result.error?.description).toMatch(/Check the API key/);
		expect(visibleText(result)).not.toContain(wrongKey);
		expect(requests('create')).toHaveLength(1);
	});

	test('403 moderation on create', async () => {
		emulator.injectFault({ route: 'create', status: 403, body: { error: 'Your prompt appears to contain inappropriate content', path: '$', code: 'unexpected' } });
		const result = await run(generate());
		expect(result.error?.message).toMatch(/inappropriate content/);
		expect(result.error?.httpCode).toBe('403');
		expect(result.error?.description).toMatch(/content moderation/);
		expect(requests('create')).toHaveLength(1);
	});

	test('429 on create is re-sent after Retry-After (the request was rejected, nothing created)', async () => {
		emulator.injectFault({ route: 'create', status: 429, body: { error: 'Too many requests' }, headers: { 'retry-after': '1' } });
		const result = await run(generate());
		expect(result.error).toBeUndefined();
		const creates = requests('create');
		expect(creates.map((request) => request.status)).toEqual([429, 200]);
		expect(creates[1].at - creates[0].at).toBeGreaterThanOrEqual(950);
	});

	test('persistent 429 on create ends with a rate-limit error', async () => {
		emulator.injectFault({ route: 'create', status: 429, times: 10, body: { error: 'Too many requests' }, headers: { 'retry-after': '0' } });
		const result = await run(generate());
		expect(result.error?.httpCode).toBe('429');
		expect(result.error?.description).toMatch(/rate-limited/);
		expect(requests('create')).toHaveLength(4);
	});
});

describe('the create request is never sent twice after an ambiguous failure', () => {
	test.each([
		['500', { route: 'create' as const, status: 500, body: { error: 'Service Error', path: '$', code: 'unexpected' } }, /Service Error/],
		['502 HTML', { route: 'create' as const, kind: 'html502' as const }, /Leonardo refused to create the video/],
		['connection reset', { route: 'create' as const, kind: 'reset' as const }, /.+/],
		['malformed JSON', { route: 'create' as const, kind: 'malformed-json' as const }, /without a generation ID/],
		['200 without generationId', { route: 'create' as const, kind: 'no-generation-id' as const }, /without a generation ID/],
	])('%s', async (_name, fault, message) => {
		emulator.injectFault(fault);
		const result = await run(generate());
		expect(result.error?.message).toMatch(message);
		expect(`${result.error?.description}`).toMatch(/NOT sent again/);
		expect(requests('create')).toHaveLength(1);
		expect(requests('poll')).toHaveLength(0);
	});
});

describe('generations that do not end well name their ID and point to Get', () => {
	test('FAILED', async () => {
		const result = await run(generate({ prompt: 'A storm [emu:failed]' }));
		const generationId = requests('poll')[0].path.split('/').pop()!;
		expect(result.error?.message).toBe(`Leonardo reports that generation ${generationId} failed`);
		expect(result.error?.description).toMatch(/"Get" operation/);
	});

	test('COMPLETE without outputs (moderated)', async () => {
		const result = await run(generate({ prompt: 'A storm [emu:moderated]' }));
		expect(result.error?.message).toMatch(/finished without a video/);
		expect(result.error?.description).toMatch(/content moderation/);
		expect(result.error?.description).toMatch(/Generation ID: [0-9a-f-]{36}/);
	});

	test('timeout', async () => {
		const started = Date.now();
		const result = await run(generate({ prompt: 'A storm [emu:never]' }, { timeout: 2 }));
		expect(Date.now() - started).toBeLessThan(6000);
		expect(result.error?.message).toMatch(/^Generation [0-9a-f-]{36} did not finish within 2 seconds$/);
		expect(result.error?.description).toMatch(/Raise "Timeout"/);
		expect(result.error?.description).toMatch(/"Get" operation/);
	});
});

describe('polls and downloads (safe to repeat) ride out transient failures', () => {
	test('poll: a burst of 500s and a 404 right after create', async () => {
		emulator.injectFault({ route: 'poll', status: 404, body: { error: 'not found' } });
		emulator.injectFault({ route: 'poll', status: 500, times: 2, body: { error: 'Invalid response from authorization hook', code: 'unexpected' } });
		const result = await run(generate());
		expect(result.error).toBeUndefined();
		expect(requests('poll').map((request) => request.status).slice(0, 3)).toEqual([404, 500, 500]);
		expect(requests('create')).toHaveLength(1);
	});

	test('download: a 500, then a connection cut mid-body, then the full file', async () => {
		emulator.injectFault({ route: 'download', status: 500 });
		emulator.injectFault({ route: 'download', kind: 'truncate' });
		const result = await run(generate());
		expect(result.error).toBeUndefined();
		expect(requests('download')).toHaveLength(3);
		const bytes = await result.readBinary(result.items[0]);
		expect(bytes.toString('latin1', 4, 8)).toBe('ftyp');
		expect(bytes.equals(readFileSync(path.join(FIXTURES, 'sample.mp4')))).toBe(true);
		expect(result.items[0].binary!.data.bytes).toBe(bytes.length);
	});

	test('download: an expired link is refreshed by fetching the generation again', async () => {
		emulator.injectFault({ route: 'download', status: 403, body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' });
		const result = await run(generate());
		expect(result.error).toBeUndefined();
		const polls = requests('poll').length;
		expect(polls).toBeGreaterThanOrEqual(2);
		expect(requests('download').map((request) => request.status)).toEqual([403, 200]);
	});

	test('download: an HTML page instead of an MP4 is an error, not a broken binary', async () => {
		emulator.injectFault({ route: 'download', status: 200, body: '<html><body>Access denied</body></html>', headers: { 'content-type': 'text/html' } });
		const result = await run(generate());
		expect(result.error?.message).toMatch(/is not an MP4 video \(text\/html/);
		expect(result.error?.description).toMatch(/Generation ID/);
		expect(result.items).toEqual([]);
	});
});

describe('items', () => {
	test('continueOnFail: a failed item becomes an error item with its generation ID; order and pairing kept', async () => {
		const result = await run(generate({ prompt: '={{ $json.prompt }}' }), {
			continueOnFail: true,
			input: [{ json: { prompt: 'one' } }, { json: { prompt: 'two [emu:failed]' } }, { json: { prompt: '' } }, { json: { prompt: 'four' } }],
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(result.items[0].json).toMatchObject({ status: 'COMPLETE', prompt: 'one' });
		expect(result.items[1].json).toMatchObject({ error: expect.stringMatching(/failed/), generationId: expect.any(String) });
		expect(result.items[2].json).toMatchObject({ error: 'The prompt is empty [item 2]' });
		expect(result.items[2].json.generationId).toBeUndefined();
		expect(result.items[3].json).toMatchObject({ status: 'COMPLETE', prompt: 'four' });
		expect(requests('create')).toHaveLength(3);
	});

	test('without continueOnFail the first failure names the other generations already paid for', async () => {
		const result = await run(generate({ prompt: '={{ $json.prompt }}' }, { maxConcurrency: 2 }), {
			input: [{ json: { prompt: 'slow one [emu:delay=2000]' } }, { json: { prompt: 'bad [emu:failed]' } }],
		});
		const ids = [...emulator.generations.keys()].slice(-2);
		expect(result.error?.message).toMatch(/failed/);
		expect(result.error?.description).toContain(`Other generations created in this run, which you can fetch with "Get": ${ids[0]} (item 0)`);
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
});

describe('cancel', () => {
	test('stopping the execution ends the wait within about a second and sends nothing more', async () => {
		let stop: () => void = () => {};
		let stoppedAt = 0;
		const running = run(generate({ prompt: 'Forever [emu:never]' }), { onStarted: (stopRun) => (stop = stopRun) });
		await new Promise((resolve) => setTimeout(resolve, 2500));
		expect(requests('poll').length).toBeGreaterThanOrEqual(1);
		stoppedAt = Date.now();
		stop();
		await running;
		expect(Date.now() - stoppedAt).toBeLessThan(1200);
		await new Promise((resolve) => setTimeout(resolve, 2000));
		expect(requests().filter((request) => request.at > stoppedAt + 300)).toEqual([]);
	});
});
