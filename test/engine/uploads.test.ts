/** One upload per distinct frame image per execution, counted on the emulator's init-image and S3 routes. */
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
