/**
 * Settings → On Error, through n8n's engine: which output each item lands on for every value n8n
 * offers (and the legacy Continue On Fail flag), and what a batch does when it stops on a failure.
 */
import { generate, useEmulator } from '../helpers/scenario';

const { emulator, run, requests, createdGenerations } = useEmulator();

/** One good item, one whose generation FAILS (created and named), one refused before any request, one good. */
const input = [{ json: { prompt: 'one' } }, { json: { prompt: 'two [emu:failed]' } }, { json: { prompt: '' } }, { json: { prompt: 'four' } }];
const parameters = generate({ prompt: '={{ $json.prompt }}' });

/** The generation this test created for `prompt` (the emulator keeps those of earlier tests too). */
const idOfPrompt = (prompt: string) => createdGenerations().find((id) => emulator.generations.get(id)?.params.prompt === prompt);

describe('On Error: where each item lands', () => {
	test('Continue (using error output): successes on output 0, failures on output 1 with their generation ID', async () => {
		const result = await run(parameters, { onError: 'continueErrorOutput', input });
		expect(result.error).toBeUndefined();
		expect(result.outputs).toHaveLength(2);
		const [success, failed] = result.outputs;
		expect(success.map((item) => [item.pairedItem, item.json.prompt, item.json.status])).toEqual([
			[{ item: 0 }, 'one', 'COMPLETE'],
			[{ item: 3 }, 'four', 'COMPLETE'],
		]);
		expect(failed.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		// n8n copies an error-output item adding its input item's fields, and keeps our json (it would keep
		// the message alone if the item still carried an item-level `error`; n8n 1.x routes on that field).
		expect(failed[0].json).toMatchObject({
			prompt: 'two [emu:failed]',
			error: expect.stringMatching(/generation .* failed/),
			details: { generationId: idOfPrompt('two [emu:failed]'), description: expect.stringMatching(/FAILED/) },
		});
		expect(failed[1].json).toMatchObject({ error: 'The prompt is empty [item 2]', details: { description: expect.any(String) } });
		expect((failed[1].json.details as object as Record<string, unknown>).generationId).toBeUndefined();
		expect(requests('create')).toHaveLength(3);
		expect(createdGenerations()).toHaveLength(3);
	});

	test.each([
		['Continue (regular output)', { onError: 'continueRegularOutput' as const }],
		['the legacy Continue On Fail flag', { continueOnFail: true }],
	])('%s: one output, failed items in their place with their generation ID', async (_name, settings) => {
		const result = await run(parameters, { ...settings, input });
		expect(result.error).toBeUndefined();
		expect(result.outputs).toHaveLength(1);
		expect(result.items.map((item) => [item.pairedItem, item.json.error ? 'error' : item.json.status])).toEqual([
			[{ item: 0 }, 'COMPLETE'],
			[{ item: 1 }, 'error'],
			[{ item: 2 }, 'error'],
			[{ item: 3 }, 'COMPLETE'],
		]);
		expect(result.items[1].json).toEqual({
			error: expect.stringMatching(/generation .* failed/),
			details: expect.objectContaining({ generationId: idOfPrompt('two [emu:failed]') }),
		});
		expect(requests('create')).toHaveLength(3);
	});

	test.each([
		['Stop Workflow', { onError: 'stopWorkflow' as const }],
		['no setting (n8n’s default)', {}],
	])('%s: the bad item stops the node before any request', async (_name, settings) => {
		const result = await run(parameters, { ...settings, input });
		expect(result.error?.message).toBe('The prompt is empty [item 2]');
		expect(result.outputs).toEqual([]);
		expect(requests()).toEqual([]);
	});

	test('Continue (using error output) once the video is known: the error item carries its generation ID and URL', async () => {
		emulator.injectFault({ route: 'download', status: 503, times: 20 });
		const result = await run(generate(), { onError: 'continueErrorOutput' });
		expect(result.outputs[0]).toEqual([]);
		expect(result.outputs[1]).toHaveLength(1);
		expect(result.outputs[1][0].json).toMatchObject({
			error: expect.stringMatching(/Downloading the video/),
			details: { generationId: createdGenerations()[0], videoUrl: expect.stringMatching(/\.mp4/) },
		});
	}, 60_000);
});

describe('a batch without Continue stops on its first failure', () => {
	test('nothing new is created, created generations are waited for, and the error names each with status and link', async () => {
		const batch = ['slow [emu:delay=2500]', 'bad [emu:failed]', 'endless [emu:never]', 'later 1', 'later 2'].map((prompt) => ({ json: { prompt } }));
		const result = await run(generate({ prompt: '={{ $json.prompt }}' }, { maxConcurrency: 3, timeout: 8 }), { input: batch });
		expect(result.error?.message).toMatch(/generation .* failed/);
		expect(requests('create')).toHaveLength(3);
		const description = result.error?.description ?? '';
		const slow = emulator.generations.get(idOfPrompt('slow [emu:delay=2500]')!)!;
		expect(slow.status).toBe('COMPLETE');
		expect(description).toContain(`item 0: generation ${slow.id}, COMPLETE, video http`);
		expect(description).toContain(`item 2: generation ${idOfPrompt('endless [emu:never]')}, failed: Generation ${idOfPrompt('endless [emu:never]')} did not finish within 8 seconds`);
		expect(description).toMatch(/2 other item\(s\) created nothing/);
		expect(description).toMatch(/On Error → Continue/);
		// The finished video is not downloaded only to be thrown away with the failed run.
		expect(requests('download')).toEqual([]);
	}, 60_000);
});
