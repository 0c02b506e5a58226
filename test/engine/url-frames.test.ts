/**
 * Start/End Frame from a URL: downloaded from the emulator's third-party image host (its own port, so
 * its own host), checked by its bytes, uploaded like a binary frame; a bad link fails before anything
 * reaches Leonardo, with an error that names the link; the key never goes to the image host.
 * The image host is on 127.0.0.1, so every run turns on Allow Private Links (private-links.test.ts
 * shows what happens without it). A link is fetched twice: to check it, and again for its upload.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { FRAME_MAX_BYTES } from '../../nodes/LtxVideo/helpers/frameBytes';
import { generate, useEmulator, visibleText } from '../helpers/scenario';

const { emulator, run, requests, createdGenerations } = useEmulator();

type Body = { parameters: { guidances?: { start_frame?: Array<{ image: { id: string; type: string } }>; end_frame?: Array<{ image: { id: string; type: string } }> } } };
const createBodies = () => requests('create').map((request) => request.body as Body);
const image = (name: string, query = '') => `${emulator.imagesUrl}/images/${name}${query}`;
/** Generate with Allow Private Links on: the emulator's image host is on this machine. */
const withLinks = (parameters: INodeParameters, options: IDataObject = {}) => generate(parameters, { allowPrivateLinks: true, ...options });
const fromUrl = (url: string, extra = {}) => withLinks({ startFrame: 'url', startFrameUrl: url, ...extra });
/** Requests that reached Leonardo (API, S3, CDN), not the image host. */
const leonardoRequests = () => emulator.requests.filter((request) => request.server !== 'images');

test('a PNG link is downloaded to check it, again to upload it as an init image, and sent as the start frame', async () => {
	const result = await run(fromUrl(image('frame.png')));

	expect(result.error).toBeUndefined();
	expect(result.items[0].json.status).toBe('COMPLETE');
	expect(requests('imageFile')).toHaveLength(2);
	expect(requests('initImage').map((request) => request.body)).toEqual([{ extension: 'png' }]);
	const [upload] = requests('s3Upload');
	expect(upload.body).toMatchObject({ fileName: 'frame.png', fileMagicOk: true });
	const start = createBodies()[0].parameters.guidances?.start_frame?.[0]?.image;
	expect(start?.type).toBe('UPLOADED');
	expect(emulator.uploads.has(start!.id)).toBe(true);
});

test('start and end frame from links (JPEG, and WebP that the host calls application/octet-stream)', async () => {
	const result = await run(
		fromUrl(image('frame.jpg'), { endFrame: 'url', endFrameUrl: image('frame.webp', '?type=application/octet-stream') }),
	);

	expect(result.error).toBeUndefined();
	expect(requests('initImage').map((request) => request.body)).toEqual(expect.arrayContaining([{ extension: 'jpg' }, { extension: 'webp' }]));
	const { guidances } = createBodies()[0].parameters;
	expect(guidances?.start_frame?.[0]?.image.id).not.toBe(guidances?.end_frame?.[0]?.image.id);
});

test('a link without Content-Length (chunked) works; a link with a query keeps it', async () => {
	const result = await run(fromUrl(image('frame.png', '?chunked=1&token=abc')));

	expect(result.error).toBeUndefined();
	expect(requests('imageFile')[0].query).toEqual({ chunked: '1', token: 'abc' });
	expect(requests('s3Upload')).toHaveLength(1);
});

test('a batch of 5 items on the same link downloads it once to check it, once to upload it, and uploads it once', async () => {
	const items = Array.from({ length: 5 }, (_, n) => ({ json: { n, photo: image('frame.png') } }));
	const result = await run(withLinks({ startFrame: 'url', startFrameUrl: '={{ $json.photo }}', prompt: '={{ "clip " + $json.n }}' }, { maxConcurrency: 5 }), {
		input: items,
	});

	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(5);
	expect(requests('imageFile')).toHaveLength(2);
	expect(requests('initImage')).toHaveLength(1);
	expect(requests('s3Upload')).toHaveLength(1);
	expect(new Set(createBodies().map((body) => body.parameters.guidances?.start_frame?.[0]?.image.id)).size).toBe(1);
});

test('the links of a batch are fetched 4 at a time before the first create, not one after another', async () => {
	const items = Array.from({ length: 5 }, (_, n) => ({ json: { photo: image('frame.png', `?delayMs=1500&n=${n}`) } }));
	const result = await run(withLinks({ startFrame: 'url', startFrameUrl: '={{ $json.photo }}' }, { maxConcurrency: 5 }), { input: items });

	expect(result.error).toBeUndefined();
	const arrivals = requests('imageFile').map((request) => request.at);
	// 5 checks; then one download for the upload: 5 links, but the same bytes, uploaded once.
	expect(arrivals).toHaveLength(6);
	// Four start together; the fifth waits for one of them (each answers after 1.5 s).
	expect(Math.max(...arrivals.slice(0, 4)) - arrivals[0]).toBeLessThan(1000);
	expect(arrivals[4] - arrivals[0]).toBeGreaterThanOrEqual(1400);
	const firstCreate = Math.min(...requests('create').map((request) => request.at));
	expect(firstCreate - arrivals[4]).toBeGreaterThanOrEqual(1400); // after the last link answered
});

test('a link and a binary frame with the same bytes share one upload', async () => {
	const result = await run(withLinks({ startFrame: '={{ $json.source }}', startFrameUrl: image('frame.png'), startFrameBinaryProperty: 'data' }, { maxConcurrency: 1 }), {
		input: [{ json: { source: 'url' } }, { json: { source: 'binary' }, binary: { data: { file: 'frame.png' } } }],
	});

	expect(result.error).toBeUndefined();
	expect(requests('initImage')).toHaveLength(1);
	expect(new Set(createBodies().map((body) => body.parameters.guidances?.start_frame?.[0]?.image.id)).size).toBe(1);
});

test('the API key is never sent to the image host, and no auth header at all', async () => {
	const result = await run(fromUrl(image('frame.png')));

	expect(result.error).toBeUndefined();
	const [fetched] = requests('imageFile');
	expect(fetched.headers.authorization).toBeUndefined();
	expect(JSON.stringify(fetched)).not.toContain(emulator.apiKey);
	expect(fetched.headers.accept).toMatch(/image\/png/);
});

describe('a bad link fails before anything reaches Leonardo, naming the link and the item', () => {
	const cases: Array<[string, () => void, () => string, RegExp, RegExp]> = [
		['404', () => undefined, () => image('missing.png'), /Start Frame link http:\/\/127\.0\.0\.1:\d+\/images\/missing\.png answered HTTP 404/, /without signing in/],
		['a web page, not an image', () => undefined, () => image('page.html'), /did not return a PNG, JPEG or WebP image \(text\/html; charset=utf-8, \d+ bytes\)/, /Copy Image Address/],
		['text named .png', () => undefined, () => image('not-an-image.png'), /did not return a PNG, JPEG or WebP image \(image\/png/, /direct link/],
		['larger than the limit (Content-Length)', () => undefined, () => image('padded.png', `?bytes=${FRAME_MAX_BYTES + 1}`), /returns more than 50 MiB/, /smaller image/],
		['larger than the limit (chunked, counted while reading)', () => undefined, () => image('padded.png', `?bytes=${FRAME_MAX_BYTES + 1}&chunked=1`), /returns more than 50 MiB/, /smaller image/],
		['500 three times', () => emulator.injectFault({ route: 'imageFile', status: 500, times: 3 }), () => image('frame.png'), /answered HTTP 500 \(3 tries\)/, /Nothing was sent to Leonardo/],
		['cut off mid-body three times', () => emulator.injectFault({ route: 'imageFile', kind: 'reset', times: 3 }), () => image('frame.png'), /frame\.png dropped the connection \(3 tries\)/, /Try again later/],
	];
	test.each(cases)('%s', async (_name, arrange, url, message, fix) => {
		arrange();
		const result = await run(fromUrl(url()));

		expect(result.error?.message).toMatch(message);
		expect(result.error?.message).toMatch(/\[item 0\]$/);
		expect(result.error?.description).toMatch(fix);
		expect(leonardoRequests()).toEqual([]);
	});

	test('the link is named without its query (a signature or token stays out of the error)', async () => {
		const result = await run(fromUrl(image('missing.png', '?X-Amz-Signature=s3cr3t')));

		expect(result.error?.message).toMatch(/\/images\/missing\.png\?… answered HTTP 404/);
		expect(visibleText(result)).not.toContain('s3cr3t');
	});

	test('a host that never answers times out after 30 s', async () => {
		emulator.injectFault({ route: 'imageFile', kind: 'hang' });
		const started = Date.now();
		const result = await run(fromUrl(image('frame.png')));

		expect(result.error?.message).toMatch(/did not deliver the image within 30 seconds \[item 0\]/);
		expect(Date.now() - started).toBeLessThan(45_000);
		expect(requests('imageFile')).toHaveLength(1);
		expect(leonardoRequests()).toEqual([]);
	}, 60_000);

	test('in a batch, a bad link in the last item stops the node before any item is created', async () => {
		const result = await run(withLinks({ startFrame: 'url', startFrameUrl: '={{ $json.photo }}' }, { maxConcurrency: 3 }), {
			input: [{ json: { photo: image('frame.png') } }, { json: { photo: image('frame.jpg') } }, { json: { photo: image('gone.png') } }],
		});

		expect(result.error?.message).toMatch(/gone\.png answered HTTP 404 \[item 2\]/);
		expect(createdGenerations()).toEqual([]);
		expect(leonardoRequests()).toEqual([]);
	});
});

test('a redirect is followed, still without the key', async () => {
	// On every request (not a fault, which answers only the next one): the check and the upload each fetch the link.
	const result = await run(fromUrl(image('photo-latest.png', '?redirectTo=/images/frame.webp')));

	expect(result.error).toBeUndefined();
	expect(requests('imageFile').map((request) => request.path)).toEqual(['/images/photo-latest.png', '/images/frame.webp', '/images/photo-latest.png', '/images/frame.webp']);
	expect(requests('imageFile').every((request) => request.headers.authorization === undefined)).toBe(true);
	expect(requests('initImage').map((request) => request.body)).toEqual([{ extension: 'webp' }]);
});

test('one 503 is tried again; with Continue On Fail a bad link is an error item and the good items still run', async () => {
	emulator.injectFault({ route: 'imageFile', status: 503 });
	const result = await run(withLinks({ startFrame: 'url', startFrameUrl: '={{ $json.photo }}' }), {
		input: [{ json: { photo: image('frame.png') } }, { json: { photo: image('page.html') } }],
		continueOnFail: true,
	});

	expect(result.items[0].json.status).toBe('COMPLETE');
	expect(result.items[1].json.error).toMatch(/page\.html did not return a PNG, JPEG or WebP image/);
	expect(requests('create')).toHaveLength(1);
	expect(requests('imageFile').map((request) => request.status)).toEqual(expect.arrayContaining([503, 200, 200]));
});
