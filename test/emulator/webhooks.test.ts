/**
 * The emulator's webhook callbacks (webhooks.ts) against a real HTTP receiver on 127.0.0.1: the
 * documented envelope on every terminal status, its variants, copies, and the faults of the receiving
 * side (nothing listening, a slow answer).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_OPTIONS, LeonardoEmulator } from './index.ts';
import type { WebhookDelivery } from './index.ts';

type Json = any;

interface Received {
	headers: IncomingMessage['headers'];
	body: Json;
	at: number;
}

let emu: LeonardoEmulator;
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
/** How the receiver answers: status and delay. */
let answer = { status: 200, delayMs: 0 };
/** Answers still to be sent (slow answers), cleared at the end. */
const pendingAnswers = new Set<NodeJS.Timeout>();

beforeAll(async () => {
	emu = new LeonardoEmulator({ generationDelayMs: 100, quiet: true });
	await emu.start();
	receiver = createServer((req, res) => {
		let text = '';
		req.on('data', (chunk: Buffer) => (text += chunk.toString()));
		req.on('end', () => {
			received.push({ headers: req.headers, body: JSON.parse(text), at: Date.now() });
			const { status, delayMs } = answer;
			const timer = setTimeout(() => {
				pendingAnswers.delete(timer);
				res.writeHead(status, { 'content-type': 'application/json' }).end('{"received":true}');
			}, delayMs);
			pendingAnswers.add(timer);
		});
	});
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook/abc/webhook`;
});

afterAll(async () => {
	for (const timer of pendingAnswers) clearTimeout(timer);
	await emu.stop();
	receiver.closeAllConnections();
	await new Promise((resolve) => receiver.close(resolve));
});

beforeEach(() => {
	received = [];
	answer = { status: 200, delayMs: 0 };
	emu.webhooks.deliveries.length = 0;
	emu.webhooks.configure({ url: receiverUrl, callbackApiKey: 'callback-secret' });
});

async function create(prompt = 'a calm lake at dawn'): Promise<string> {
	const response = await fetch(`${emu.baseUrl}/v2/generations`, {
		method: 'POST',
		headers: { authorization: `Bearer ${emu.apiKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'ltxv-2.3-fast', public: false, parameters: { prompt, duration: 6 } }),
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as Json).generate.generationId;
}

/** Waits until `count` deliveries for the generation have ended (answered or failed). */
async function deliveriesOf(generationId: string, count = 1, timeoutMs = 15_000): Promise<WebhookDelivery[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const done = emu.webhooks.deliveries.filter((delivery) => delivery.generationId === generationId && delivery.durationMs !== undefined);
		if (done.length >= count) return done;
		if (Date.now() > deadline) throw new Error(`only ${done.length} of ${count} deliveries for ${generationId}`);
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
}

test('a finished video: one POST of the documented envelope with the bearer, the key echoed, the MP4 under images', async () => {
	const id = await create();
	const [delivery] = await deliveriesOf(id);

	expect(delivery).toMatchObject({ status: 200, copy: 0, attempt: 0, url: receiverUrl });
	expect(received).toHaveLength(1);
	const [{ headers, body }] = received;
	expect(headers).toMatchObject({ authorization: 'Bearer callback-secret', 'content-type': 'application/json', 'user-agent': expect.stringMatching(/^axios\//) });
	expect(body).toMatchObject({ type: 'image_generation.complete', object: 'generation', api_version: 'v1', timestamp: expect.any(Number) });
	const object = body.data.object;
	expect(object).toMatchObject({ id, status: 'COMPLETE', prompt: 'a calm lake at dawn', apiDollarCost: emu.generations.get(id)!.cost });
	expect(object.images).toEqual([expect.objectContaining({ generationId: id, motionMP4URL: expect.stringContaining(`/videos/${id}.mp4`) })]);
	expect(object.generated_images).toBeUndefined();
	expect(object.apiKey).toMatchObject({ key: emu.apiKey, webhookCallbackUrl: receiverUrl, webhookCallbackApiKey: 'callback-secret', type: 'PRODUCTION' });
	// Sent once the generation is no longer PENDING, not before.
	expect(delivery.startedAt).toBeGreaterThanOrEqual(emu.generations.get(id)!.completeAt!);
});

test('a FAILED generation is announced too, with status FAILED and no outputs', async () => {
	const id = await create('[emu:failed] a storm');
	await deliveriesOf(id);
	expect(received[0].body.data.object).toMatchObject({ id, status: 'FAILED', images: [] });
});

test('variants: another event name, generated_images, no data.object.id, extra fields, no callback key', async () => {
	emu.webhooks.configure({ url: receiverUrl, event: 'video_generation.complete', imagesField: 'generated_images', omitObjectId: true, extraFields: { motionDurationSeconds: 6 } });
	const id = await create();
	await deliveriesOf(id);
	const { headers, body } = received[0];
	expect(headers.authorization).toBeUndefined();
	expect(body.type).toBe('video_generation.complete');
	expect(body.data.object.id).toBeUndefined();
	expect(body.data.object.images).toBeUndefined();
	expect(body.data.object.generated_images[0].generationId).toBe(id);
	expect(body.data.object.motionDurationSeconds).toBe(6);

	emu.webhooks.configure({ url: receiverUrl, imagesField: 'none' });
	const second = await create();
	await deliveriesOf(second);
	expect(received[1].body.data.object).toMatchObject({ id: second });
	expect(received[1].body.data.object.images).toBeUndefined();
});

test('copies: at-least-once delivery sends the same envelope several times, one after another or at once', async () => {
	emu.webhooks.configure({ url: receiverUrl, copies: 3 });
	const id = await create();
	const deliveries = await deliveriesOf(id, 3);
	expect(deliveries.map((delivery) => delivery.copy)).toEqual([0, 1, 2]);
	expect(new Set(received.map((entry) => JSON.stringify(entry.body))).size).toBe(1);
	// One after another: each copy starts after the previous one was answered.
	expect(deliveries[1].startedAt).toBeGreaterThanOrEqual(deliveries[0].startedAt + deliveries[0].durationMs!);

	received = [];
	answer = { status: 200, delayMs: 300 };
	emu.webhooks.configure({ url: receiverUrl, copies: 2, concurrentCopies: true });
	const concurrent = await create();
	const both = await deliveriesOf(concurrent, 2);
	// At once: the second starts before the first is answered.
	expect(Math.abs(both[1].startedAt - both[0].startedAt)).toBeLessThan(300);
});

test('no webhook URL on the key: nothing is sent', async () => {
	emu.webhooks.configure({});
	const id = await create();
	await new Promise((resolve) => setTimeout(resolve, 600));
	expect(emu.generations.get(id)!.status).toBe('COMPLETE');
	expect(emu.webhooks.deliveries).toEqual([]);
	expect(received).toEqual([]);
});

test('n8n down: the connection is refused, recorded, and not retried unless asked to', async () => {
	const closed = createServer();
	await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
	const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/webhook/x/webhook`;
	await new Promise((resolve) => closed.close(resolve));

	emu.webhooks.configure({ url: deadUrl });
	const id = await create();
	const [delivery] = await deliveriesOf(id);
	expect(delivery.error).toBe('ECONNREFUSED');
	expect(delivery.status).toBeUndefined();
	await new Promise((resolve) => setTimeout(resolve, 300));
	expect(emu.webhooks.deliveries.filter((entry) => entry.generationId === id)).toHaveLength(1);

	emu.webhooks.configure({ url: deadUrl, retries: 2, retryDelayMs: 50 });
	const retried = await create();
	expect((await deliveriesOf(retried, 3)).map((entry) => [entry.attempt, entry.error])).toEqual([
		[0, 'ECONNREFUSED'],
		[1, 'ECONNREFUSED'],
		[2, 'ECONNREFUSED'],
	]);
});

test('a slow answer: the emulator gives up after timeoutMs and records a timeout; an error status is recorded as such', async () => {
	answer = { status: 200, delayMs: 1500 };
	emu.webhooks.configure({ url: receiverUrl, timeoutMs: 300 });
	const id = await create();
	const [delivery] = await deliveriesOf(id);
	expect(delivery.error).toBe('timeout');
	expect(delivery.status).toBeUndefined();
	expect(delivery.durationMs).toBeLessThan(1500);

	answer = { status: 503, delayMs: 0 };
	emu.webhooks.configure({ url: receiverUrl, retries: 1, retryDelayMs: 10 });
	const refused = await create();
	expect((await deliveriesOf(refused, 2)).map((entry) => entry.status)).toEqual([503, 503]);
});

test('an image generation of the same key: its callback goes out and its lookup shows image outputs (no MP4)', async () => {
	const id = emu.webhooks.addImageGeneration('a red apple');
	await deliveriesOf(id);
	expect(received[0].body.data.object).toMatchObject({ id, status: 'COMPLETE', images: [expect.objectContaining({ generationId: id, motionMP4URL: null })] });

	const lookup = await fetch(`${emu.baseUrl}/v1/generations/${id}`, { headers: { authorization: `Bearer ${emu.apiKey}` } });
	const record = ((await lookup.json()) as Json).generations_by_pk;
	expect(record).toMatchObject({ id, status: 'COMPLETE', generated_images: [{ motion: false, motionMP4URL: null }] });
});

test('control routes: configure, image generation, deliveries, and reset clears the deliveries', async () => {
	const control = async (method: string, route: string, body?: unknown) => {
		const response = await fetch(`${emu.apiOrigin}/__emulator/${route}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: response.status, body: (await response.json()) as Json };
	};
	expect((await control('POST', 'webhook', { url: receiverUrl, copies: 2 })).body).toEqual({ url: receiverUrl, copies: 2 });
	expect((await control('POST', 'webhook', { copies: -1 })).status).toBe(400);
	const { generationId } = (await control('POST', 'image-generation', { prompt: 'x' })).body;
	await deliveriesOf(generationId, 2);
	expect((await control('GET', 'webhook-deliveries')).body).toHaveLength(2);
	await control('POST', 'reset');
	expect((await control('GET', 'webhook-deliveries')).body).toEqual([]);
});

test('lagNullMs / lagPendingMs: after the callback the lookup reads null, then PENDING without outputs, then the truth', async () => {
	emu.webhooks.configure({ url: receiverUrl, callbackApiKey: 'callback-secret', lagNullMs: 400, lagPendingMs: 400 });
	// Without the rotating 404/null/500 of a new generation's first real read, so "the truth" is the record.
	emu.setOptions({ freshReadWindowMs: 0 });
	const id = await create();
	const [delivery] = await deliveriesOf(id);
	const lookup = async () => {
		const response = await fetch(`${emu.baseUrl}/v1/generations/${id}`, { headers: { authorization: `Bearer ${emu.apiKey}` } });
		return ((await response.json()) as Json).generations_by_pk;
	};
	const at = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, Math.max(0, delivery.startedAt + ms - Date.now())));
	// The callback said COMPLETE; the lookup has not caught up yet.
	expect(received[0].body.data.object.status).toBe('COMPLETE');
	expect(await lookup()).toBeNull();
	await at(500);
	expect(await lookup()).toMatchObject({ id, status: 'PENDING', generated_images: [] });
	await at(900);
	expect(await lookup()).toMatchObject({ id, status: 'COMPLETE', generated_images: [expect.objectContaining({ motionMP4URL: expect.stringContaining('.mp4') })] });
	expect(() => emu.webhooks.configure({ lagNullMs: -1 })).toThrow(/lagNullMs/);
	emu.setOptions({ freshReadWindowMs: DEFAULT_OPTIONS.freshReadWindowMs });
});
