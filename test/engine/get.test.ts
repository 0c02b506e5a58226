/**
 * Get through n8n's engine against the emulator: one lookup per item; PENDING, FAILED and a moderated
 * COMPLETE are reported (not thrown); a COMPLETE video brings its MP4; an unknown ID fails clearly.
 */
import { randomUUID } from 'node:crypto';
import type { INodeParameters } from 'n8n-workflow';

import { generate, useEmulator } from '../helpers/scenario';

const { emulator, run, requests } = useEmulator();

const get = (generationId: string, options: INodeParameters = {}): INodeParameters => ({ resource: 'video', operation: 'get', generationId, options });

/** A generation made through the node without waiting (as a workflow that uses Get makes it). */
async function submit(prompt = 'A paper boat drifts down a rainy street'): Promise<string> {
	const submitted = await run(generate({ prompt, waitForCompletion: false }));
	expect(submitted.error).toBeUndefined();
	emulator.clearRequests();
	return submitted.items[0].json.generationId as string;
}

/** Get of a generation submitted with `prompt`, once the emulator has finished it. */
async function getFinished(prompt?: string, options: INodeParameters = {}) {
	const generationId = await submit(prompt);
	await new Promise((resolve) => setTimeout(resolve, 600));
	const result = await run(get(generationId, options));
	expect(result.error).toBeUndefined();
	return { generationId, json: result.items[0].json, binary: result.items[0].binary };
}

test('PENDING is reported without an MP4; once COMPLETE the MP4 arrives under the chosen binary property', async () => {
	// The first reads of a new ID answer 404/null/500 by default and Get asks again for up to 6 s (tested in
	// strict-api-readings.test.ts); off here, so that the first Get sees the generation while it is PENDING.
	emulator.setOptions({ generationDelayMs: 1500, freshReadWindowMs: 0 });
	const generationId = await submit();

	const early = await run(get(generationId));
	expect(early.items[0].json).toMatchObject({ generationId, status: 'PENDING' });
	expect(early.items[0].binary).toBeUndefined();
	expect(requests('download')).toHaveLength(0);

	await new Promise((resolve) => setTimeout(resolve, 1600));
	const later = await run(get(generationId, { binaryPropertyName: 'clip' }));
	expect(later.items[0].json).toMatchObject({ generationId, status: 'COMPLETE', videoId: expect.any(String) });
	expect(later.items[0].binary!.clip).toMatchObject({ mimeType: 'video/mp4', fileName: `${generationId}.mp4` });
	expect((await later.readBinary(later.items[0], 'clip')).toString('latin1', 4, 8)).toBe('ftyp');
});

test('COMPLETE with Download off: the video URL only, no CDN request', async () => {
	const { generationId, json, binary } = await getFinished(undefined, { download: false });
	expect(json).toMatchObject({ generationId, status: 'COMPLETE', videoUrl: expect.stringMatching(/\.mp4/) });
	expect(binary).toBeUndefined();
	expect(requests('download')).toHaveLength(0);
});

test('FAILED is reported as the status, not thrown, and nothing is downloaded', async () => {
	const { generationId, json, binary } = await getFinished('A storm at sea [emu:failed]');
	expect(json).toMatchObject({ generationId, status: 'FAILED' });
	expect(binary).toBeUndefined();
	expect(requests('download')).toHaveLength(0);
});

test('COMPLETE without a video says so, with moderation only as the reported cause, and that the generation is final', async () => {
	const { generationId, json, binary } = await getFinished('A storm at sea [emu:moderated]');
	expect(json).toMatchObject({ generationId, status: 'COMPLETE', message: expect.stringMatching(/without a video and gave no reason \(the only reported cause is content moderation/) });
	expect(json.message).toMatch(/This generation is final: a new Generate run creates \(and bills\) a new one/);
	expect(binary).toBeUndefined();
});

test('an unknown ID: "no generation with ID", after asking again for a few seconds (a new ID may not be readable yet)', async () => {
	const unknownId = randomUUID();
	const result = await run(get(unknownId));
	expect(result.error?.message).toBe(`Leonardo has no generation with ID ${unknownId}`);
	expect(result.error?.description).toMatch(/Check the ID/);
	expect(requests('poll').length).toBeGreaterThan(1);
	expect(requests('poll').every((request) => request.path.endsWith(unknownId))).toBe(true);
}, 20_000);

test('each input item is looked up on its own and paired with it', async () => {
	const ids = [await submit('one'), await submit('two')];
	await new Promise((resolve) => setTimeout(resolve, 600));
	const result = await run(get('={{ $json.id }}', { download: false }), { input: ids.map((id) => ({ json: { id } })) });
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => [item.json.generationId, item.json.prompt])).toEqual([
		[ids[0], 'one'],
		[ids[1], 'two'],
	]);
	expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
});
