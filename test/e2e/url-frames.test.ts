/**
 * Start/End Frame from a URL in a real n8n (`n8n execute`), the package installed as n8n installs it:
 * links from an earlier node's items are downloaded through n8n's request helper, once per distinct link,
 * uploaded to the emulator's S3 and sent as UPLOADED frames; a broken link fails before any create,
 * naming the link. On 2.x, n8n's SSRF protection (off by default) applies to the links when turned on.
 * The image host is on this machine, so the workflows turn on Allow Private Links (private-links.test.ts
 * shows the refusal); each distinct link is fetched twice: to check it, and for its upload.
 * The image host listens on 127.0.0.2: to SSRF protection another host than the API on 127.0.0.1.
 */
import { createBodies, createWorld, type E2eWorld, itemsIntoLtxWorkflow } from './fixtures.ts';
import { type ExecutionResult, N8N_VERSION, type OutputItem } from './n8n-instance.ts';

const BATCH = 'ltxUrlFrames0001';
const BROKEN = 'ltxUrlFrames0002';

let world: E2eWorld;
let image: (name: string) => string;

beforeAll(async () => {
	world = await createWorld({ emulatorDelayMs: 500, emulatorImagesHost: '127.0.0.2' });
	image = (name) => `${world.emulator.imagesUrl}/images/${name}`;
	await world.n8n.importWorkflows([
		itemsIntoLtxWorkflow({
			id: BATCH,
			name: 'LTX Video frames from links',
			items: [
				{ prompt: 'The product turns slowly', photo: image('frame.png') },
				{ prompt: 'The product on a beach', photo: image('frame.png') },
				{ prompt: 'From day to night', photo: image('frame.jpg'), end: image('frame.webp') },
			],
			ltxParameters: {
				prompt: '={{ $json.prompt }}',
				startFrame: 'url',
				startFrameUrl: '={{ $json.photo }}',
				endFrame: '={{ $json.end ? "url" : "none" }}',
				endFrameUrl: '={{ $json.end }}',
				options: { pollInterval: 1, maxConcurrency: 3, allowPrivateLinks: true },
			},
		}),
		itemsIntoLtxWorkflow({
			id: BROKEN,
			name: 'LTX Video frame from a broken link',
			items: [{ prompt: 'Good link' }, { prompt: 'Broken link' }],
			ltxParameters: {
				prompt: '={{ $json.prompt }}',
				startFrame: 'url',
				startFrameUrl: `={{ $json.prompt === "Good link" ? "${image('frame.png')}" : "${image('removed.png')}?token=abc" }}`,
				options: { pollInterval: 1, allowPrivateLinks: true },
			},
		}),
	]);
}, 300_000);

afterAll(async () => await world?.dispose());

beforeEach(async () => await world.emulator.reset());

const ltxOutput = (result: ExecutionResult): OutputItem[] => result.run?.data.resultData.runData['LTX Video']?.[0]?.data?.main[0] ?? [];
const leonardoRequests = async () => (await world.emulator.requests()).filter((request) => request.server !== 'images');

test('three items from links: each distinct link fetched once to check it and once to upload it, without the key, sent as a frame', async () => {
	const result = await world.n8n.execute(BATCH);
	expect({ exitCode: result.exitCode, error: result.run?.data.resultData.error?.message }).toEqual({ exitCode: 0, error: undefined });

	const items = ltxOutput(result);
	expect(items.map((item) => item.json.status)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE']);
	expect(items.every((item) => item.binary?.data.mimeType === 'video/mp4')).toBe(true);

	const requests = await world.emulator.requests();
	const fetched = requests.filter((request) => request.route === 'imageFile');
	expect(fetched.map((request) => request.path).sort()).toEqual(['/images/frame.jpg', '/images/frame.jpg', '/images/frame.png', '/images/frame.png', '/images/frame.webp', '/images/frame.webp']);
	for (const request of fetched) {
		expect(request.headers.authorization).toBeUndefined();
		expect(JSON.stringify(request)).not.toContain(world.emulator.apiKey);
	}
	expect(requests.filter((request) => request.route === 'initImage')).toHaveLength(3);
	const frames = createBodies(requests).map((body) => body.parameters.guidances as { start_frame: Array<{ image: { id: string; type: string } }>; end_frame?: unknown[] });
	expect(frames).toHaveLength(3);
	expect(frames.every((guidance) => guidance.start_frame[0].image.type === 'UPLOADED')).toBe(true);
	expect(frames.filter((guidance) => guidance.end_frame)).toHaveLength(1);
	// Four frames, three distinct images: the two items on frame.png share one upload.
	expect(new Set(frames.map((guidance) => guidance.start_frame[0].image.id)).size).toBe(2);
}, 240_000);

test('a broken link in the second item stops the node before any create, naming the link without its query', async () => {
	const result = await world.n8n.execute(BROKEN);
	const error = result.run?.data.resultData.error;
	expect(error?.message).toMatch(/^The Start Frame link http:\/\/127\.0\.0\.2:\d+\/images\/removed\.png\?… answered HTTP 404 \[item 1\]$/);
	// The workflow's own parameters hold the link as typed; the error the node gives does not.
	expect(JSON.stringify({ message: error?.message, description: error?.description })).not.toContain('token=abc');
	expect(await leonardoRequests()).toEqual([]);
}, 240_000);

const ssrfTest = N8N_VERSION.startsWith('1.') ? test.skip : test;
// Allow Private Links is on in that workflow: it turns off the node's own refusal, not n8n's.
ssrfTest("with n8n's SSRF protection on, a link to a private address is refused by n8n before any create; the API stays allowed", async () => {
	const result = await world.n8n.execute(BATCH, { N8N_SSRF_PROTECTION_ENABLED: 'true', N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.1/32' });
	const error = result.run?.data.resultData.error;
	expect(error?.message).toMatch(/^The Start Frame link http:\/\/127\.0\.0\.2:\d+\/images\/frame\.png was blocked by n8n's SSRF protection \[item 0\]$/);
	expect(error?.description).toMatch(/127\.0\.0\.2/);
	expect(await world.emulator.requests()).toEqual([]);
}, 240_000);
