/**
 * Frame links to the user's own machine or network are refused before any request (at the link and at
 * every redirect hop) unless Options → Allow Private Links is on; binary frames have the same size cap
 * as links, read from the binary's metadata; and two small input checks (a link's user:password@, a
 * binary field named like an Object property).
 *
 * A "public-looking" image host needs an address of this machine outside the refused ranges (here
 * 192.0.2.2, a documentation address on eth0); where the machine has none, the tests that need it are
 * skipped and say so.
 */
import os from 'node:os';

import { FRAME_MAX_BYTES } from '../../nodes/LtxVideo/helpers/frameImages';
import { generate, useEmulator, visibleText } from '../helpers/scenario';

/** An IPv4 address of this machine that is not loopback, private, shared or link-local. */
function publicLookingAddress(): string | undefined {
	const refused = /^(0|10|127)\.|^169\.254\.|^192\.168\.|^172\.(1[6-9]|2\d|3[01])\.|^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./;
	return Object.values(os.networkInterfaces())
		.flat()
		.find((entry) => entry && entry.family === 'IPv4' && !entry.internal && !refused.test(entry.address))?.address;
}

const PUBLIC_LOOKING = publicLookingAddress();
const { emulator, run, requests } = useEmulator(PUBLIC_LOOKING ? { imagesHost: PUBLIC_LOOKING } : {});
const withPublicHost = PUBLIC_LOOKING ? test : test.skip;
if (!PUBLIC_LOOKING) test.skip('(no public-looking address on this machine: the redirect tests cannot run here)', () => undefined);

const port = () => new URL(emulator.imagesUrl).port;
const fromUrl = (url: string, options = {}) => generate({ startFrame: 'url', startFrameUrl: url }, options);

describe('a link to a private, loopback, link-local or unspecified address is refused before any request', () => {
	const cases: Array<[string, () => string, RegExp]> = [
		['127.0.0.1', () => `http://127.0.0.1:${port()}/images/frame.png`, /a loopback address/],
		['decimal IPv4 (2130706433)', () => `http://2130706433:${port()}/images/frame.png`, /127\.0\.0\.1.* a loopback address/],
		['octal IPv4 (0177.0.0.1)', () => `http://0177.0.0.1:${port()}/images/frame.png`, /a loopback address/],
		['hex IPv4 (0x7f.1)', () => `http://0x7f.1:${port()}/images/frame.png`, /a loopback address/],
		['IPv6 unspecified [::]', () => `http://[::]:${port()}/images/frame.png`, /\[::\].* an unspecified address/],
		['IPv6 loopback [::1]', () => `http://[::1]:${port()}/images/frame.png`, /a loopback address/],
		['IPv4-mapped IPv6 [::ffff:127.0.0.1]', () => `http://[::ffff:127.0.0.1]:${port()}/images/frame.png`, /a loopback address/],
		['0.0.0.0', () => `http://0.0.0.0:${port()}/images/frame.png`, /an unspecified address/],
		['localhost', () => `http://localhost:${port()}/images/frame.png`, /a loopback name/],
		['10.x', () => 'http://10.1.2.3/photo.png', /a private address/],
		['192.168.x', () => 'http://192.168.1.20/photo.png', /a private address/],
		['cloud metadata 169.254.169.254', () => 'http://169.254.169.254/latest/meta-data/', /a link-local address/],
		['IPv6 link-local [fe80::1]', () => 'http://[fe80::1]/photo.png', /a link-local address/],
		['IPv6 unique local [fd12::1]', () => 'http://[fd12::1]/photo.png', /a private address/],
		['a Docker service name (no dot)', () => 'http://minio:9000/bucket/photo.png', /a local network name/],
		['an .internal name', () => 'http://metadata.google.internal/computeMetadata/v1/', /a local network name/],
	];
	test.each(cases)('%s', async (_name, url, kind) => {
		const result = await run(fromUrl(url()));

		expect(result.error?.message).toMatch(/^The Start Frame link http:\/\/\S+ points to /);
		expect(result.error?.message).toMatch(kind);
		expect(result.error?.message).toMatch(/\[item 0\]$/);
		expect(result.error?.description).toMatch(/Allow Private Links/);
		// Not the image host, not Leonardo: nothing at all.
		expect(emulator.requests).toEqual([]);
	});

	test('in a batch, a private link in the last item stops the node before any request to Leonardo', async () => {
		const result = await run(generate({ startFrame: '={{ $json.source }}', startFrameUrl: '={{ $json.photo }}' }), {
			input: [{ json: { source: 'none' } }, { json: { source: 'url', photo: `http://[::]:${port()}/images/frame.png` } }],
		});
		expect(result.error?.message).toMatch(/\[::\]:\d+\/images\/frame\.png points to an unspecified address, which the node does not fetch \[item 1\]$/);
		expect(emulator.requests).toEqual([]);
	});
});

withPublicHost('a public-looking link that redirects to a private address is refused at that hop, before anything reaches Leonardo', async () => {
	const to = encodeURIComponent(`http://[::ffff:127.0.0.1]:${port()}/images/frame.png?token=abc`);
	const result = await run(fromUrl(`${emulator.imagesUrl}/images/photo-latest.png?redirectTo=${to}`));

	expect(result.error?.message).toMatch(
		/^The Start Frame link http:\/\/\d+\.\d+\.\d+\.\d+:\d+\/images\/photo-latest\.png\?… redirects to http:\/\/\[::ffff:7f00:1\]:\d+\/images\/frame\.png\?…, a loopback address, which the node does not fetch \[item 0\]$/,
	);
	expect(result.error?.description).toMatch(/Allow Private Links/);
	expect(requests().map((request) => `${request.server} ${request.path}`)).toEqual(['images /images/photo-latest.png']);
});

withPublicHost('a public-looking link works without Allow Private Links; a redirect to a private address is followed once it is on', async () => {
	expect((await run(fromUrl(`${emulator.imagesUrl}/images/frame.png`))).error).toBeUndefined();
	expect(requests('create')).toHaveLength(1);

	emulator.clearRequests();
	const privateHost = `http://127.0.0.1:${new URL(emulator.baseUrl).port}`;
	// Redirected to the API server, which has no image: its 404 shows the hop was taken.
	const to = encodeURIComponent(`${privateHost}/images/frame.png`);
	const allowed = await run(fromUrl(`${emulator.imagesUrl}/images/photo-latest.png?redirectTo=${to}`, { allowPrivateLinks: true }));
	expect(allowed.error?.message).toMatch(/photo-latest\.png\?… answered HTTP 404 \[item 0\]$/);
	expect(requests().map((request) => request.server)).toEqual(['images', 'api']);
});

test('"Allow Private Links" that is not a boolean is refused', async () => {
	const result = await run(fromUrl('https://example.com/a.png', { allowPrivateLinks: '={{ "yes" }}' }));
	expect(result.error?.message).toMatch(/"Allow Private Links" must be true or false \[item 0\]/);
	expect(emulator.requests).toEqual([]);
});

// The store gives the size in its metadata; n8n 1.x's memory mode holds the bytes in the item as base64
// (no ID), whose length gives it. The exact byte count in the error comes from either, not from reading.
test.each([
	['in the binary store', false],
	['in memory (n8n 1.x memory mode, base64 in the item)', true],
])(`a binary frame over ${FRAME_MAX_BYTES / 1024 / 1024} MiB %s is refused before any request, naming the limit`, async (_where, inMemory) => {
	const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	const bytes = Buffer.concat([png, Buffer.alloc(FRAME_MAX_BYTES + 1 - png.length)]);
	const result = await run(generate({ startFrame: 'binary' }), { input: [{ binary: { data: { bytes, fileName: 'huge.png', mimeType: 'image/png', inMemory } } }] });

	const received = result.run.data.resultData.runData.Input[0].data!.main[0]![0].binary!.data;
	expect(received.id === undefined).toBe(inMemory);
	expect(result.error?.message).toBe(`The Start Frame "huge.png" is larger than the 50 MiB limit for frame images (${FRAME_MAX_BYTES + 1} bytes) [item 0]`);
	expect(result.error?.description).toMatch(/smaller image/);
	expect(emulator.requests).toEqual([]);
}, 60_000);

test.each(['__proto__', 'constructor', 'toString'])('a binary field named "%s" that the item does not have is a clear error naming the item', async (name) => {
	const result = await run(generate({ startFrame: 'binary', startFrameBinaryProperty: name }), { input: [{ binary: { data: { file: 'frame.png' } } }] });

	expect(result.error?.name).toBe('NodeOperationError');
	expect(result.error?.message).toBe(`The input item has no binary property "${name}" for the Start Frame [item 0]`);
	expect(result.error?.description).toMatch(/one of: data/);
	expect(emulator.requests).toEqual([]);
});

test("a link that is not http(s) is named without its user:password@", async () => {
	const result = await run(fromUrl('ftp://maria:hunter2@files.example.com/photo.png'));

	expect(result.error?.message).toMatch(/start frame URL "ftp:\/\/\*\*\*@files\.example\.com\/photo\.png" is not an http\(s\) link \[item 0\]/);
	expect(visibleText(result)).not.toContain('hunter2');
	expect(emulator.requests).toEqual([]);
});
