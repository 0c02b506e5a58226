/**
 * Options → Download Poster Image and File Name, through n8n's engine against the emulator: the poster as a
 * second binary ("poster") when Leonardo reports one, a note (never an error) when it reports none or the
 * poster cannot be downloaded, the MP4 delivered in every case; the file name per item from an expression,
 * checked before any request.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { INodeParameters } from 'n8n-workflow';

import { FIXTURES } from '../helpers/engine';
import { generate, useEmulator, visibleText } from '../helpers/scenario';

const { emulator, run, requests, createdGenerations } = useEmulator();

const POSTER_JPEG = readFileSync(path.join(FIXTURES, 'frame.jpg'));
const SAMPLE_MP4 = readFileSync(path.join(FIXTURES, 'sample.mp4'));

test('Download Poster Image off (default): the MP4 only; on: the JPG poster in "poster", named after the MP4, without the key', async () => {
	const plain = await run(generate());
	expect(plain.error).toBeUndefined();
	expect(Object.keys(plain.items[0].binary!)).toEqual(['data']);
	expect(plain.items[0].json.notice).toBeUndefined();
	expect(requests('poster')).toHaveLength(0);

	emulator.clearRequests();
	const result = await run(generate({}, { downloadPoster: true }));
	expect(result.error).toBeUndefined();
	const [item] = result.items;
	const generationId = item.json.generationId as string;
	expect(Object.keys(item.binary!).sort()).toEqual(['data', 'poster']);
	expect(item.binary!.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${generationId}.mp4` });
	expect(item.binary!.poster).toMatchObject({ mimeType: 'image/jpeg', fileName: `${generationId}.jpg` });
	expect((await result.readBinary(item, 'poster')).equals(POSTER_JPEG)).toBe(true);
	expect((await result.readBinary(item, 'data')).equals(SAMPLE_MP4)).toBe(true);
	expect(item.json.posterUrl).toMatch(new RegExp(`/posters/${generationId}\\.jpg$`));
	expect(item.json.notice).toBeUndefined();
	const posterRequests = requests('poster');
	expect(posterRequests).toHaveLength(1);
	expect(posterRequests[0].headers.authorization).toBeUndefined();
	expect(visibleText(result)).not.toContain(emulator.apiKey);
});

test('Download Video off, poster on: the poster alone', async () => {
	const result = await run(generate({}, { download: false, downloadPoster: true }));
	expect(result.error).toBeUndefined();
	expect(Object.keys(result.items[0].binary!)).toEqual(['poster']);
	expect(requests('download')).toHaveLength(0);
});

test.each([
	['none', 'no poster link (url null)'],
	['mp4-link', 'the MP4 link as url'],
] as const)('posterVariant %s (%s): the MP4, no "poster" binary, a note that none was reported', async (posterVariant, _reading) => {
	emulator.setOptions({ posterVariant });
	const result = await run(generate({}, { downloadPoster: true }));
	expect(result.error).toBeUndefined();
	const [item] = result.items;
	expect(Object.keys(item.binary!)).toEqual(['data']);
	expect((await result.readBinary(item, 'data')).equals(SAMPLE_MP4)).toBe(true);
	expect(item.json.posterUrl).toBeUndefined();
	expect(item.json.notice).toBe('Leonardo reported no poster image for this video, so the output has no "poster" binary.');
	// The MP4 link is downloaded once, as the video, never as a poster.
	expect(requests('download')).toHaveLength(1);
	expect(requests('poster')).toHaveLength(0);
});

test('a poster that keeps answering 404 (a fresh link asked for in between): the MP4 is delivered, the item notes the poster', async () => {
	emulator.setOptions({ posterVariant: 'missing' });
	const result = await run(generate({}, { downloadPoster: true }));
	expect(result.error).toBeUndefined();
	const [item] = result.items;
	expect(item.json.status).toBe('COMPLETE');
	expect(Object.keys(item.binary!)).toEqual(['data']);
	expect((await result.readBinary(item, 'data')).equals(SAMPLE_MP4)).toBe(true);
	expect(item.json.notice).toBe(
		'The poster image could not be downloaded: the video server answered HTTP 404 (4 tries). The video is not affected; "posterUrl" has the link.',
	);
	expect(requests('poster')).toHaveLength(4);
	// Between the tries: a lookup for a fresh link each (signed links expire), never a second create.
	const sinceFirstPoster = requests().slice(requests().findIndex((request) => request.route === 'poster'));
	expect(sinceFirstPoster.filter((request) => request.route === 'poll')).toHaveLength(3);
	expect(createdGenerations()).toHaveLength(1);
});

test('a poster link that returns a web page: not kept, noted; Get delivers the MP4 and notes it too', async () => {
	const html = { route: 'poster', status: 200, body: '<html><body>Denied</body></html>', headers: { 'content-type': 'text/html' } } as const;
	emulator.injectFault(html);
	const generated = await run(generate({}, { downloadPoster: true }));
	expect(generated.error).toBeUndefined();
	expect(Object.keys(generated.items[0].binary!)).toEqual(['data']);
	expect(generated.items[0].json.notice).toBe(
		'The poster image could not be downloaded: it is not a PNG, JPEG or WebP image (text/html). The video is not affected; "posterUrl" has the link.',
	);

	emulator.clearRequests();
	emulator.injectFault(html);
	const generationId = generated.items[0].json.generationId as string;
	const got = await run({ resource: 'video', operation: 'get', generationId, options: { downloadPoster: true, fileName: 'again' } });
	expect(got.error).toBeUndefined();
	expect(got.items[0].binary!.data).toMatchObject({ mimeType: 'video/mp4', fileName: 'again.mp4' });
	expect(got.items[0].binary!.poster).toBeUndefined();
	expect(got.items[0].json.notice).toMatch(/^The poster image could not be downloaded: it is not a PNG, JPEG or WebP image/);
});

test('Get with both options: the MP4 and the poster under the chosen name', async () => {
	const submitted = await run(generate({ waitForCompletion: false }));
	const generationId = submitted.items[0].json.generationId as string;
	await new Promise((resolve) => setTimeout(resolve, 600));
	emulator.clearRequests();
	const options: INodeParameters = { downloadPoster: true, fileName: 'product-launch.mp4', binaryPropertyName: 'video' };
	const result = await run({ resource: 'video', operation: 'get', generationId, options });
	expect(result.error).toBeUndefined();
	const [item] = result.items;
	expect(item.binary!.video).toMatchObject({ mimeType: 'video/mp4', fileName: 'product-launch.mp4' });
	expect(item.binary!.poster).toMatchObject({ mimeType: 'image/jpeg', fileName: 'product-launch.jpg' });
	expect((await result.readBinary(item, 'poster')).equals(POSTER_JPEG)).toBe(true);
});

test('File Name from an expression, per item: .mp4 added when missing; each poster follows its MP4', async () => {
	const result = await run(generate({ prompt: '={{ $json.prompt }}' }, { fileName: '={{ $json.title }}', downloadPoster: true }), {
		input: [
			{ json: { prompt: 'A red kite', title: 'kite' } },
			{ json: { prompt: 'A blue boat', title: 'Boat Launch.MP4' } },
			{ json: { prompt: 'A green hill', title: '' } },
		],
	});
	expect(result.error).toBeUndefined();
	const names = result.items.map((item) => [item.json.prompt, item.binary!.data.fileName, item.binary!.poster.fileName]);
	const third = result.items[2].json.generationId as string;
	expect(names).toEqual([
		['A red kite', 'kite.mp4', 'kite.jpg'],
		['A blue boat', 'Boat Launch.MP4', 'Boat Launch.jpg'],
		['A green hill', `${third}.mp4`, `${third}.jpg`],
	]);
});

test.each([
	['a folder in it', '{{ $json.title === "two" ? "clips/two.mp4" : $json.title }}', /The file name "clips\/two.mp4" cannot be used: it contains "\/" or "\\"/],
	['a line break', '{{ $json.title === "two" ? "two" + String.fromCharCode(10) + ".mp4" : $json.title }}', /cannot be used: it contains a line break, tab or other control character/],
	['only dots', '{{ $json.title === "two" ? ".." : $json.title }}', /The file name ".." cannot be used: it is only dots/],
])('File Name with %s in one item of three: refused before any request, 0 creates', async (_, template, message) => {
	const result = await run(generate({ prompt: '={{ $json.prompt }}' }, { fileName: `=${template}` }), {
		input: [{ json: { prompt: 'first', title: 'one' } }, { json: { prompt: 'second', title: 'two' } }, { json: { prompt: 'third', title: 'three' } }],
	});
	expect(result.error?.message).toMatch(message);
	expect(result.error?.message).toMatch(/\[item 1\]$/);
	expect(result.error?.description).toMatch(/Set Options → "File Name"/);
	expect(requests()).toEqual([]);
	expect(createdGenerations()).toEqual([]);
});

test('the poster field is fixed: "Put Output File in Field" = poster with the poster on is refused before any request', async () => {
	const result = await run(generate({}, { downloadPoster: true, binaryPropertyName: 'poster' }));
	expect(result.error?.message).toMatch(/The MP4 and the poster image cannot both go into the binary field "poster"/);
	expect(requests()).toEqual([]);
});
