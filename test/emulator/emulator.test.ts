/**
 * The emulator against real HTTP (axios), as the node will use it. Assertions follow docs/leonardo-api.md.
 */
import axios from 'axios';
import type { AxiosInstance, AxiosResponse } from 'axios';
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { DEFAULT_API_KEY, KNOWN_GENERATED_IMAGE_ID, LeonardoEmulator } from './index.ts';
import type { FaultSpec, RouteName } from './index.ts';
import { paddedMp4Chunks, readTopLevelBoxes } from './mp4.ts';

/** Response bodies are checked field by field; typing every wire shape here would add nothing. */
type Json = any;

const FIXTURES = join(__dirname, '..', 'fixtures');
const SAMPLE_MP4 = readFileSync(join(FIXTURES, 'sample.mp4'));
const IMAGES = {
	png: readFileSync(join(FIXTURES, 'frame.png')),
	jpg: readFileSync(join(FIXTURES, 'frame.jpg')),
	webp: readFileSync(join(FIXTURES, 'frame.webp')),
	notAnImage: readFileSync(join(FIXTURES, 'not-an-image.png')),
};
const DELAY_MS = 120;
/** Restored before each test; the rate limit is lifted here (it has its own test on its own emulator). */
const BASELINE = {
	generationDelayMs: DELAY_MS,
	videoBytes: undefined,
	presignExpiryMs: 120_000,
	cdnUrlExpiryMs: 3_600_000,
	audioField: 'both',
	createRatePerMinute: 100_000,
	// The bare v2 array and immediate reads: the other shapes and fresh-read answers have their own tests.
	validationErrorShape: 'array',
	freshReadWindowMs: 0,
	retryAfterHeader: false,
	initImageSettleMs: 0,
	sparseRecords: false,
	concurrencySlots: 0,
	beyondSlots: 'queue',
	costUnit: 'DOLLARS',
	costPerSecond: {},
	reportCost: true,
	accountBalance: null,
	posterVariant: 'jpg',
} as const;
const TEXT_TO_VIDEO = {
	model: 'ltxv-2.3-fast',
	public: false,
	parameters: {
		prompt: 'Slow dolly-in on a rain-soaked neon street at night, distant thunder',
		mode: 'RESOLUTION_1080',
		prompt_enhance: 'OFF',
		quantity: 1,
		duration: 8,
		width: 1920,
		height: 1080,
		audio: true,
	},
};

let emu: LeonardoEmulator;
let api: AxiosInstance;
const raw = axios.create({ validateStatus: () => true, maxRedirects: 0 });

beforeAll(async () => {
	emu = new LeonardoEmulator({ ...BASELINE, rejectParameters: [], quiet: true });
	await emu.start();
	api = axios.create({
		baseURL: emu.baseUrl,
		headers: { authorization: `Bearer ${emu.apiKey}` },
		validateStatus: () => true,
		maxRedirects: 0,
	});
});

afterAll(() => emu.stop());

beforeEach(() => {
	emu.clearRequests();
	emu.clearFaults();
	emu.generations.clear();
	emu.uploads.clear();
	emu.setOptions({ ...BASELINE, rejectParameters: [], refuse: [] });
});

// ---------- helpers ----------

function createBody(parameters: Record<string, unknown>, envelope: Record<string, unknown> = {}): Record<string, unknown> {
	return { model: 'ltxv-2.3-pro', public: false, ...envelope, parameters: { prompt: 'a calm lake at dawn', ...parameters } };
}

async function createGeneration(parameters: Record<string, unknown> = {}, envelope: Record<string, unknown> = {}): Promise<string> {
	const response = await api.post('/v2/generations', createBody(parameters, envelope));
	expect(response.status).toBe(200);
	return response.data.generate.generationId;
}

async function poll(id: string): Promise<Json> {
	const response = await api.get(`/v1/generations/${id}`);
	expect(response.status).toBe(200);
	return response.data.generations_by_pk;
}

async function waitUntilSettled(id: string): Promise<Json> {
	for (let attempt = 0; attempt < 200; attempt += 1) {
		const generation = await poll(id);
		if (generation.status !== 'PENDING') return generation;
		await sleep(20);
	}
	throw new Error(`generation ${id} stayed PENDING`);
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function requestsOn(route: RouteName) {
	return emu.requests.filter((request) => request.route === route);
}

interface FormPartSpec {
	name: string;
	value: string | Buffer;
	fileName?: string;
}

function multipart(parts: FormPartSpec[]): { body: Buffer; contentType: string } {
	const boundary = `----emulator-test-${randomUUID()}`;
	const chunks = parts.flatMap(({ name, value, fileName }) => [
		Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name="${name}"` +
				(fileName ? `; filename="${fileName}"\r\nContent-Type: application/octet-stream` : '') +
				'\r\n\r\n',
		),
		Buffer.from(value),
		Buffer.from('\r\n'),
	]);
	return { body: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function initImage(extension: string): Promise<{ id: string; url: string; fields: Record<string, string>; key: string }> {
	const response = await api.post('/v1/init-image', { extension });
	expect(response.status).toBe(200);
	const { id, url, fields, key } = response.data.uploadInitImage;
	return { id, url, key, fields: JSON.parse(fields) };
}

/** The presigned fields in order, then the file: what the node must send. */
function presignedParts(fields: Record<string, string>, file: Buffer, fileName = 'frame.png'): FormPartSpec[] {
	return [...Object.entries(fields).map(([name, value]) => ({ name, value })), { name: 'file', value: file, fileName }];
}

async function postToS3(url: string, parts: FormPartSpec[], headers: Record<string, string> = {}): Promise<AxiosResponse> {
	const { body, contentType } = multipart(parts);
	return raw.post(url, body, { headers: { 'content-type': contentType, ...headers }, responseType: 'text' });
}

async function uploadedImageId(extension: 'png' | 'jpg' | 'webp', file: Buffer = IMAGES[extension]): Promise<string> {
	const upload = await initImage(extension);
	const response = await postToS3(upload.url, presignedParts(upload.fields, file, `frame.${extension}`));
	expect(response.status).toBe(204);
	return upload.id;
}

function startFrame(id: string, type: 'UPLOADED' | 'GENERATED'): Record<string, unknown> {
	return { start_frame: [{ image: { id, type } }] };
}

async function completedVideoUrl(parameters: Record<string, unknown> = {}): Promise<string> {
	const generation = await waitUntilSettled(await createGeneration(parameters));
	return generation.generated_images[0].motionMP4URL;
}

/** Raw GET that survives a connection cut mid-body, reporting what arrived. */
function download(url: string): Promise<{ status: number; headers: Record<string, unknown>; bytes: Buffer; failed: boolean }> {
	return new Promise((resolve, reject) => {
		httpGet(url, (response) => {
			const chunks: Buffer[] = [];
			const finish = (failed: boolean) =>
				resolve({ status: response.statusCode ?? 0, headers: response.headers, bytes: Buffer.concat(chunks), failed });
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => finish(false));
			response.on('error', () => finish(true));
			response.on('aborted', () => finish(true));
		}).on('error', reject);
	});
}

// ---------- tests ----------

describe('authentication (§4)', () => {
	test('the valid key reads /v1/me with the documented user_details shape', async () => {
		const response = await api.get('/v1/me');
		expect(response.status).toBe(200);
		expect(response.data.user_details[0]).toMatchObject({ user: { id: expect.any(String), username: expect.any(String) }, apiConcurrencySlots: 10 });
	});

	test.each([
		['no authorization header', undefined],
		['an unknown well-formed key', `Bearer ${randomUUID()}`],
		['the right key under another scheme', `Basic ${DEFAULT_API_KEY}`],
	])('%s gives 401 access-denied', async (_case, authorization) => {
		const response = await raw.get(`${emu.baseUrl}/v1/me`, { headers: authorization ? { authorization } : {} });
		expect(response.status).toBe(401);
		expect(response.data).toEqual({ error: 'Authentication hook unauthorized this request', path: '$', code: 'access-denied' });
	});

	test('a key that is not a UUID makes the auth hook fail with 500', async () => {
		const response = await raw.get(`${emu.baseUrl}/v2/models`, { headers: { authorization: 'Bearer not-a-uuid' } });
		expect(response.status).toBe(500);
		expect(response.data).toEqual({ error: 'Invalid response from authorization hook', path: '$', code: 'unexpected' });
	});

	test('every API route needs the key; unknown routes are 404 JSON', async () => {
		expect((await raw.post(`${emu.baseUrl}/v2/generations`, createBody({}))).status).toBe(401);
		expect((await raw.get(`${emu.baseUrl}/v1/generations/${randomUUID()}`)).status).toBe(401);
		expect(emu.generations.size).toBe(0);
		const unknown = await api.get('/v1/nothing-here');
		expect(unknown.status).toBe(404);
		expect(unknown.data.code).toBe('not-found');
	});
});

describe('GET /v2/models', () => {
	test('lists both LTX entries, with a parameter schema that follows the options', async () => {
		emu.setOptions({ audioField: 'motion_has_audio', rejectParameters: ['seed'] });
		const { data } = await api.get('/v2/models');
		const ltx = data.productionApiAvailableModels.filter((model: Json) => model.name.startsWith('LTX 2.3'));
		expect(ltx.map((model: Json) => model.name)).toEqual(['LTX 2.3 Pro', 'LTX 2.3 Fast']);
		const properties = ltx[0].parameters.properties;
		expect(ltx[0].parameters.additionalProperties).toBe(false);
		expect(properties.motion_has_audio).toEqual({ type: 'boolean' });
		expect(properties.audio).toBeUndefined();
		expect(properties.seed).toBeUndefined();
		expect(ltx[1].parameters.properties.duration.enum).toEqual([6, 8, 10, 12, 14, 16, 18, 20]);
	});
});

describe('POST /v2/generations validation (§1, §6.1)', () => {
	test.each([
		['the documented text-to-video example', TEXT_TO_VIDEO],
		['the minimal body', createBody({})],
		['pro, 1440 portrait, motion_has_audio, seed 0', createBody({ mode: 'RESOLUTION_1440', width: 1440, height: 2560, motion_has_audio: false, seed: 0 })],
		['pro, 2160, 10 s, max seed, AUTO', createBody({ mode: 'RESOLUTION_2160', width: 3840, height: 2160, duration: 10, seed: 2147483647, prompt_enhance: 'AUTO' })],
		['fast, 20 s, 1080 portrait', createBody({ duration: 20, width: 1080, height: 1920 }, { model: 'ltxv-2.3-fast' })],
		['a public job with a 5000-character prompt', createBody({ prompt: 'x'.repeat(5000) }, { public: true })],
		['0×0 with a GENERATED start frame', createBody({ width: 0, height: 0, guidances: startFrame(KNOWN_GENERATED_IMAGE_ID, 'GENERATED') })],
	])('accepts %s', async (_case, body) => {
		const response = await api.post('/v2/generations', body);
		expect(response.status).toBe(200);
		const { generationId, apiCreditCost, cost } = response.data.generate;
		expect(emu.generations.get(generationId)?.request).toEqual(body);
		expect(apiCreditCost).toBe(0);
		expect(cost).toEqual({ amount: expect.stringMatching(/^\d+(\.\d+)?$/), unit: 'DOLLARS' });
	});

	test('cost grows with duration and tier', async () => {
		const costOf = async (parameters: Record<string, unknown>) =>
			Number((await api.post('/v2/generations', createBody(parameters))).data.generate.cost.amount);
		const short = await costOf({ duration: 6 });
		expect(await costOf({ duration: 10 })).toBeGreaterThan(short);
		expect(await costOf({ duration: 6, mode: 'RESOLUTION_2160', width: 3840, height: 2160 })).toBeGreaterThan(short);
	});

	const restError = (error: string, code: string) => ({ error, path: '$', code });
	test.each([
		['the REPORTED request wrapper', { request: createBody({}) }, restError('Unexpected variable request', 'bad-request')],
		['an extra top-level key', { ...createBody({}), webhook: 'x' }, restError('Unexpected variable webhook', 'bad-request')],
		['public as a string', createBody({}, { public: 'false' }), restError("expected a boolean for type 'Boolean', but found a string", 'validation-failed')],
		['no public', { model: 'ltxv-2.3-pro', parameters: { prompt: 'p' } }, restError('expecting a value for non-nullable variable: "public"', 'validation-failed')],
		['no prompt', { model: 'ltxv-2.3-pro', public: false, parameters: { duration: 8 } }, restError('expecting a value for non-nullable variable: "prompt"', 'validation-failed')],
		['a numeric prompt', createBody({ prompt: 42 }), restError("expected a string for type 'String', but found a number", 'validation-failed')],
		['an LTX 2.0 model', createBody({}, { model: 'ltxv-2.0-pro' }), restError('ltxv-2.0-pro is not supported within the Production API', 'unexpected')],
	])('refuses %s with the REST error shape', async (_case, body, expected) => {
		const response = await api.post('/v2/generations', body);
		expect(response.status).toBe(400);
		expect(response.data).toEqual(expected);
	});

	test.each([
		['an empty prompt', { prompt: '   ' }, 'prompt'],
		['a 5001-character prompt', { prompt: 'x'.repeat(5001) }, 'prompt'],
		['an unknown mode', { mode: 'RESOLUTION_720' }, 'mode'],
		['a lower-case prompt_enhance', { prompt_enhance: 'on' }, 'prompt_enhance'],
		['quantity 2', { quantity: 2 }, 'quantity'],
		['a Fast-only duration on Pro', { duration: 12 }, 'duration'],
		['a duration given as a string', { duration: '8' }, 'duration'],
		['a negative seed', { seed: -1 }, 'seed'],
		['a seed above int32', { seed: 2147483648 }, 'seed'],
		['a fractional seed', { seed: 1.5 }, 'seed'],
		['a 1080 size with the 1440 mode', { mode: 'RESOLUTION_1440', width: 1920, height: 1080 }, 'width'],
		['an undocumented size', { width: 1280, height: 720 }, 'width'],
		['a width without a height', { width: 1920 }, 'height'],
		['0×0 without a start frame', { width: 0, height: 0 }, 'width'],
		['an unknown parameter', { fps: 25 }, 'fps'],
		['audio as a string', { audio: 'true' }, 'audio'],
		['an end frame without a start frame', { guidances: { end_frame: [{ image: { id: KNOWN_GENERATED_IMAGE_ID, type: 'GENERATED' } }] } }, 'guidances.end_frame'],
		['two start frames', { guidances: { start_frame: [0, 1].map(() => ({ image: { id: KNOWN_GENERATED_IMAGE_ID, type: 'GENERATED' } })) } }, 'guidances.start_frame'],
		['an undocumented image type', { guidances: { start_frame: [{ image: { id: KNOWN_GENERATED_IMAGE_ID, type: 'INIT' } }] } }, 'guidances.start_frame'],
		['LTX 2.0 start_frame placement', { start_frame: { id: KNOWN_GENERATED_IMAGE_ID, type: 'GENERATED' } }, 'start_frame'],
		['an unknown generated id', { guidances: startFrame(randomUUID(), 'GENERATED') }, 'guidances.start_frame'],
		['an unknown uploaded id', { guidances: startFrame(randomUUID(), 'UPLOADED') }, 'guidances.start_frame'],
		['an unknown guidance', { guidances: { style_reference: [] } }, 'guidances.style_reference'],
	])('refuses %s with a v2 VALIDATION_ERROR array', async (_case, parameters, field) => {
		const response = await api.post('/v2/generations', createBody(parameters));
		expect(response.status).toBe(400);
		expect(Array.isArray(response.data)).toBe(true);
		expect(response.data[0]).toMatchObject({ message: expect.any(String), extensions: { code: 'VALIDATION_ERROR', details: { field } } });
		expect(emu.generations.size).toBe(0);
	});

	test('Fast refuses odd and too long durations', async () => {
		for (const duration of [7, 22]) {
			const response = await api.post('/v2/generations', createBody({ duration }, { model: 'ltxv-2.3-fast' }));
			expect(response.data[0].extensions.details.field).toBe('duration');
		}
	});

	test('an audio key the options refuse gets the exact v2 error', async () => {
		emu.setOptions({ audioField: 'motion_has_audio' });
		const refused = await api.post('/v2/generations', TEXT_TO_VIDEO);
		expect(refused.status).toBe(400);
		expect(refused.data).toEqual([{ message: 'Unexpected parameter: audio', extensions: { code: 'VALIDATION_ERROR', details: { field: 'audio' } } }]);
		emu.setOptions({ audioField: 'audio' });
		expect((await api.post('/v2/generations', createBody({ motion_has_audio: true }))).status).toBe(400);
		expect((await api.post('/v2/generations', TEXT_TO_VIDEO)).status).toBe(200);
	});

	test('rejectParameters names every refused key', async () => {
		emu.setOptions({ rejectParameters: ['seed', 'mode'] });
		const response = await api.post('/v2/generations', createBody({ seed: 5, mode: 'RESOLUTION_1080' }));
		expect(response.data.map((issue: Json) => issue.message)).toEqual(['Unexpected parameter: seed', 'Unexpected parameter: mode']);
		expect((await api.post('/v2/generations', createBody({}))).status).toBe(200);
	});

	test('a body that is not JSON is refused', async () => {
		const response = await api.post('/v2/generations', '{"model":', { headers: { 'content-type': 'application/json' }, transformRequest: [(data) => data] });
		expect(response.status).toBe(400);
		expect(response.data.code).toBe('invalid-json');
	});

	test('creates beyond the rate limit get 429 with Retry-After and create nothing', async () => {
		const limited = new LeonardoEmulator({ createRatePerMinute: 2, retryAfterHeader: true, audioField: 'both' });
		await limited.start();
		try {
			const post = () => raw.post(`${limited.baseUrl}/v2/generations`, createBody({}), { headers: { authorization: `Bearer ${limited.apiKey}` } });
			expect((await post()).status).toBe(200);
			expect((await post()).status).toBe(200);
			const refused = await post();
			expect(refused.status).toBe(429);
			expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
			expect(limited.generations.size).toBe(2);
		} finally {
			await limited.stop();
		}
	});
});

describe('generation lifecycle (§2, §5)', () => {
	test('PENDING with no outputs, then COMPLETE with the documented shape', async () => {
		// Long enough that a stalled machine still polls before completion; waitUntilSettled allows 4 s and more.
		const delayMs = 1500;
		emu.setOptions({ generationDelayMs: delayMs });
		const id = await createGeneration({ seed: 1234, mode: 'RESOLUTION_1440', width: 1440, height: 2560 });
		const pending = await poll(id);
		expect(pending).toMatchObject({ id, status: 'PENDING', generated_images: [] });

		const complete = await waitUntilSettled(id);
		const emulated = emu.generations.get(id);
		expect(emulated?.completeAt).toBe((emulated?.createdAt ?? 0) + delayMs);
		expect(Date.now()).toBeGreaterThanOrEqual(emulated?.completeAt ?? Infinity);
		expect(complete).toMatchObject({
			status: 'COMPLETE',
			createdAt: new Date(emulated?.createdAt ?? 0).toISOString(),
			prompt: 'a calm lake at dawn',
			imageWidth: 1440,
			imageHeight: 2560,
			seed: 1234,
			public: false,
			modelId: null,
			generation_elements: [],
		});
		const [video] = complete.generated_images;
		expect(video).toMatchObject({ nsfw: false, likeCount: 0, motion: true, motionModel: 'LTXV_2_3_PRO', imageToVideo: false });
		expect(video.id).toBe(emulated?.outputImageId);
		expect(video.url).toBe(`${emu.cdnUrl}/posters/${id}.jpg`);
		expect(video.motionMP4URL).toMatch(new RegExp(`^${emu.cdnUrl}/videos/${id}\\.mp4\\?expires=\\d+&sig=\\w+$`));
		expect(emulated?.status).toBe('COMPLETE');
	});

	test('a random seed is reported when none was asked', async () => {
		const generation = await poll(await createGeneration());
		expect(Number.isInteger(generation.seed)).toBe(true);
	});

	test('a completed output can be the GENERATED end frame of a new job', async () => {
		const first = await waitUntilSettled(await createGeneration());
		const guidances = { ...startFrame(KNOWN_GENERATED_IMAGE_ID, 'GENERATED'), end_frame: [{ image: { id: first.generated_images[0].id, type: 'GENERATED' } }] };
		const response = await api.post('/v2/generations', createBody({ prompt: 'a calm lake at dawn [emu:never]', guidances }));
		expect(response.status).toBe(200);
		expect((await poll(response.data.generate.generationId)).status).toBe('PENDING');
	});

	test('unknown ids poll as null; malformed ids are a database error', async () => {
		expect(await poll(randomUUID())).toBeNull();
		const malformed = await api.get('/v1/generations/not-a-uuid');
		expect(malformed.status).toBe(400);
		expect(malformed.data.code).toBe('data-exception');
	});

	test('DELETE removes a generation; a second DELETE answers null', async () => {
		const id = await createGeneration();
		expect((await api.delete(`/v1/generations/${id}`)).data).toEqual({ delete_generations_by_pk: { id } });
		expect(emu.generations.has(id)).toBe(false);
		expect(await poll(id)).toBeNull();
		expect((await api.delete(`/v1/generations/${id}`)).data).toEqual({ delete_generations_by_pk: null });
	});

	test("the user's generations list newest first, with offset and limit", async () => {
		const ids = [await createGeneration(), await createGeneration(), await createGeneration()];
		const userId = (await api.get('/v1/me')).data.user_details[0].user.id;
		const page = await api.get(`/v1/generations/user/${userId}`, { params: { offset: 0, limit: 2 } });
		expect(page.status).toBe(200);
		expect(page.data.generations).toHaveLength(2);
		const all = await api.get(`/v1/generations/user/${userId}`, { params: { limit: 1000 } });
		const listed = all.data.generations.map((generation: Json) => generation.id);
		expect(listed.indexOf(ids[2])).toBeLessThan(listed.indexOf(ids[0]));
		expect((await api.get(`/v1/generations/user/${randomUUID()}`)).data).toEqual({ generations: [] });
		expect((await api.get(`/v1/generations/user/${userId}`, { params: { limit: 'ten' } })).status).toBe(400);
	});

	describe('prompt markers and setOutcome', () => {
		test('[emu:failed] ends FAILED without outputs', async () => {
			expect(await waitUntilSettled(await createGeneration({ prompt: 'x [emu:failed]' }))).toMatchObject({ status: 'FAILED', generated_images: [] });
		});

		test('[emu:moderated] ends COMPLETE with no outputs', async () => {
			expect(await waitUntilSettled(await createGeneration({ prompt: 'x [emu:moderated]' }))).toMatchObject({ status: 'COMPLETE', generated_images: [] });
		});

		test('[emu:no-mp4] leaves motionMP4URL null and puts the MP4 in url', async () => {
			const [video] = (await waitUntilSettled(await createGeneration({ prompt: 'x [emu:no-mp4]' }))).generated_images;
			expect(video.motionMP4URL).toBeNull();
			expect(video.url).toMatch(/\.mp4\?expires=/);
			expect((await download(video.url)).status).toBe(200);
		});

		test('[emu:never] stays PENDING; setOutcome completes it', async () => {
			const id = await createGeneration({ prompt: 'x [emu:never]' });
			expect(emu.generations.get(id)?.completeAt).toBeNull();
			await sleep(DELAY_MS + 30);
			expect((await poll(id)).status).toBe('PENDING');
			emu.setOutcome(id, 'complete');
			expect((await poll(id)).status).toBe('COMPLETE');
		});

		test('[emu:delay=N] and [emu:bytes=N] set this generation only', async () => {
			const id = await createGeneration({ prompt: 'x [emu:delay=40] [emu:bytes=20000]' });
			const emulated = emu.generations.get(id);
			expect((emulated?.completeAt ?? 0) - (emulated?.createdAt ?? 0)).toBe(40);
			const [video] = (await waitUntilSettled(id)).generated_images;
			const response = await download(video.motionMP4URL);
			expect(response.headers['content-length']).toBe('20000');
			expect(response.bytes.length).toBe(20000);
		});
	});
});

describe('init image and S3 upload (§3)', () => {
	test('init-image answers the presigned POST; fields is a JSON string with a signed policy', async () => {
		const response = await api.post('/v1/init-image', { extension: 'png' });
		const { id, url, fields, key } = response.data.uploadInitImage;
		expect(typeof fields).toBe('string');
		expect(url).toBe(`${emu.s3Url}/`);
		const parsed = JSON.parse(fields);
		expect(parsed).toMatchObject({ key, 'Content-Type': 'image/png', 'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/) });
		const policy = JSON.parse(Buffer.from(parsed.Policy, 'base64').toString());
		expect(Date.parse(policy.expiration) - Date.now()).toBeGreaterThan(110_000);
		expect(key).toContain(`${id}.png`);
		expect((await api.post('/v1/init-image', { extension: 'jpeg' })).data.uploadInitImage.key).toMatch(/\.jpeg$/);
	});

	test.each([
		[{ extension: 'gif' }, 'validation-failed', /^invalid file extension/],
		[{ extension: 'PNG' }, 'validation-failed', /^invalid file extension/],
		[{ extension: 'png', name: 'frame.png' }, 'bad-request', /^Unexpected variable name$/],
		[{}, 'validation-failed', /non-nullable variable: "extension"/],
	])('init-image refuses %j', async (body, code, message) => {
		const response = await api.post('/v1/init-image', body);
		expect(response.status).toBe(400);
		expect(response.data).toMatchObject({ path: '$', code, error: expect.stringMatching(message) });
	});

	test.each(['png', 'jpg', 'webp'] as const)('a correct %s upload gets 204 and becomes a usable start frame', async (extension) => {
		const id = await uploadedImageId(extension);
		expect(emu.uploads.get(id)).toMatchObject({ uploaded: true, receivedBytes: IMAGES[extension].length, magicMatches: true });
		const [upload] = requestsOn('s3Upload');
		expect(upload.status).toBe(204);
		expect(upload.headers.authorization).toBeUndefined();
		expect(upload.body).toMatchObject({ fileName: `frame.${extension}`, fileBytes: IMAGES[extension].length, fileMagicOk: true });
		expect((upload.body as { fields: string[] }).fields.at(-1)).toBe('file');

		const generationId = await createGeneration({ width: 0, height: 0, guidances: startFrame(id, 'UPLOADED') });
		expect((await waitUntilSettled(generationId)).generated_images[0].imageToVideo).toBe(true);
	});

	test('an init image not yet uploaded cannot be used', async () => {
		const { id } = await initImage('png');
		const response = await api.post('/v2/generations', createBody({ guidances: startFrame(id, 'UPLOADED') }));
		expect(response.status).toBe(400);
		expect(response.data[0].message).toMatch(/no uploaded file/);
	});

	test('bytes that are not the declared type are accepted by S3 but the generation FAILS', async () => {
		const id = await uploadedImageId('png', IMAGES.notAnImage);
		expect(emu.uploads.get(id)?.magicMatches).toBe(false);
		expect(requestsOn('s3Upload')[0].body).toMatchObject({ fileMagicOk: false });
		const generationId = await createGeneration({ guidances: startFrame(id, 'UPLOADED') });
		expect((await waitUntilSettled(generationId)).status).toBe('FAILED');
	});

	test('an authorization header on the S3 POST is 403 AccessDenied XML', async () => {
		const upload = await initImage('png');
		const response = await postToS3(upload.url, presignedParts(upload.fields, IMAGES.png), { authorization: `Bearer ${emu.apiKey}` });
		expect(response.status).toBe(403);
		expect(response.data).toMatch(/<Code>AccessDenied<\/Code>/);
		expect(emu.uploads.get(upload.id)?.uploaded).toBe(false);
	});

	test('the file part must be the last part', async () => {
		const upload = await initImage('png');
		const [file, ...rest] = presignedParts(upload.fields, IMAGES.png).reverse();
		const response = await postToS3(upload.url, [file, ...rest.reverse()]);
		expect(response.status).toBe(400);
		expect(response.data).toMatch(/<Code>InvalidArgument<\/Code>.*last field/);
	});

	test('missing, extra and altered fields are refused', async () => {
		const upload = await initImage('png');
		const withoutPolicy = presignedParts(upload.fields, IMAGES.png).filter((part) => part.name !== 'Policy');
		expect((await postToS3(upload.url, withoutPolicy)).status).toBe(400);
		const withExtra = [{ name: 'acl', value: 'public-read' }, ...presignedParts(upload.fields, IMAGES.png)];
		expect((await postToS3(upload.url, withExtra)).status).toBe(400);
		const altered = presignedParts({ ...upload.fields, 'Content-Type': 'image/jpeg' }, IMAGES.png);
		expect((await postToS3(upload.url, altered)).status).toBe(403);
		expect((await raw.post(upload.url, 'not multipart', { headers: { 'content-type': 'text/plain' } })).status).toBe(412);
		expect(emu.uploads.get(upload.id)?.uploaded).toBe(false);
	});

	test('an expired presigned POST is 403 "Request has expired"', async () => {
		emu.setOptions({ presignExpiryMs: 20 });
		const upload = await initImage('png');
		await sleep(40);
		const response = await postToS3(upload.url, presignedParts(upload.fields, IMAGES.png));
		expect(response.status).toBe(403);
		expect(response.data).toMatch(/<Message>Request has expired<\/Message>/);
	});

	test('a standard FormData client (fetch) uploads correctly', async () => {
		const upload = await initImage('webp');
		const form = new FormData();
		for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
		form.append('file', new Blob([IMAGES.webp], { type: 'image/webp' }), 'frame.webp');
		const response = await fetch(upload.url, { method: 'POST', body: form });
		expect(response.status).toBe(204);
		expect(emu.uploads.get(upload.id)).toMatchObject({ uploaded: true, magicMatches: true });
	});

	test('a body arriving in tiny chunks parses the same', async () => {
		const upload = await initImage('png');
		const { body, contentType } = multipart(presignedParts(upload.fields, IMAGES.png));
		const trickle = Readable.from((function* () {
			for (let offset = 0; offset < body.length; offset += 7) yield body.subarray(offset, offset + 7);
		})());
		const response = await raw.post(upload.url, trickle, { headers: { 'content-type': contentType, 'content-length': String(body.length) } });
		expect(response.status).toBe(204);
		expect(emu.uploads.get(upload.id)?.receivedBytes).toBe(IMAGES.png.length);
	});

	test('a chunked upload (no Content-Length) is 411 MissingContentLength, as S3 answers; the file is recorded by size and SHA-256', async () => {
		const upload = await initImage('png');
		const { body, contentType } = multipart(presignedParts(upload.fields, IMAGES.png));
		const response = await raw.post(upload.url, Readable.from([body]), { headers: { 'content-type': contentType } });
		expect(response.status).toBe(411);
		expect(response.data).toMatch(/<Code>MissingContentLength<\/Code>/);
		expect(emu.uploads.get(upload.id)?.uploaded).toBe(false);
		expect(requestsOn('s3Upload')[0].headers['transfer-encoding']).toBe('chunked');
		expect(requestsOn('s3Upload')[0].body).toMatchObject({ fileBytes: IMAGES.png.length, fileSha256: createHash('sha256').update(IMAGES.png).digest('hex') });
	});
});

describe('CDN downloads', () => {
	test('the MP4 is the fixture: ftyp first, exact content-length, no auth ever sent', async () => {
		const url = await completedVideoUrl();
		const response = await download(url);
		expect(response.status).toBe(200);
		expect(response.headers['content-type']).toBe('video/mp4');
		expect(response.headers['content-length']).toBe(String(SAMPLE_MP4.length));
		expect(response.bytes.toString('latin1', 4, 8)).toBe('ftyp');
		expect(response.bytes.equals(SAMPLE_MP4)).toBe(true);
		const id = new URL(url).pathname.split('/').pop()?.replace('.mp4', '') ?? '';
		expect(emu.generations.get(id)?.downloadStartedAt).toBeGreaterThan(0);
		const cdnAndS3 = emu.requests.filter((request) => request.server !== 'api');
		expect(cdnAndS3.length).toBeGreaterThan(0);
		expect(cdnAndS3.every((request) => request.headers.authorization === undefined)).toBe(true);
	});

	test('a 5 MiB video is the fixture plus a trailing free box, exactly 5 MiB', async () => {
		const size = 5 * 1024 * 1024;
		emu.setOptions({ videoBytes: size });
		const response = await download(await completedVideoUrl());
		expect(response.headers['content-length']).toBe(String(size));
		expect(response.bytes.length).toBe(size);
		expect(response.bytes.subarray(0, SAMPLE_MP4.length).equals(SAMPLE_MP4)).toBe(true);
		const boxes = readTopLevelBoxes(response.bytes);
		expect(boxes[0].type).toBe('ftyp');
		expect(boxes.at(-1)).toEqual({ type: 'free', offset: SAMPLE_MP4.length, size: size - SAMPLE_MP4.length });
	});

	test('an expired URL is 403 XML; a bad signature or unknown id is 404', async () => {
		emu.setOptions({ cdnUrlExpiryMs: 15 });
		const url = await completedVideoUrl();
		await sleep(30);
		const expired = await raw.get(url, { responseType: 'text' });
		expect(expired.status).toBe(403);
		expect(expired.data).toMatch(/Request has expired/);
		// A forged signature that can never equal the real one (hex digits only), so the check is deterministic.
		expect((await raw.get(url.replace(/sig=\w+/, 'sig=forged'))).status).toBe(404);
		expect((await raw.get(`${emu.cdnUrl}/videos/${randomUUID()}.mp4?expires=${Date.now() + 60_000}&sig=x`)).status).toBe(404);
	});

	test('posters are small JPEGs; HEAD gives the video size without a body', async () => {
		emu.setOptions({ videoBytes: 123_456 });
		const generation = await waitUntilSettled(await createGeneration());
		const poster = await raw.get(generation.generated_images[0].url, { responseType: 'arraybuffer' });
		expect(poster.headers['content-type']).toBe('image/jpeg');
		expect(Buffer.from(poster.data).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
		const head = await raw.head(generation.generated_images[0].motionMP4URL);
		expect(head.headers['content-length']).toBe('123456');
	});

	test('posterVariant: none (url null), mp4-link (url is the MP4 link), missing (the poster link answers 404)', async () => {
		const video = async () => (await waitUntilSettled(await createGeneration())).generated_images[0];
		emu.setOptions({ posterVariant: 'none' });
		expect(await video()).toMatchObject({ url: null, motionMP4URL: expect.stringMatching(/\.mp4\?/) });
		emu.setOptions({ posterVariant: 'mp4-link' });
		const sameLink = await video();
		expect(sameLink.url).toBe(sameLink.motionMP4URL);
		emu.setOptions({ posterVariant: 'missing' });
		const missing = await video();
		expect(missing.url).toMatch(/\/posters\/[0-9a-f-]{36}\.jpg$/);
		expect((await raw.get(missing.url)).status).toBe(404);
		expect(() => emu.setOptions({ posterVariant: 'gif' as never })).toThrow(/posterVariant must be one of jpg, none, mp4-link, missing/);
	});
});

describe('MP4 padding', () => {
	const total = (chunks: Iterable<Buffer>) => Buffer.concat([...chunks]);

	test.each([1, 7, 8, 9, 100_000])('fixture + %d bytes stays a parseable MP4 of the exact size', (extra) => {
		const bytes = total(paddedMp4Chunks(SAMPLE_MP4, SAMPLE_MP4.length + extra));
		expect(bytes.length).toBe(SAMPLE_MP4.length + extra);
		expect(readTopLevelBoxes(bytes).reduce((sum, box) => sum + box.size, 0)).toBe(bytes.length);
	});

	test('padding beyond 4 GiB uses a 64-bit free box (generated lazily)', () => {
		const size = SAMPLE_MP4.length + 2 ** 32 + 100;
		const chunks = paddedMp4Chunks(SAMPLE_MP4, size);
		chunks.next(); // the fixture
		const header = chunks.next().value as Buffer;
		expect(header.readUInt32BE(0)).toBe(1);
		expect(header.toString('latin1', 4, 8)).toBe('free');
		expect(Number(header.readBigUInt64BE(8))).toBe(2 ** 32 + 100);
	});
});

describe('faults', () => {
	test('status faults answer in order, `times` times, then normal service resumes', async () => {
		emu.injectFault({ route: 'poll', status: 503, times: 2 });
		emu.injectFault({ route: 'poll', status: 404, body: { error: 'not found', path: '$', code: 'not-found' } });
		const url = `/v1/generations/${randomUUID()}`;
		const statuses = [];
		for (let i = 0; i < 4; i += 1) statuses.push((await api.get(url)).status);
		expect(statuses).toEqual([503, 503, 404, 200]);
		expect(requestsOn('poll').map((request) => request.status)).toEqual([503, 503, 404, 200]);
	});

	test('a 429 on create carries its headers and creates nothing', async () => {
		emu.injectFault({ route: 'create', status: 429, headers: { 'retry-after': '3' } });
		const response = await api.post('/v2/generations', createBody({}));
		expect(response.status).toBe(429);
		expect(response.headers['retry-after']).toBe('3');
		expect(emu.generations.size).toBe(0);
	});

	test.each(['reset', 'hang'] as const)("'%s' on create gives the client no answer but creates the generation", async (kind) => {
		emu.injectFault({ route: 'create', kind });
		// 2 s: the emulator must have handled the request before a 'hang' times out, even on a loaded machine.
		await expect(api.post('/v2/generations', createBody({}), { timeout: 2000 })).rejects.toThrow();
		const [generation] = emu.generations.values();
		expect(generation.createdDuringFault).toBe(kind);
		expect(requestsOn('create')[0].status).toBe(0);
	});

	test("'malformed-json' on create answers 200 with broken JSON and creates the generation", async () => {
		emu.injectFault({ route: 'create', kind: 'malformed-json' });
		const response = await api.post('/v2/generations', createBody({}), { responseType: 'text', transitional: { silentJSONParsing: true } });
		expect(response.status).toBe(200);
		expect(() => JSON.parse(response.data)).toThrow();
		expect(emu.generations.size).toBe(1);
	});

	test("'no-generation-id' answers {generate:{}} and creates nothing", async () => {
		emu.injectFault({ route: 'create', kind: 'no-generation-id' });
		const response = await api.post('/v2/generations', createBody({}));
		expect(response.data).toEqual({ generate: {} });
		expect(emu.generations.size).toBe(0);
	});

	test("'html502' answers a gateway HTML page", async () => {
		emu.injectFault({ route: 'me', kind: 'html502' });
		const response = await api.get('/v1/me', { responseType: 'text' });
		expect(response.status).toBe(502);
		expect(response.headers['content-type']).toMatch(/text\/html/);
		expect(response.data).toMatch(/<h1>502 Bad Gateway<\/h1>/);
	});

	test("'truncate' sends full headers, about half the body, then cuts the connection", async () => {
		emu.setOptions({ videoBytes: 1024 * 1024 });
		const url = await completedVideoUrl();
		emu.injectFault({ route: 'download', kind: 'truncate' });
		const response = await download(url);
		expect(response.headers['content-length']).toBe(String(1024 * 1024));
		expect(response.failed).toBe(true);
		expect(response.bytes.length).toBe(512 * 1024);
	});

	test("'redirect' answers 302 to the given location", async () => {
		const url = await completedVideoUrl();
		emu.injectFault({ route: 'download', kind: 'redirect', location: 'http://127.0.0.1:9/elsewhere.mp4' });
		const response = await raw.get(url);
		expect(response.status).toBe(302);
		expect(response.headers.location).toBe('http://127.0.0.1:9/elsewhere.mp4');
	});

	test('delayMs holds the answer back; S3 faults answer XML', async () => {
		emu.injectFault({ route: 's3Upload', delayMs: 80 });
		const upload = await initImage('png');
		const started = Date.now();
		const response = await postToS3(upload.url, presignedParts(upload.fields, IMAGES.png));
		expect(Date.now() - started).toBeGreaterThanOrEqual(75);
		expect(response.status).toBe(500);
		expect(response.data).toMatch(/<Code>InternalError<\/Code>/);
	});

	test("'echo-secrets' answers 401 with an error that repeats the Authorization header, the headers and the key's settings", async () => {
		emu.webhooks.configure({ callbackApiKey: 'callback-secret-42' });
		try {
			emu.injectFault({ route: 'me', kind: 'echo-secrets', messageLength: 100_000 });
			const response = await api.get('/v1/me');
			expect(response.status).toBe(401);
			const message: string = response.data.error;
			expect(message.length).toBeGreaterThanOrEqual(100_000);
			expect(message.slice(0, 2000)).toContain(`Authorization: Bearer ${emu.apiKey}`);
			expect(message.slice(0, 2000)).toContain('"webhookCallbackApiKey":"callback-secret-42"');
			expect(message.slice(-2000)).toContain(`Bearer ${emu.apiKey}`);
			expect(response.data).toMatchObject({ code: 'access-denied', request: { headers: { authorization: `Bearer ${emu.apiKey}` } } });
			// On S3 (no key is sent there) the same echo comes as S3's XML.
			emu.injectFault({ route: 's3Upload', kind: 'echo-secrets', status: 403 });
			const upload = await initImage('png');
			const s3 = await postToS3(upload.url, presignedParts(upload.fields, IMAGES.png));
			expect(s3.status).toBe(403);
			expect(s3.data).toMatch(/<Code>AccessDenied<\/Code><Message>The gateway refused POST .*Authorization: \(none\)/);
			expect(s3.data).toContain(emu.apiKey);
		} finally {
			emu.webhooks.configure({});
		}
	});

	test.each<[string, FaultSpec]>([
		['messageLength off echo-secrets', { route: 'me', messageLength: 10 }],
		['truncate off the download route', { route: 'poll', kind: 'truncate' }],
		['no-generation-id off the create route', { route: 'me', kind: 'no-generation-id' }],
		['a redirect without location', { route: 'poll', kind: 'redirect' }],
		['a control route', { route: 'control' }],
		['zero times', { route: 'poll', times: 0 }],
	])('refuses %s', (_case, spec) => {
		expect(() => emu.injectFault(spec)).toThrow();
	});
});

describe('control routes (/__emulator, no auth)', () => {
	const control = (path: string) => `${emu.apiOrigin}/__emulator/${path}`;

	test('faults, options, requests, generations and reset work over HTTP and are not recorded', async () => {
		expect((await raw.post(control('faults'), [{ route: 'me', status: 418 }])).data).toEqual({ ok: true, pendingFaults: 1 });
		expect((await api.get('/v1/me')).status).toBe(418);

		const options = await raw.post(control('options'), { generationDelayMs: 5, audioField: 'audio' });
		expect(options.data).toMatchObject({ generationDelayMs: 5, audioField: 'audio' });
		const id = await createGeneration();
		expect(emu.generations.get(id)?.completeAt).toBe((emu.generations.get(id)?.createdAt ?? 0) + 5);

		const requests = (await raw.get(control('requests'))).data;
		expect(requests.map((request: Json) => request.route)).toEqual(['me', 'create']);
		expect(requests[1].body).toEqual(createBody({}));
		await sleep(10);
		const generations = (await raw.get(control('generations'))).data;
		expect(generations).toContainEqual(expect.objectContaining({ id, status: 'COMPLETE', request: createBody({}) }));

		await raw.post(control('faults'), { route: 'me', status: 500 });
		expect((await raw.post(control('reset'))).status).toBe(200);
		expect(emu.requests).toHaveLength(0);
		expect((await api.get('/v1/me')).status).toBe(200);
	});

	test('invalid control input is a 400, unknown control routes 404', async () => {
		expect((await raw.post(control('faults'), { route: 'nope' })).status).toBe(400);
		expect((await raw.post(control('options'), { generationDelayMs: -1 })).status).toBe(400);
		expect((await raw.get(control('nothing'))).status).toBe(404);
	});
});

describe('stricter readings (switches; defaults in options.ts)', () => {
	test('the defaults are the unkind readings where they do not make every test about them', () => {
		const fresh = new LeonardoEmulator();
		expect(fresh.options).toMatchObject({ validationErrorShape: 'schema', retryAfterHeader: false, freshReadWindowMs: 10_000, refuse: [], initImageSettleMs: 0, concurrencySlots: 0 });
		expect(['audio', 'motion_has_audio']).toContain(fresh.options.audioField);
	});

	test("audioField 'alternate' accepts one spelling, and the other one in the next emulator", () => {
		const picks = [0, 1, 2, 3].map(() => new LeonardoEmulator({ audioField: 'alternate' }).options.audioField);
		expect(picks[0]).not.toBe(picks[1]);
		expect(picks[1]).not.toBe(picks[2]);
		expect(picks[0]).toBe(picks[2]);
	});

	test.each([
		['array', (data: Json) => expect(data).toEqual([{ message: 'Unexpected parameter: audio', extensions: { code: 'VALIDATION_ERROR', details: { field: 'audio' } } }])],
		['graphql', (data: Json) => expect(data).toEqual({ errors: [{ message: 'Unexpected parameter', extensions: { path: '$.parameters.audio', code: 'validation-failed' } }] })],
		[
			'schema',
			(data: Json) =>
				expect(data).toEqual({
					error: 'request/body/parameters failed schema validation',
					code: 'VALIDATION_ERROR',
					details: [{ instancePath: '/parameters', schemaPath: '#/additionalProperties', keyword: 'additionalProperties', params: { additionalProperty: 'audio' }, message: 'must NOT have additional properties' }],
				}),
		],
		['rest', (data: Json) => expect(data).toEqual({ error: 'Unexpected parameter', path: '$.parameters.audio', code: 'validation-failed' })],
	] as const)('validationErrorShape %s', async (shape, check) => {
		emu.setOptions({ validationErrorShape: shape, audioField: 'motion_has_audio' });
		const refused = await api.post('/v2/generations', createBody({ audio: true }));
		expect(refused.status).toBe(400);
		check(refused.data);
		expect(emu.generations.size).toBe(0);
	});

	test('schema shape: a rule inside parameters gets its instancePath; all issues are listed', async () => {
		emu.setOptions({ validationErrorShape: 'schema' });
		const response = await api.post('/v2/generations', createBody({ duration: 12, fps: 25 }));
		expect(response.data.details.map((entry: Json) => [entry.instancePath, entry.keyword])).toEqual([
			['/parameters', 'additionalProperties'],
			['/parameters/duration', 'errorMessage'],
		]);
	});

	const frame = { guidances: startFrame(KNOWN_GENERATED_IMAGE_ID, 'GENERATED') };
	test.each([
		['prompt-enhance-with-frame-on-pro', { prompt_enhance: 'AUTO', ...frame }, {}, 'prompt_enhance', { prompt_enhance: 'OFF', ...frame }],
		['fast-long-above-1080', { duration: 12, mode: 'RESOLUTION_1440', width: 2560, height: 1440 }, { model: 'ltxv-2.3-fast' }, 'duration', { duration: 12 }],
		['portrait-above-1080', { mode: 'RESOLUTION_2160', width: 2160, height: 3840 }, {}, 'width', { width: 1080, height: 1920 }],
		['4k-native-size', { mode: 'RESOLUTION_2160', width: 3840, height: 2160 }, {}, 'width', { mode: 'RESOLUTION_2160', width: 1920, height: 1080 }],
	] as const)('refuse %s: refused when on, accepted when off; the allowed variant is accepted', async (rule, parameters, envelope, field, allowed) => {
		expect((await api.post('/v2/generations', createBody(parameters, envelope))).status).toBe(200);
		emu.setOptions({ refuse: [rule] });
		const refused = await api.post('/v2/generations', createBody(parameters, envelope));
		expect(refused.status).toBe(400);
		expect(refused.data[0].extensions.details.field).toBe(field);
		expect((await api.post('/v2/generations', createBody(allowed, envelope))).status).toBe(200);
		expect(emu.generations.size).toBe(2);
	});

	test("refuse video-id-as-frame: a generation's output id is refused as a GENERATED frame; image ids still work", async () => {
		const video = await waitUntilSettled(await createGeneration());
		const videoFrame = { guidances: startFrame(video.generated_images[0].id, 'GENERATED') };
		expect((await api.post('/v2/generations', createBody(videoFrame))).status).toBe(200);
		emu.setOptions({ refuse: ['video-id-as-frame'] });
		const refused = await api.post('/v2/generations', createBody(videoFrame));
		expect(refused.data[0]).toMatchObject({ message: expect.stringMatching(/is a video, not an image/), extensions: { details: { field: 'guidances.start_frame' } } });
		expect((await api.post('/v2/generations', createBody(frame))).status).toBe(200);
	});

	test('initImageSettleMs: a fresh upload is an "Invalid init image id" for that long, then usable', async () => {
		emu.setOptions({ initImageSettleMs: 400 });
		const id = await uploadedImageId('png');
		const refused = await api.post('/v2/generations', createBody({ guidances: startFrame(id, 'UPLOADED') }));
		expect(refused.data[0]).toMatchObject({ message: `Invalid init image id: ${id}`, extensions: { details: { field: 'guidances.start_frame' } } });
		await sleep(450);
		expect((await api.post('/v2/generations', createBody({ guidances: startFrame(id, 'UPLOADED') }))).status).toBe(200);
	});

	test('retryAfterHeader: the rate-limit 429 carries Retry-After only when switched on', async () => {
		const limited = new LeonardoEmulator({ createRatePerMinute: 1, audioField: 'both' });
		await limited.start();
		try {
			const post = () => raw.post(`${limited.baseUrl}/v2/generations`, createBody({}), { headers: { authorization: `Bearer ${limited.apiKey}` } });
			expect((await post()).status).toBe(200);
			const bare = await post();
			expect(bare.status).toBe(429);
			expect(bare.headers['retry-after']).toBeUndefined();
			limited.setOptions({ retryAfterHeader: true });
			expect(Number((await post()).headers['retry-after'])).toBeGreaterThanOrEqual(1);
		} finally {
			await limited.stop();
		}
	});

	test('freshReadWindowMs: the first lookup of each new generation is 404, null or 500 in turn; later ones are real', async () => {
		emu.setOptions({ freshReadWindowMs: 10_000 });
		const ids = [await createGeneration(), await createGeneration(), await createGeneration()];
		const first = await Promise.all(ids.map(async (id) => (await api.get(`/v1/generations/${id}`))));
		const answers = first.map((response) => (response.status === 200 ? String(response.data.generations_by_pk) : response.status));
		expect([...answers].sort()).toEqual([404, 500, 'null'].sort());
		for (const id of ids) expect((await poll(id)).id).toBe(id);
		emu.setOptions({ freshReadWindowMs: 0 });
		expect((await poll(await createGeneration())).status).toBe('PENDING');
	});

	test('sparseRecords: seed null, no cost, 0×0 reported as requested', async () => {
		emu.setOptions({ sparseRecords: true });
		const response = await api.post('/v2/generations', createBody({ width: 0, height: 0, guidances: startFrame(KNOWN_GENERATED_IMAGE_ID, 'GENERATED') }));
		expect(response.data).toEqual({ generate: { generationId: expect.any(String) } });
		const record = await waitUntilSettled(response.data.generate.generationId);
		expect(record).toMatchObject({ seed: null, imageWidth: 0, imageHeight: 0 });
	});

	test('costs: per model, tier and length, in costUnit, with costPerSecond overrides; reportCost false leaves cost out', async () => {
		const costOf = async (parameters: Record<string, unknown>, model = 'ltxv-2.3-pro') =>
			(await api.post('/v2/generations', createBody(parameters, { model }))).data.generate.cost;
		expect(await costOf({ duration: 8 })).toEqual({ amount: '0.48', unit: 'DOLLARS' });
		expect(await costOf({ duration: 8 }, 'ltxv-2.3-fast')).toEqual({ amount: '0.32', unit: 'DOLLARS' });
		emu.setOptions({ costUnit: 'CREDITS' });
		expect(await costOf({ duration: 8 })).toEqual({ amount: '480', unit: 'CREDITS' });
		emu.setOptions({ costPerSecond: { 'ltxv-2.3-pro': { RESOLUTION_1080: 10 } } });
		expect(await costOf({ duration: 6 })).toEqual({ amount: '60', unit: 'CREDITS' });
		emu.setOptions({ reportCost: false });
		const response = await api.post('/v2/generations', createBody({}));
		expect(response.data).toEqual({ generate: { generationId: expect.any(String) } });
		expect(() => emu.setOptions({ costPerSecond: { 'ltxv-2.3-pro': { RESOLUTION_1080: -1 } } })).toThrow(/costPerSecond/);
	});

	test('accountBalance: /v1/me reports it in CREDITS (never in DOLLARS), each create takes its cost, an exhausted balance refuses the create', async () => {
		const tokens = async () => {
			const details = (await api.get('/v1/me')).data.user_details[0];
			return [details.apiSubscriptionTokens, details.apiPaidTokens];
		};
		emu.setOptions({ costUnit: 'CREDITS', accountBalance: { subscription: 500, paid: 600 } });
		expect(await tokens()).toEqual([500, 600]);
		await createGeneration(); // Pro, 8 s, 1080: 480 credits, from the plan part first
		expect(await tokens()).toEqual([20, 600]);
		await createGeneration();
		expect(await tokens()).toEqual([0, 140]);
		const generations = emu.generations.size;
		const refused = await api.post('/v2/generations', createBody({}));
		expect(refused.status).toBe(400);
		expect(refused.data).toEqual({ error: 'Not enough API balance for this generation (it costs 480 CREDITS)', path: '$', code: 'unexpected' });
		expect(emu.generations.size).toBe(generations);
		expect(await tokens()).toEqual([0, 140]);
		// DOLLARS: kept and taken, but GET /v1/me shows it nowhere.
		emu.setOptions({ costUnit: 'DOLLARS', accountBalance: { subscription: 0, paid: 1 } });
		expect(await tokens()).toEqual([0, 0]);
		await createGeneration();
		expect(emu.options.accountBalance).toEqual({ subscription: 0, paid: 0.52 });
	});

	test("concurrencySlots: beyond them a create is queued (PENDING longer), or refused with 429 under 'refuse'", async () => {
		emu.setOptions({ concurrencySlots: 1, generationDelayMs: 300 });
		expect((await api.get('/v1/me')).data.user_details[0].apiConcurrencySlots).toBe(1);
		const first = await createGeneration();
		const queued = await createGeneration();
		expect(emu.generations.get(queued)!.completeAt! - emu.generations.get(first)!.completeAt!).toBeGreaterThanOrEqual(300);
		emu.setOptions({ beyondSlots: 'refuse' });
		const refused = await api.post('/v2/generations', createBody({}));
		expect(refused.status).toBe(429);
		expect(refused.data.code).toBe('rate-limited');
		expect(emu.generations.size).toBe(2);
		await waitUntilSettled(queued);
		expect((await api.post('/v2/generations', createBody({}))).status).toBe(200);
	});

	test('a 500 fault with afterHandler: the create DID make its generation', async () => {
		emu.injectFault({ route: 'create', status: 500, afterHandler: true });
		const response = await api.post('/v2/generations', createBody({ prompt: 'made anyway' }));
		expect(response.status).toBe(500);
		expect(response.data).toEqual({ error: 'Service Error', path: '$', code: 'unexpected' });
		const [made] = [...emu.generations.values()];
		expect(made).toMatchObject({ createdDuringFault: 'status', params: { prompt: 'made anyway' } });
		expect(() => emu.injectFault({ route: 'create', kind: 'reset', afterHandler: true })).toThrow(/afterHandler/);
	});

	test('every switch is settable through the control route', async () => {
		const changes = { validationErrorShape: 'rest', refuse: ['4k-native-size'], initImageSettleMs: 5, retryAfterHeader: true, freshReadWindowMs: 7, sparseRecords: true, concurrencySlots: 3, beyondSlots: 'refuse' };
		const answer = await raw.post(`${emu.apiOrigin}/__emulator/options`, changes);
		expect(answer.data).toMatchObject(changes);
		expect((await raw.post(`${emu.apiOrigin}/__emulator/options`, { refuse: ['nope'] })).status).toBe(400);
		expect((await raw.post(`${emu.apiOrigin}/__emulator/options`, { validationErrorShape: 'xml' })).status).toBe(400);
	});
});

describe('cli.ts', () => {
	test('starts under plain node, prints one JSON line, serves, and exits on SIGTERM', async () => {
		const child = spawn(process.execPath, [join(__dirname, 'cli.ts'), '--quiet', '--delay', '10', '--key', 'cli-test-key'], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		try {
			const firstLine = await new Promise<string>((resolve, reject) => {
				createInterface({ input: child.stdout }).once('line', resolve);
				child.once('exit', (code) => reject(new Error(`cli exited early with ${code}`)));
			});
			const ready = JSON.parse(firstLine);
			expect(Object.keys(ready)).toEqual(['baseUrl', 's3Url', 'cdnUrl', 'imagesUrl', 'apiKey']);
			expect(ready.apiKey).toBe('cli-test-key');
			const me = await raw.get(`${ready.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${ready.apiKey}` } });
			expect(me.status).toBe(200);
		} finally {
			const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			expect(await exited).toBe(0);
		}
	});
});
