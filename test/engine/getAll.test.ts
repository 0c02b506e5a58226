/** Get Many through n8n's engine against the emulator: paging, limit, filters, odd records, downloads. */
import type { INodeParameters } from 'n8n-workflow';

import { EMULATOR_USER_ID } from '../emulator/types.ts';
import { generate, useEmulator, visibleText } from '../helpers/scenario';

const { emulator, run, requests } = useEmulator();

const getAll = (overrides: INodeParameters = {}): INodeParameters => ({ resource: 'video', operation: 'getAll', ...overrides });

/** Real generations made through the node (Wait for Completion off), then given time to finish. */
async function makeGenerations(prompts: string[]): Promise<string[]> {
	const result = await run(generate({ prompt: '={{ $json.prompt }}', waitForCompletion: false }), { input: prompts.map((prompt) => ({ json: { prompt } })) });
	expect(result.error).toBeUndefined();
	await new Promise((resolve) => setTimeout(resolve, 600));
	emulator.clearRequests();
	return result.items.map((item) => item.json.generationId as string);
}

/** A list entry as the wire has it (the documented `generations_by_pk` columns). */
const entry = (id: number, extra: Record<string, unknown> = {}) => ({
	id: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
	status: 'COMPLETE',
	createdAt: new Date(Date.UTC(2026, 0, 1) - id * 1000).toISOString(),
	prompt: `listed ${id}`,
	modelId: null,
	imageWidth: 1920,
	imageHeight: 1080,
	seed: id,
	generated_images: [{ id: `10000000-0000-4000-8000-${String(id).padStart(12, '0')}`, url: 'https://cdn.example/poster.jpg', motion: true, motionMP4URL: 'https://cdn.example/v.mp4', motionModel: 'ltxv-2.3-pro' }],
	...extra,
});
const imageEntry = (id: number) =>
	entry(id, { modelId: 'b24e16ff-06e3-43eb-8d33-4416c2d75876', generated_images: [{ id: `20000000-0000-4000-8000-${String(id).padStart(12, '0')}`, url: 'https://cdn.example/i.jpg', motion: false, motionMP4URL: null }] });

/** The next list requests are answered with these pages, in order (a 200 with that body). */
const servePages = (...pages: unknown[][]) => {
	for (const page of pages) emulator.injectFault({ route: 'listByUser', status: 200, body: { generations: page } });
};
const listQueries = () => requests('listByUser').map((request) => request.query);

beforeEach(() => emulator.generations.clear());

test('returns the newest generations first, up to Limit (default 50), with the Get output fields and no MP4', async () => {
	const ids = await makeGenerations(['one', 'two', 'three', 'four', 'five']);
	const result = await run(getAll({ limit: 3 }));

	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(3);
	const newestFirst = [...emulator.generations.values()].sort((a, b) => b.createdAt - a.createdAt).map((generation) => generation.id);
	expect(result.items.map((item) => item.json.generationId)).toEqual(newestFirst.slice(0, 3));
	for (const item of result.items) {
		expect(ids).toContain(item.json.generationId);
		expect(item.json).toMatchObject({
			status: 'COMPLETE',
			model: 'ltxv-2.3-pro',
			width: 1920,
			height: 1080,
			videoUrl: expect.stringMatching(/\.mp4/),
			videoId: expect.any(String),
			mediaType: 'video',
			createdAt: expect.any(String),
		});
		expect(item.binary).toBeUndefined();
		expect(item.pairedItem).toEqual({ item: 0 });
	}
	// GET /v1/me for the user ID, then one page was enough.
	expect(requests('me')).toHaveLength(1);
	expect(requests('listByUser').map((request) => request.path)).toEqual([`/api/rest/v1/generations/user/${EMULATOR_USER_ID}`]);
	expect(listQueries()).toEqual([{ offset: '0', limit: '50' }]);
	expect(requests('download')).toHaveLength(0);

	const defaults = await run(getAll());
	expect(defaults.items).toHaveLength(5);
});

test('Return All pages through the whole list, advancing by what each page held (a server capping pages at 10 cannot end it early)', async () => {
	const all = Array.from({ length: 27 }, (_, index) => entry(index + 1));
	servePages(all.slice(0, 10), all.slice(10, 20), all.slice(20), []);
	const result = await run(getAll({ returnAll: true }));

	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.prompt)).toEqual(all.map((record) => record.prompt));
	expect(listQueries()).toEqual([
		{ offset: '0', limit: '50' },
		{ offset: '10', limit: '50' },
		{ offset: '20', limit: '50' },
		{ offset: '27', limit: '50' },
	]);
});

test('a limit across pages stops as soon as enough records matched; records pushed down onto the next page are not repeated', async () => {
	const all = Array.from({ length: 12 }, (_, index) => entry(index + 1));
	// A new generation arrived between the two requests: the second page starts with the first page's last record.
	servePages(all.slice(0, 5), all.slice(4, 9), all.slice(9));
	const result = await run(getAll({ limit: 8 }));

	expect(result.items.map((item) => item.json.prompt)).toEqual(all.slice(0, 8).map((record) => record.prompt));
	expect(listQueries().map((query) => query.offset)).toEqual(['0', '5']);
});

test('Videos Only (default) leaves out image generations and keeps those without outputs as "unknown"; off keeps everything', async () => {
	const page = [entry(1), imageEntry(2), entry(3, { status: 'PENDING', generated_images: [] }), imageEntry(4), entry(5, { status: 'FAILED', generated_images: [] })];
	servePages(page, []);
	const videos = await run(getAll({ returnAll: true }));
	expect(videos.items.map((item) => [item.json.prompt, item.json.status, item.json.mediaType])).toEqual([
		['listed 1', 'COMPLETE', 'video'],
		['listed 3', 'PENDING', 'unknown'],
		['listed 5', 'FAILED', 'unknown'],
	]);

	servePages(page, []);
	const everything = await run(getAll({ returnAll: true, filters: { videosOnly: false } }));
	expect(everything.items.map((item) => item.json.mediaType)).toEqual(['video', 'image', 'unknown', 'image', 'unknown']);
	// An image's model is its platform model ID: reported as it is, it names no LTX model.
	expect(everything.items[1].json.model).toBe('b24e16ff-06e3-43eb-8d33-4416c2d75876');
});

test('the Status filter keeps only that status (here FAILED and PENDING among real generations)', async () => {
	await makeGenerations(['fine', 'broken [emu:failed]', 'stuck [emu:never]', 'also fine']);
	const failed = await run(getAll({ filters: { status: 'FAILED' } }));
	expect(failed.items.map((item) => [item.json.prompt, item.json.status])).toEqual([['broken [emu:failed]', 'FAILED']]);
	const pending = await run(getAll({ returnAll: true, filters: { status: 'PENDING' } }));
	expect(pending.items.map((item) => item.json.prompt)).toEqual(['stuck [emu:never]']);
	const complete = await run(getAll({ filters: { status: 'COMPLETE' } }));
	expect(complete.items.map((item) => item.json.prompt).sort()).toEqual(['also fine', 'fine']);
});

test('an empty account outputs no items and no error', async () => {
	const result = await run(getAll({ returnAll: true }));
	expect(result.error).toBeUndefined();
	expect(result.items).toEqual([]);
	expect(listQueries()).toEqual([{ offset: '0', limit: '50' }]);
});

test('records with missing fields are output with what is known; entries without an id or status are left out', async () => {
	servePages(
		[
			{ id: '00000000-0000-4000-8000-000000000001', status: 'COMPLETE' },
			{ id: '00000000-0000-4000-8000-000000000002' },
			{ status: 'COMPLETE', prompt: 'no id' },
			'not even an object',
			entry(5, { generated_images: 'x', prompt: null, seed: 'seven', imageWidth: null }),
		],
		[],
	);
	const result = await run(getAll({ returnAll: true }));
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json)).toEqual([
		{ generationId: '00000000-0000-4000-8000-000000000001', status: 'COMPLETE', mediaType: 'unknown' },
		{ generationId: entry(5).id, status: 'COMPLETE', height: 1080, createdAt: entry(5).createdAt, mediaType: 'unknown' },
	]);
});

test('a list answer without "generations" fails clearly; so does an account without a user ID, before any listing', async () => {
	emulator.injectFault({ route: 'listByUser', status: 200, body: { something: 'else' } });
	const odd = await run(getAll());
	expect(odd.error?.message).toBe('Leonardo answered the list of generations with an unexpected body');

	emulator.clearRequests();
	emulator.injectFault({ route: 'me', status: 200, body: { user_details: [] } });
	const noUser = await run(getAll());
	expect(noUser.error?.message).toMatch(/name no user ID/);
	expect(requests('listByUser')).toHaveLength(0);
});

test('Download Videos on: completed videos carry their MP4 (no key sent to the CDN); pending ones are listed without', async () => {
	await makeGenerations(['first', 'later [emu:never]']);
	const result = await run(getAll({ options: { download: true, binaryPropertyName: 'video' } }));

	expect(result.error).toBeUndefined();
	const byPrompt = Object.fromEntries(result.items.map((item) => [item.json.prompt, item]));
	expect(byPrompt['first'].binary?.video).toMatchObject({ mimeType: 'video/mp4', fileName: `${byPrompt['first'].json.generationId}.mp4` });
	expect((await result.readBinary(byPrompt['first'], 'video')).toString('latin1', 4, 8)).toBe('ftyp');
	expect(byPrompt['later [emu:never]'].binary).toBeUndefined();
	expect(requests('download')).toHaveLength(1);
	expect(requests('download')[0].headers.authorization).toBeUndefined();
	expect(visibleText(result)).not.toContain(emulator.apiKey);
});

test('an expired MP4 link is fetched again through a lookup that outlasts three 500s (the video is not lost to a brief outage)', async () => {
	await makeGenerations(['expires']);
	emulator.injectFault({ route: 'download', status: 403, body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' });
	emulator.injectFault({ route: 'poll', status: 500, times: 3 });
	const result = await run(getAll({ options: { download: true } }));

	expect(result.error).toBeUndefined();
	expect((await result.readBinary(result.items[0], 'data')).toString('latin1', 4, 8)).toBe('ftyp');
	expect(requests('download').map((request) => request.status)).toEqual([403, 200]);
	// The refresh is the only lookup Get Many makes; after the 500s the emulator's first-read 404/null/500 may follow.
	const lookups = requests('poll').map((request) => request.status);
	expect(lookups.slice(0, 3)).toEqual([500, 500, 500]);
	expect(lookups.at(-1)).toBe(200);
});

test('each input item lists on its own (paired with it); the account is read once per execution', async () => {
	await makeGenerations(['a', 'b', 'c']);
	const result = await run(getAll({ limit: '={{ $json.limit }}' }), { input: [{ json: { limit: 1 } }, { json: { limit: 2 } }] });
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 1 }]);
	expect(requests('me')).toHaveLength(1);
});

test('bad Limit or filter values fail before any request, saying what to set', async () => {
	for (const [parameters, message] of [
		[{ limit: 0 }, /Limit 0 is not a whole number of 1 or more/],
		[{ limit: 2.5 }, /Limit 2.5/],
		[{ filters: { status: 'DONE' } }, /Status filter "DONE" is not a generation status/],
		[{ filters: { videosOnly: 'yes' } }, /"Videos Only" must be true or false/],
	] as const) {
		emulator.clearRequests();
		const result = await run(getAll(parameters as INodeParameters));
		expect(result.error?.message).toMatch(message);
		expect(requests()).toHaveLength(0);
	}
});
