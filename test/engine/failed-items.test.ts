/**
 * How failures reach the user through n8n's engine: a rate limit that does not end, an error page quoted
 * short, failed items with continueOnFail (error items with their IDs) and without (the error names the
 * generations already paid for). Faults and bad input in bulk live in test/matrix/.
 */
import { QUOTE_MAX_LENGTH } from '../../nodes/shared/errors';
import { generate, useEmulator } from '../helpers/scenario';

const { emulator, run, requests, createdGenerations } = useEmulator();

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

describe('final and unfinished generations get different advice', () => {
	const FINAL = /This generation is final: fetching it again with "Get" brings no video\. Running Generate again creates \(and bills\) a new generation\./;
	const MAY_STILL_FINISH = /may still finish/;

	test.each([
		['FAILED', 'A paper boat [emu:failed]', /Leonardo reports that generation .+ failed/],
		['COMPLETE without a video', 'A paper boat [emu:moderated]', /Generation .+ finished without a video/],
	])('%s: the generation is final; no "fetch it later", no claim about billing or moderation as fact', async (_state, prompt, message) => {
		const result = await run(generate({ prompt }));
		expect(result.error?.message).toMatch(message);
		const description = result.error?.description ?? '';
		expect(description).toMatch(FINAL);
		expect(description).not.toMatch(MAY_STILL_FINISH);
		expect(description).not.toMatch(/normally not charged|which happens when content moderation/);
		expect(description).toContain(createdGenerations()[0]);
	});

	test('a timeout (still PENDING) keeps "fetch it later with Get"', async () => {
		const result = await run(generate({ prompt: 'A paper boat [emu:never]' }, { timeout: 2 }));
		expect(result.error?.message).toMatch(/did not finish within 2 seconds/);
		expect(result.error?.description).toMatch(MAY_STILL_FINISH);
		expect(result.error?.description).not.toMatch(/is final/);
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
});
