/** Items, cancel and secrecy through n8n's engine (faults and bad input live in test/matrix/). */
import { QUOTE_MAX_LENGTH } from '../../nodes/shared/errors';
import { captureLogs } from '../helpers/engine';
import { generate, useEmulator, visibleText } from '../helpers/scenario';

const { emulator, run, requests } = useEmulator();

test('persistent 429 on create ends with a rate-limit error after 4 attempts', async () => {
	emulator.injectFault({ route: 'create', status: 429, times: 10, body: { error: 'Too many requests' }, headers: { 'retry-after': '0' } });
	const result = await run(generate());
	expect(result.error?.name).toBe('NodeApiError');
	expect(result.error?.httpCode).toBe('429');
	expect(result.error?.description).toMatch(/rate-limited/);
	expect(requests('create')).toHaveLength(4);
});

test('a large error page is not echoed: the message carries a short excerpt', async () => {
	emulator.injectFault({ route: 'create', status: 500, body: `<html><body><h1>Oops</h1>${'<p>stack frame</p>'.repeat(5000)}</body></html>` });
	const result = await run(generate());
	expect(result.error?.message).toMatch(/Oops/);
	// The quote's cap plus the node's words around it.
	expect(result.error!.message.length).toBeLessThan(QUOTE_MAX_LENGTH + 100);
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
		expect(result.items[1].json).toMatchObject({ error: expect.stringMatching(/failed/), details: { generationId: expect.any(String) } });
		expect(result.items[2].json).toMatchObject({ error: 'The prompt is empty [item 2]' });
		expect((result.items[2].json.details as Record<string, unknown>).generationId).toBeUndefined();
		expect(result.items[3].json).toMatchObject({ status: 'COMPLETE', prompt: 'four' });
		expect(requests('create')).toHaveLength(3);
	});

	test('continueOnFail after the video is known: the error item carries generationId and videoUrl', async () => {
		emulator.injectFault({ route: 'download', status: 503, times: 10 });
		const result = await run(generate(), { continueOnFail: true });
		expect(result.items[0].json).toMatchObject({
			error: expect.stringMatching(/Downloading the video/),
			details: { generationId: expect.any(String), videoUrl: expect.stringMatching(/\.mp4/) },
		});
	}, 30_000);

	test('without continueOnFail the first failure names the other generations already paid for, with status and link', async () => {
		const result = await run(generate({ prompt: '={{ $json.prompt }}' }, { maxConcurrency: 2 }), {
			input: [{ json: { prompt: 'slow one [emu:delay=2000]' } }, { json: { prompt: 'bad [emu:failed]' } }],
		});
		// Found by prompt: both creates go out together, so the emulator may see item 1's first.
		const slowOne = [...emulator.generations.values()].find((generation) => generation.params.prompt.startsWith('slow one'));
		expect(result.error?.message).toMatch(/failed/);
		expect(result.error?.description).toContain(`item 0: generation ${slowOne?.id}, COMPLETE, video http`);
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

describe('cancel stops within about a second and sends nothing more', () => {
	async function stopAfter(delayMs: number, parameters = generate({ prompt: 'Forever [emu:never]' }), input?: Array<{ json: { n: number } }>) {
		let stop: () => void = () => {};
		const running = run(parameters, { input, onStarted: (stopRun) => (stop = stopRun) });
		await new Promise((resolve) => setTimeout(resolve, delayMs));
		const stoppedAt = Date.now();
		stop();
		await running;
		const stopTook = Date.now() - stoppedAt;
		await new Promise((resolve) => setTimeout(resolve, 1500));
		return { stopTook, after: requests().filter((request) => request.at > stoppedAt + 300) };
	}

	test('while polling', async () => {
		const { stopTook, after } = await stopAfter(2500);
		expect(requests('poll').length).toBeGreaterThanOrEqual(1);
		expect(stopTook).toBeLessThan(1200);
		expect(after).toEqual([]);
	});

	test('while the create request is in flight', async () => {
		emulator.injectFault({ route: 'create', kind: 'hang' });
		const { stopTook, after } = await stopAfter(800, generate());
		expect(requests('create')).toHaveLength(1);
		expect(stopTook).toBeLessThan(1200);
		expect(after).toEqual([]);
	});

	test('while downloading', async () => {
		emulator.injectFault({ route: 'download', kind: 'hang' });
		const { stopTook, after } = await stopAfter(2500, generate());
		expect(requests('download')).toHaveLength(1);
		expect(stopTook).toBeLessThan(1200);
		expect(after).toEqual([]);
	});

	test('with many items in flight', async () => {
		const items = Array.from({ length: 10 }, (_, n) => ({ json: { n } }));
		const { stopTook, after } = await stopAfter(2500, generate({ prompt: '={{ "clip " + $json.n + " [emu:never]" }}' }, { maxConcurrency: 8 }), items);
		expect(requests('create')).toHaveLength(8);
		expect(stopTook).toBeLessThan(1200);
		expect(after).toEqual([]);
	});
});

test('the key is never in output, errors or logs; created generation IDs are logged', async () => {
	const logs = captureLogs();
	try {
		const ok = await run(generate({ startFrame: 'binary' }), { input: [{ binary: { data: { file: 'frame.png' } } }] });
		emulator.injectFault({ route: 'poll', status: 401, body: { error: 'Authentication hook unauthorized this request', path: '$', code: 'access-denied' } });
		const failed = await run(generate());
		expect(visibleText(ok)).not.toContain(emulator.apiKey);
		expect(visibleText(failed)).not.toContain(emulator.apiKey);
		expect(failed.error?.description).toMatch(/Generation ID: [0-9a-f-]{36}/);
		const generationId = ok.items[0].json.generationId as string;
		expect(logs.lines).toContainEqual(expect.stringContaining(`info: LTX Video: created generation ${generationId}`));
	} finally {
		logs.stop();
	}
	expect(logs.lines.join('\n')).not.toContain(emulator.apiKey);
	for (const request of requests()) {
		if (request.server !== 'api') expect(request.headers.authorization).toBeUndefined();
	}
});
