/**
 * One upload per distinct frame image per execution, counted on the emulator's init-image and S3 routes;
 * and what is uploaded is the image's exact bytes, from every source.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { FIXTURES } from '../helpers/engine';
import { generate, useEmulator } from '../helpers/scenario';

const { emulator, run, requests, createdGenerations } = useEmulator();

type Body = { parameters: { guidances?: { start_frame?: Array<{ image: { id: string } }>; end_frame?: Array<{ image: { id: string } }> } } };
const startFrameIds = () => requests('create').map((request) => (request.body as Body).parameters.guidances?.start_frame?.[0]?.image.id);
const batch = (files: string[]) => files.map((file, index) => ({ json: { n: index }, binary: { data: { file } } }));

test('a batch of 4 items starting from the same image uploads it once; every create uses that ID', async () => {
	const result = await run(generate({ startFrame: 'binary' }, { maxConcurrency: 4 }), { input: batch(['frame.png', 'frame.png', 'frame.png', 'frame.png']) });

	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.status)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE']);
	expect(requests('initImage')).toHaveLength(1);
	expect(requests('s3Upload')).toHaveLength(1);
	const ids = startFrameIds();
	expect(ids).toHaveLength(4);
	expect(new Set(ids).size).toBe(1);
	expect(emulator.uploads.has(ids[0]!)).toBe(true);
});

test('different images are uploaded once each (same bytes = same image, whatever the item)', async () => {
	const result = await run(generate({ startFrame: 'binary' }, { maxConcurrency: 2 }), { input: batch(['frame.png', 'frame.jpg', 'frame.png', 'frame.jpg']) });

	expect(result.error).toBeUndefined();
	expect(requests('initImage').map((request) => request.body)).toEqual(expect.arrayContaining([{ extension: 'png' }, { extension: 'jpg' }]));
	expect(requests('initImage')).toHaveLength(2);
	expect(requests('s3Upload')).toHaveLength(2);
	const ids = startFrameIds();
	expect(new Set(ids).size).toBe(2);
});

test('the same image as start and end frame of one item is uploaded once', async () => {
	const result = await run(generate({ startFrame: 'binary', endFrame: 'binary', endFrameBinaryProperty: 'data' }), { input: batch(['frame.webp']) });

	expect(result.error).toBeUndefined();
	expect(requests('initImage')).toHaveLength(1);
	const [body] = requests('create').map((request) => request.body as Body);
	expect(body.parameters.guidances?.end_frame?.[0]?.image.id).toBe(body.parameters.guidances?.start_frame?.[0]?.image.id);
});

test('when Leonardo refuses a reused init image ID, that item uploads afresh once and the rest of the run stops sharing', async () => {
	emulator.setOptions({ initImagesSingleUse: true });
	const result = await run(generate({ startFrame: 'binary' }, { maxConcurrency: 1 }), { input: batch(['frame.png', 'frame.png', 'frame.png']) });

	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.status)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE']);
	expect(createdGenerations()).toHaveLength(3);
	// Item 1's create with item 0's ID is refused (nothing created), then sent with its own upload; item 2 uploads its own.
	expect(requests('create').map((request) => request.status)).toEqual([200, 400, 200, 200]);
	expect(requests('initImage')).toHaveLength(3);
	const ids = startFrameIds();
	expect(ids[1]).toBe(ids[0]);
	expect(new Set([ids[0], ids[2], ids[3]]).size).toBe(3);
});

describe('the uploaded file is the image, byte for byte (3 MiB: many chunks, several base64 slices)', () => {
	const SIZE = 3 * 1024 * 1024 + 123;
	const png = readFileSync(path.join(FIXTURES, 'frame.png'));
	// The emulator's padded.png: frame.png followed by zero bytes.
	const bytes = Buffer.concat([png, Buffer.alloc(SIZE - png.length)]);
	// Not all zeros: a slice decoded in the wrong place would show.
	for (let offset = png.length; offset < SIZE; offset += 4099) bytes[offset] = offset % 251;
	const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

	test.each([
		['binary in the store', false],
		['binary in memory (n8n 1.x memory mode)', true],
	])('%s', async (_where, inMemory) => {
		const result = await run(generate({ startFrame: 'binary' }), { input: [{ binary: { data: { bytes, fileName: 'big.png', mimeType: 'image/png', inMemory } } }] });

		expect(result.error).toBeUndefined();
		const [upload] = requests('s3Upload');
		expect(upload.headers['content-length']).toBeDefined();
		expect(upload.body).toMatchObject({ fileName: 'big.png', fileBytes: SIZE, fileSha256: sha256(bytes), fileMagicOk: true });
	});

	test('a link', async () => {
		const padded = Buffer.concat([png, Buffer.alloc(SIZE - png.length)]);
		const result = await run(generate({ startFrame: 'url', startFrameUrl: `${emulator.imagesUrl}/images/padded.png?bytes=${SIZE}` }, { allowPrivateLinks: true }));

		expect(result.error).toBeUndefined();
		expect(requests('s3Upload')[0].body).toMatchObject({ fileName: 'padded.png', fileBytes: SIZE, fileSha256: sha256(padded), fileMagicOk: true });
	});
});
