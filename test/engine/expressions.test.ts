/**
 * Parameters held by expressions, through n8n's engine. The harness runs n8n-core's own pre-run issue
 * check, so a workflow n8n would refuse to start is refused here too (the run rejects).
 */
import { WorkflowHasIssuesError } from 'n8n-core';

import { KNOWN_GENERATED_IMAGE_ID } from '../emulator/types.ts';
import { generate, useEmulator } from '../helpers/scenario';

const { emulator, run, requests } = useEmulator();

test('n8n refuses, before any node runs, a workflow whose shown required field is empty', async () => {
	await expect(run(generate({ prompt: '' }))).rejects.toThrow(WorkflowHasIssuesError);
	await expect(run(generate({ prompt: '' }))).rejects.toThrow(/Parameter "Prompt" is required/);
	expect(requests()).toEqual([]);
});

const bodies = () => requests('create').map((request) => request.body as { model: string; parameters: Record<string, unknown> });

/** Generate driven by the incoming item; fields the user would leave empty are left out. */
const fromItem = (overrides: Record<string, unknown> = {}) => ({
	resource: 'video',
	operation: 'generate',
	prompt: '={{ $json.prompt }}',
	options: { pollInterval: 1, download: false },
	...overrides,
});

test('frame source from an expression, per item: none, binary and imageId in one batch', async () => {
	const result = await run(
		fromItem({
			startFrame: '={{ $json.source }}',
			startFrameImageId: '={{ $json.imageId ?? "" }}',
			aspectRatio: '={{ $json.source === "none" ? "9:16" : "source" }}',
		}),
		{
			input: [
				{ json: { prompt: 'text only', source: 'none' } },
				{ json: { prompt: 'from binary', source: 'binary' }, binary: { data: { file: 'frame.png' } } },
				{ json: { prompt: 'from id', source: 'imageId', imageId: KNOWN_GENERATED_IMAGE_ID } },
			],
		},
	);
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => [item.json.prompt, item.json.status, item.pairedItem])).toEqual([
		['text only', 'COMPLETE', { item: 0 }],
		['from binary', 'COMPLETE', { item: 1 }],
		['from id', 'COMPLETE', { item: 2 }],
	]);
	expect(requests('initImage')).toHaveLength(1);
	const byPrompt = Object.fromEntries(bodies().map((body) => [body.parameters.prompt, body.parameters]));
	expect(byPrompt['text only']).toMatchObject({ width: 1080, height: 1920 });
	expect(byPrompt['text only'].guidances).toBeUndefined();
	expect(byPrompt['from binary']).toMatchObject({ width: 0, height: 0, guidances: { start_frame: [{ image: { type: 'UPLOADED' } }] } });
	expect(byPrompt['from id']).toMatchObject({ guidances: { start_frame: [{ image: { id: KNOWN_GENERATED_IMAGE_ID, type: 'GENERATED' } }] } });
});

test('model and duration from expressions (the Duration list of every length); resolution from an expression', async () => {
	const result = await run(
		fromItem({ model: '={{ $json.model }}', duration: '={{ $json.seconds }}', resolution: '={{ $json.resolution }}' }),
		{
			input: [
				{ json: { prompt: 'fast 20', model: 'ltxv-2.3-fast', seconds: 20, resolution: 'RESOLUTION_1440' } },
				{ json: { prompt: 'pro 6', model: 'ltxv-2.3-pro', seconds: 6, resolution: 'RESOLUTION_2160' } },
			],
		},
	);
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.model)).toEqual(['ltxv-2.3-fast', 'ltxv-2.3-pro']);
	const byPrompt = Object.fromEntries(bodies().map((body) => [body.parameters.prompt, body]));
	expect(byPrompt['fast 20']).toMatchObject({ model: 'ltxv-2.3-fast', parameters: { duration: 20, width: 2560, height: 1440 } });
	expect(byPrompt['pro 6']).toMatchObject({ model: 'ltxv-2.3-pro', parameters: { duration: 6, width: 3840, height: 2160 } });
});

describe('`model` in the output is the slug, whatever spelling the record uses', () => {
	test.each([
		['enum', 'ltxv-2.3-fast'],
		['snake', 'ltxv-2.3-fast'],
		['display', 'ltxv-2.3-fast'],
		['slug', 'ltxv-2.3-fast'],
		['null', undefined],
		['missing', undefined],
	] as const)('motionModel spelled %s: Get outputs %s, Generate the requested slug', async (spelling, getModel) => {
		emulator.setOptions({ motionModelSpelling: spelling });
		const generated = await run(generate({ model: 'ltxv-2.3-fast', duration: 6 }, { download: false }));
		expect(generated.items[0].json.model).toBe('ltxv-2.3-fast');
		const fetched = await run({ resource: 'video', operation: 'get', generationId: generated.items[0].json.generationId as string, options: { download: false } });
		expect(fetched.items[0].json.status).toBe('COMPLETE');
		expect(fetched.items[0].json.model).toBe(getModel);
	});
});
