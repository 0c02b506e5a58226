/** The LTX Video Trigger's pure parts: the callback envelope, the bearer and IP checks, the handled-ID memory. */
import type { IDataObject } from 'n8n-workflow';
import { HandledCallbacks, readCallback, REMEMBERED_IDS } from '../../nodes/LtxVideoTrigger/callback';
import { bearerMatches, isLeonardoIp, LEONARDO_WEBHOOK_IPS, normaliseIp } from '../../nodes/LtxVideoTrigger/security';
import { readGenerationResponse } from '../../nodes/shared/responses';

const ID = '0a1b2c3d-4e5f-4789-abcd-ef0123456789';
const OTHER_ID = '1b2c3d4e-5f60-4789-abcd-ef0123456789';

/** The documented image envelope (docs/leonardo-api.md §5), the API key echoed inside. */
const documented = {
	type: 'image_generation.complete',
	object: 'generation',
	timestamp: 1699490546932,
	api_version: 'v1',
	data: {
		object: {
			id: ID,
			status: 'COMPLETE',
			prompt: 'p',
			images: [{ id: OTHER_ID, url: 'https://cdn.leonardo.ai/x.jpg', generationId: ID, nsfw: false }],
			apiKey: { id: 'k', key: 'the-api-key', webhookCallbackUrl: 'https://n8n/webhook/x/webhook', webhookCallbackApiKey: 's', type: 'PRODUCTION' },
		},
	},
};

describe('readCallback', () => {
	test('takes only the generation ID, the event and the status from the documented envelope (never the key)', () => {
		const callback = readCallback(documented);
		expect(callback).toEqual({ generationId: ID, event: 'image_generation.complete', status: 'COMPLETE', reason: undefined, cost: undefined });
		expect(JSON.stringify(callback)).not.toContain('the-api-key');
	});

	test('variants: another event name, generated_images, no data.object.id, extra fields, no type', () => {
		const { id: _id, images, ...withoutId } = documented.data.object;
		expect(readCallback({ ...documented, type: 'video_generation.complete', data: { object: { ...withoutId, generated_images: images, extra: { a: 1 } } } })).toMatchObject({
			generationId: ID,
			event: 'video_generation.complete',
		});
		expect(readCallback({ data: { object: { ...withoutId, images } } })).toMatchObject({ generationId: ID, event: undefined });
	});

	test('the cost: apiDollarCost as a string or a number, in dollars', () => {
		const withCost = (apiDollarCost: unknown) => readCallback({ ...documented, data: { object: { ...documented.data.object, apiDollarCost } } });
		expect(withCost('9')).toMatchObject({ cost: { amount: '9', unit: 'DOLLARS' } });
		expect(withCost(0.48)).toMatchObject({ cost: { amount: '0.48', unit: 'DOLLARS' } });
		expect(withCost(null)).toMatchObject({ cost: undefined });
	});

	test('a failure reason under a usual name is kept, shortened', () => {
		const failed = { ...documented, data: { object: { ...documented.data.object, status: 'FAILED', failedReason: 'x'.repeat(900) } } };
		expect(readCallback(failed)).toMatchObject({ status: 'FAILED', reason: `${'x'.repeat(500)}…` });
		const nested = { ...documented, data: { object: { ...documented.data.object, error: { message: 'moderation' } } } };
		expect(readCallback(nested)).toMatchObject({ reason: 'moderation' });
	});

	test('texts from the (unauthenticated) body are capped, single-line, and never carry the key or the callback secret', () => {
		const key = documented.data.object.apiKey;
		const secrets = ['3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c', 'callback-secret-42'];
		const echo = `Bearer ${secrets[0]} ${JSON.stringify({ ...key, key: secrets[0], webhookCallbackApiKey: secrets[1] })}`;
		const body = {
			...documented,
			type: `video_generation.failed ${echo}${' pad'.repeat(250_000)}`,
			data: { object: { ...documented.data.object, status: `FAILED\n${echo}`, failedReason: `${echo}${'z'.repeat(1_000_000)}`, apiDollarCost: `0.5 ${echo}` } },
		};
		const callback = readCallback(body, secrets);
		if (typeof callback === 'string') throw new Error(callback);
		const text = JSON.stringify(callback);
		for (const secret of secrets) expect(text).not.toContain(secret);
		expect(callback.event).toMatch(/^video_generation\.failed Bearer \*\*\* /);
		expect(callback.event!.length).toBeLessThanOrEqual(101);
		expect(callback.status).toMatch(/^FAILED Bearer \*\*\*/);
		expect(callback.status!.length).toBeLessThanOrEqual(101);
		expect(callback.reason).toMatch(/^Bearer \*\*\* .*"key":"\*\*\*".*"webhookCallbackApiKey":"\*\*\*"/);
		expect(callback.reason!.length).toBeLessThanOrEqual(501);
		expect(callback.cost?.amount).toMatch(/^0\.5 Bearer \*\*\*/);
		expect(callback.cost!.amount.length).toBeLessThanOrEqual(101);
	});

	test.each([
		['not an object', 'hello', /not a JSON object/],
		['an array', [documented], /not a JSON object/],
		['no data', { type: 'x' }, /no data\.object/],
		['data.object not an object', { data: { object: 'x' } }, /no data\.object/],
		['no ID anywhere', { data: { object: { status: 'COMPLETE', images: [] } } }, /no generation ID/],
		['an ID that is not a UUID', { data: { object: { id: '../../etc', images: [{ generationId: 'nope' }] } } }, /no generation ID/],
	])('malformed: %s', (_name, body, problem) => {
		expect(readCallback(body)).toEqual(expect.stringMatching(problem));
	});
});

describe('bearerMatches', () => {
	test('only exactly "Bearer <secret>" passes', () => {
		expect(bearerMatches('Bearer s3cret', 's3cret')).toBe(true);
		for (const header of [undefined, '', 's3cret', 'Bearer s3cre', 'Bearer s3cret ', 'bearer s3cret', 'Basic s3cret', 'Bearer s3cretX', ['Bearer s3cret']]) {
			expect({ header, ok: bearerMatches(header, 's3cret') }).toEqual({ header, ok: false });
		}
	});
});

describe('isLeonardoIp', () => {
	test("Leonardo's published addresses pass, also IPv4-mapped; others and garbage do not", () => {
		for (const ip of LEONARDO_WEBHOOK_IPS) {
			expect(isLeonardoIp(ip)).toBe(true);
			expect(isLeonardoIp(`::ffff:${ip}`)).toBe(true);
		}
		for (const ip of ['127.0.0.1', '::1', '35.173.108.17', '35.173.108.1700', '', undefined, '::ffff:127.0.0.1']) {
			expect({ ip, ok: isLeonardoIp(ip) }).toEqual({ ip, ok: false });
		}
		expect(normaliseIp('::FFFF:3.229.99.26')).toBe('3.229.99.26');
	});
});

describe('HandledCallbacks', () => {
	const scope = () => `unit:${Math.random()}`;
	const idsIn = (staticData: IDataObject) => staticData.handledGenerationIds;

	test('an ID is remembered, in the static data and in the process, only once an execution started for it', () => {
		const staticData: IDataObject = {};
		const handled = new HandledCallbacks(staticData, scope());
		expect(handled.claim(ID)).toBe(true);
		// Claimed is not handled: nothing is written while the call waits for the record.
		expect(handled.has(ID)).toBe(false);
		expect(staticData).toEqual({});
		handled.started(ID);
		expect(handled.has(ID)).toBe(true);
		expect(idsIn(staticData)).toEqual([ID]);
		expect(handled.claim(ID)).toBe(false);
		// Another call of the same node in this process, with its own (older) copy of the static data.
		expect(new HandledCallbacks({}, (handled as unknown as { scope: string }).scope).claim(ID)).toBe(false);
		// After a restart only the saved static data counts.
		expect(new HandledCallbacks({ handledGenerationIds: [ID] }, scope()).claim(ID)).toBe(false);
	});

	test('while one call holds an ID, another call of the same node cannot claim it; once dropped, it can', () => {
		const key = scope();
		const first = new HandledCallbacks({}, key);
		const secondData: IDataObject = {};
		const second = new HandledCallbacks(secondData, key);
		expect(first.claim(ID)).toBe(true);
		expect(second.claim(ID)).toBe(false);
		expect(second.claim(OTHER_ID)).toBe(true);
		first.dropped(ID);
		expect(first.has(ID)).toBe(false);
		expect(second.claim(ID)).toBe(true);
		expect(secondData).toEqual({});
		// Other trigger nodes are not affected.
		expect(new HandledCallbacks({}, scope()).claim(OTHER_ID)).toBe(true);
	});

	test('a call that started late writes the IDs this process started meanwhile too (its static data copy is older)', () => {
		const key = scope();
		const longCall: IDataObject = { handledGenerationIds: ['from-before'] };
		const shortCall: IDataObject = { handledGenerationIds: ['from-before'] };
		const slow = new HandledCallbacks(longCall, key);
		expect(slow.claim(ID)).toBe(true);
		const quick = new HandledCallbacks(shortCall, key);
		expect(quick.claim(OTHER_ID)).toBe(true);
		quick.started(OTHER_ID);
		slow.started(ID);
		expect(idsIn(shortCall)).toEqual(['from-before', OTHER_ID]);
		expect(idsIn(longCall)).toEqual(['from-before', OTHER_ID, ID]);
	});

	test('bounded to the last REMEMBERED_IDS', () => {
		const staticData: IDataObject = {};
		const handled = new HandledCallbacks(staticData, scope());
		for (let i = 0; i < REMEMBERED_IDS + 20; i++) {
			handled.claim(`id-${i}`);
			handled.started(`id-${i}`);
		}
		expect((idsIn(staticData) as string[]).length).toBe(REMEMBERED_IDS);
		expect(handled.has('id-0')).toBe(false);
		expect(handled.has(`id-${REMEMBERED_IDS + 19}`)).toBe(true);
	});

	test('a static data value of the wrong type counts as empty', () => {
		expect(new HandledCallbacks({ handledGenerationIds: 'x' }, scope()).has('x')).toBe(false);
	});
});

describe('readGenerationResponse: isVideo', () => {
	const record = (outputs: unknown[]) => readGenerationResponse({ generations_by_pk: { id: ID, status: 'COMPLETE', generated_images: outputs } });

	test('a video output (MP4 URL, motion flag or motion model) is a video; plain images are not; no outputs is unknown', () => {
		expect(record([{ id: 'v', url: 'https://cdn/p.jpg', motionMP4URL: 'https://cdn/v.mp4' }])?.isVideo).toBe(true);
		expect(record([{ id: 'v', url: 'https://cdn/v.mp4', motionMP4URL: null, motion: true }])?.isVideo).toBe(true);
		expect(record([{ id: 'v', url: 'https://cdn/v.mp4', motionModel: 'ltxv-2.3-pro' }])?.isVideo).toBe(true);
		expect(record([{ id: 'i', url: 'https://cdn/i.jpg', motion: false, motionMP4URL: null, motionModel: null }])?.isVideo).toBe(false);
		expect(record([])?.isVideo).toBeUndefined();
	});
});
