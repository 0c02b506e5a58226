/** Generate through n8n's engine against the emulator: request bodies, frames, output, dialects. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { KNOWN_GENERATED_IMAGE_ID } from '../emulator/types.ts';
import { FIXTURES } from '../helpers/engine';
import { generate, useEmulator, visibleText } from '../helpers/scenario';

const { emulator, run, requests, createdGenerations } = useEmulator();
const createBodies = () => requests('create').map((request) => request.body as { model: string; public: boolean; parameters: Record<string, unknown> });

test('text-to-video with defaults: body, output JSON, MP4 binary', async () => {
	const result = await run(generate());
	expect(result.error).toBeUndefined();
	expect(createBodies()).toEqual([
		{
			model: 'ltxv-2.3-pro',
			public: false,
			parameters: {
				prompt: 'A paper boat drifts down a rainy street',
				mode: 'RESOLUTION_1080',
				prompt_enhance: 'AUTO',
				quantity: 1,
				duration: 8,
				width: 1920,
				height: 1080,
				audio: true,
			},
		},
	]);

	expect(result.items).toHaveLength(1);
	const [item] = result.items;
	const generationId = item.json.generationId as string;
	expect(emulator.generations.has(generationId)).toBe(true);
	expect(item.json).toMatchObject({
		generationId,
		status: 'COMPLETE',
		model: 'ltxv-2.3-pro',
		prompt: 'A paper boat drifts down a rainy street',
		width: 1920,
		height: 1080,
		videoUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/videos\/.+\.mp4/),
		videoId: expect.any(String),
		cost: { amount: expect.any(String), unit: 'DOLLARS' },
	});
	expect(typeof item.json.seed).toBe('number');
	expect(item.pairedItem).toEqual({ item: 0 });

	const binary = item.binary!.data;
	expect(binary.mimeType).toBe('video/mp4');
	expect(binary.fileName).toBe(`${generationId}.mp4`);
	const bytes = await result.readBinary(item);
	expect(bytes.toString('latin1', 4, 8)).toBe('ftyp');
	expect(bytes.equals(readFileSync(path.join(FIXTURES, 'sample.mp4')))).toBe(true);

	// The key goes to the API host only.
	const apiOrigin = new URL(emulator.baseUrl).origin;
	for (const request of requests()) {
		const hasAuth = request.headers.authorization !== undefined;
		expect({ server: request.server, hasAuth }).toEqual({ server: request.server, hasAuth: request.server === 'api' });
	}
	expect(requests('download')).toHaveLength(1);
	expect(new URL(item.json.videoUrl as string).origin).not.toBe(apiOrigin);
	expect(visibleText(result)).not.toContain(emulator.apiKey);
});

test('every option reaches the body (Fast, 20 s, 4K portrait, no audio, enhance ON, seed, public)', async () => {
	const result = await run(
		generate(
			{ model: 'ltxv-2.3-fast', duration: 20, resolution: 'RESOLUTION_2160', aspectRatio: '9:16', generateAudio: false, promptEnhance: 'ON' },
			{ seed: 42, public: true, binaryPropertyName: 'video' },
		),
	);
	expect(result.error).toBeUndefined();
	expect(createBodies()[0]).toEqual({
		model: 'ltxv-2.3-fast',
		public: true,
		parameters: {
			prompt: 'A paper boat drifts down a rainy street',
			mode: 'RESOLUTION_2160',
			prompt_enhance: 'ON',
			quantity: 1,
			duration: 20,
			width: 2160,
			height: 3840,
			audio: false,
			seed: 42,
		},
	});
	expect(result.items[0].json).toMatchObject({ seed: 42, width: 2160, height: 3840, model: 'ltxv-2.3-fast' });
	expect(Object.keys(result.items[0].binary!)).toEqual(['video']);
});

test('1440p landscape', async () => {
	await run(generate({ resolution: 'RESOLUTION_1440', aspectRatio: '16:9', duration: 6 }));
	expect(createBodies()[0].parameters).toMatchObject({ mode: 'RESOLUTION_1440', width: 2560, height: 1440, duration: 6 });
});

test('image-to-video from binary: start PNG + end JPEG uploaded to S3 without the key, source aspect', async () => {
	const result = await run(
		generate({ startFrame: 'binary', endFrame: 'binary', aspectRatio: 'source', prompt: 'The camera drifts forward as fog rolls in' }),
		{ input: [{ json: { n: 1 }, binary: { data: { file: 'frame.png' }, endFrame: { file: 'frame.jpg' } } }] },
	);
	expect(result.error).toBeUndefined();
	expect(requests('initImage').map((request) => request.body)).toEqual([{ extension: 'png' }, { extension: 'jpg' }]);
	const uploads = requests('s3Upload');
	expect(uploads).toHaveLength(2);
	for (const upload of uploads) {
		expect(upload.status).toBe(204);
		expect(upload.headers.authorization).toBeUndefined();
		const summary = upload.body as { fields: string[]; fileMagicOk: boolean };
		expect(summary.fields[summary.fields.length - 1]).toBe('file');
		expect(summary.fileMagicOk).toBe(true);
	}
	const uploadedIds = [...emulator.uploads.values()].slice(-2).map((upload) => upload.id);
	const { parameters } = createBodies()[0];
	expect(parameters).toMatchObject({ width: 0, height: 0 });
	expect(parameters.guidances).toEqual({
		start_frame: [{ image: { id: uploadedIds[0], type: 'UPLOADED' } }],
		end_frame: [{ image: { id: uploadedIds[1], type: 'UPLOADED' } }],
	});
	expect(result.items[0].json.status).toBe('COMPLETE');
});

test('WebP start frame from a custom binary property', async () => {
	const result = await run(generate({ startFrame: 'binary', startFrameBinaryProperty: 'photo' }), {
		input: [{ binary: { photo: { file: 'frame.webp' } } }],
	});
	expect(result.error).toBeUndefined();
	expect(requests('initImage')[0].body).toEqual({ extension: 'webp' });
	expect(createBodies()[0].parameters.guidances).toEqual({
		start_frame: [{ image: { id: [...emulator.uploads.keys()].pop(), type: 'UPLOADED' } }],
	});
});

test('image-to-video from Leonardo image IDs: first/last frame transition, no upload', async () => {
	const first = await run(generate());
	const videoId = first.items[0].json.videoId as string;
	emulator.clearRequests();
	const result = await run(
		generate({
			startFrame: 'imageId',
			startFrameImageId: KNOWN_GENERATED_IMAGE_ID,
			startFrameImageType: 'GENERATED',
			endFrame: 'imageId',
			endFrameImageId: videoId,
			endFrameImageType: 'GENERATED',
		}),
	);
	expect(result.error).toBeUndefined();
	expect(requests('initImage')).toHaveLength(0);
	expect(createBodies()[0].parameters.guidances).toEqual({
		start_frame: [{ image: { id: KNOWN_GENERATED_IMAGE_ID, type: 'GENERATED' } }],
		end_frame: [{ image: { id: videoId, type: 'GENERATED' } }],
	});
});

test('download off: URL only, no binary, no CDN request', async () => {
	const result = await run(generate({}, { download: false }));
	expect(result.items[0].binary).toBeUndefined();
	expect(result.items[0].json.videoUrl).toMatch(/\.mp4/);
	expect(requests('download')).toHaveLength(0);
});

test('wait off: returns PENDING at once with the cost and no status check (Get and Delete take it from there: get.test.ts, delete.test.ts)', async () => {
	emulator.setOptions({ generationDelayMs: 1500 });
	const submitted = await run(generate({ waitForCompletion: false }));
	expect(submitted.error).toBeUndefined();
	const { json } = submitted.items[0];
	expect(json).toMatchObject({ generationId: expect.any(String), status: 'PENDING', cost: { amount: expect.any(String), unit: 'DOLLARS' } });
	expect(requests('poll')).toHaveLength(0);
});

test('motionMP4URL null: the MP4 comes from url', async () => {
	const result = await run(generate({ prompt: 'A lighthouse at dusk [emu:no-mp4]' }));
	expect(result.error).toBeUndefined();
	expect((await result.readBinary(result.items[0])).toString('latin1', 4, 8)).toBe('ftyp');
});

describe('audio flag and mode dialects (docs/leonardo-api.md §7)', () => {
	test('a 400 naming `audio` is answered once with motion_has_audio; one generation', async () => {
		emulator.setOptions({ audioField: 'motion_has_audio' });
		const result = await run(generate({ generateAudio: false }));
		expect(result.error).toBeUndefined();
		const bodies = createBodies();
		expect(bodies).toHaveLength(2);
		expect(requests('create').map((request) => request.status)).toEqual([400, 200]);
		expect(bodies[0].parameters).toHaveProperty('audio', false);
		expect(bodies[1].parameters).toHaveProperty('motion_has_audio', false);
		expect(bodies[1].parameters).not.toHaveProperty('audio');
		// The refused first create made nothing: this test created exactly the one generation it output.
		expect(createdGenerations()).toEqual([result.items[0].json.generationId]);
	});

	test('the accepted dialect is reused for the next items of the run', async () => {
		emulator.setOptions({ audioField: 'motion_has_audio' });
		const result = await run(generate({}, { maxConcurrency: 1 }), { input: [{ json: {} }, { json: {} }, { json: {} }] });
		expect(result.error).toBeUndefined();
		expect(requests('create').map((request) => request.status)).toEqual([400, 200, 200, 200]);
		expect(createdGenerations().sort()).toEqual(result.items.map((item) => item.json.generationId).sort());
	});

	test('`audio` accepted: sent once', async () => {
		emulator.setOptions({ audioField: 'audio' });
		await run(generate());
		expect(requests('create')).toHaveLength(1);
		expect(createdGenerations()).toHaveLength(1);
		expect(createBodies()[0].parameters).toHaveProperty('audio', true);
	});

	test('a 400 naming `mode` is answered once without mode', async () => {
		emulator.setOptions({ rejectParameters: ['mode'] });
		const result = await run(generate());
		expect(result.error).toBeUndefined();
		expect(requests('create').map((request) => request.status)).toEqual([400, 200]);
		expect(createdGenerations()).toEqual([result.items[0].json.generationId]);
		expect(createBodies()[1].parameters).not.toHaveProperty('mode');
		expect(createBodies()[1].parameters).toMatchObject({ width: 1920, height: 1080 });
	});

	test('a 400 naming `seed` tells the user to clear the seed; not re-sent', async () => {
		emulator.setOptions({ rejectParameters: ['seed'] });
		const result = await run(generate({}, { seed: 5 }));
		expect(result.error?.message).toMatch(/This model did not accept a seed/);
		expect(result.error?.description).toMatch(/Remove the "Seed" option/);
		expect(requests('create')).toHaveLength(1);
		expect(createdGenerations()).toEqual([]);
	});
});
