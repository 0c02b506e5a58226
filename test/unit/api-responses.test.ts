/** Readers of Leonardo's JSON answers (create, record, list, account) and the output JSON built from them. */
import { modelSlugOf, readAccountResponse, readCreateResponse, readGenerationListResponse, readGenerationResponse } from '../../nodes/shared/responses';
import { generationJson, submittedJson } from '../../nodes/shared/output';

describe('readCreateResponse', () => {
	test('documented and defensive shapes', () => {
		expect(readCreateResponse({ generate: { generationId: 'g1', apiCreditCost: 0, cost: { amount: '0.45', unit: 'DOLLARS' } } })).toEqual({
			generationId: 'g1',
			cost: { amount: '0.45', unit: 'DOLLARS' },
		});
		expect(readCreateResponse({ generationId: 'g2' })).toEqual({ generationId: 'g2', cost: undefined });
		expect(readCreateResponse({ generate: { cost: { amount: 0.5 } } })).toBeUndefined();
		expect(readCreateResponse({ generate: {} })).toBeUndefined();
		expect(readCreateResponse('<html>')).toBeUndefined();
		expect(readCreateResponse({ generate: { generationId: 'g3', cost: { amount: 0.5, unit: 'DOLLARS' } } })?.cost).toEqual({ amount: '0.5', unit: 'DOLLARS' });
	});
});

describe('modelSlugOf: output `model` is the slug whatever the API spells', () => {
	test.each([
		['LTXV_2_3_PRO', 'ltxv-2.3-pro'],
		['LTXV_2_3_FAST', 'ltxv-2.3-fast'],
		['ltxv_2_3_fast', 'ltxv-2.3-fast'],
		['LTX 2.3 Pro', 'ltxv-2.3-pro'],
		['LTX 2.3 Fast', 'ltxv-2.3-fast'],
		['ltxv-2.3-pro', 'ltxv-2.3-pro'],
		['LTX_2_3_PRO', 'ltxv-2.3-pro'],
		['ltxv2.3-fast', 'ltxv-2.3-fast'],
	])('%s → %s', (spelling, slug) => {
		expect(modelSlugOf(spelling)).toBe(slug);
	});

	test.each(['MOTION2', 'VEO3', 'LTXV_2_0_PRO', 'LTXV_2_3', 'ltxv-2.3-pro-max', '0a1b2c3d-4e5f-6789-abcd-ef0123456789'])('%s names no LTX 2.3 model: kept as is', (raw) => {
		expect(modelSlugOf(raw)).toBe(raw);
	});

	test('a record maps its motionModel; Generate keeps the requested slug', () => {
		const wire = (motionModel: unknown) => ({
			generations_by_pk: { id: 'g', status: 'COMPLETE', generated_images: [{ id: 'v', motionMP4URL: 'https://cdn/v.mp4', motionModel }] },
		});
		expect(readGenerationResponse(wire('LTXV_2_3_FAST'))?.model).toBe('ltxv-2.3-fast');
		expect(readGenerationResponse(wire(null))?.model).toBeUndefined();
		expect(generationJson(readGenerationResponse(wire('MOTION2'))!, { model: 'ltxv-2.3-pro' }).model).toBe('ltxv-2.3-pro');
		expect(generationJson(readGenerationResponse(wire('MOTION2'))!).model).toBe('MOTION2');
	});
});

describe('readGenerationResponse', () => {
	const complete = {
		generations_by_pk: {
			id: 'g1',
			status: 'COMPLETE',
			prompt: 'p',
			imageWidth: 1920,
			imageHeight: 1080,
			seed: 7,
			generated_images: [{ id: 'v1', url: 'https://cdn/poster.jpg', motionMP4URL: 'https://cdn/v.mp4', nsfw: false, motionModel: 'ltxv-2.3-pro' }],
		},
	};

	test('COMPLETE with video', () => {
		expect(readGenerationResponse(complete)).toMatchObject({
			id: 'g1',
			status: 'COMPLETE',
			width: 1920,
			height: 1080,
			seed: 7,
			videoUrl: 'https://cdn/v.mp4',
			posterUrl: 'https://cdn/poster.jpg',
			videoId: 'v1',
			model: 'ltxv-2.3-pro',
			outputCount: 1,
		});
	});

	test('motionMP4URL null falls back to url', () => {
		const body = { generations_by_pk: { ...complete.generations_by_pk, generated_images: [{ id: 'v1', url: 'https://cdn/v.mp4', motionMP4URL: null }] } };
		expect(readGenerationResponse(body)).toMatchObject({ videoUrl: 'https://cdn/v.mp4', posterUrl: undefined });
	});

	test('null, missing and malformed', () => {
		expect(readGenerationResponse({ generations_by_pk: null })).toBeNull();
		expect(readGenerationResponse({})).toBeUndefined();
		expect(readGenerationResponse('{')).toBeUndefined();
		expect(readGenerationResponse({ generations_by_pk: { id: 5, status: 'PENDING' } })).toBeUndefined();
		expect(readGenerationResponse({ generations_by_pk: { id: 'g', status: 'PENDING', generated_images: 'x' } })).toMatchObject({ outputCount: 0 });
	});
});

test('output JSON: API facts win, request fills the gaps', () => {
	const record = readGenerationResponse({ generations_by_pk: { id: 'g1', status: 'COMPLETE', generated_images: [{ id: 'v1', motionMP4URL: 'https://cdn/v.mp4' }] } })!;
	expect(generationJson(record, { model: 'ltxv-2.3-fast', prompt: 'p', width: 1920, height: 1080, seed: 3, cost: { amount: '1', unit: 'DOLLARS' } })).toEqual({
		generationId: 'g1',
		status: 'COMPLETE',
		model: 'ltxv-2.3-fast',
		prompt: 'p',
		width: 1920,
		height: 1080,
		seed: 3,
		videoUrl: 'https://cdn/v.mp4',
		videoId: 'v1',
		cost: { amount: '1', unit: 'DOLLARS' },
	});
	expect(submittedJson('g1', { cost: { amount: '1' } })).toEqual({ generationId: 'g1', status: 'PENDING', cost: { amount: '1' } });
});

describe('readGenerationListResponse and readAccountResponse', () => {
	test('a list page keeps usable entries, counts all of them, and is undefined without "generations"', () => {
		const page = readGenerationListResponse({
			generations: [{ id: 'a', status: 'COMPLETE', generated_images: [{ id: 'v', url: 'https://cdn/p.jpg', motionMP4URL: 'https://cdn/v.mp4' }] }, { id: 'b' }, null, { id: 'c', status: 'PENDING' }],
		});
		expect(page).toMatchObject({ entryCount: 4, unreadable: 2 });
		expect(page!.records.map((record) => [record.id, record.isVideo, record.videoUrl])).toEqual([
			['a', true, 'https://cdn/v.mp4'],
			['c', undefined, undefined],
		]);
		expect(readGenerationListResponse({ generations: [] })).toEqual({ records: [], entryCount: 0, unreadable: 0 });
		expect(readGenerationListResponse({ generations_by_pk: {} })).toBeUndefined();
		expect(readGenerationListResponse([])).toBeUndefined();
	});

	test('an image output next to a video: the video is the one reported', () => {
		const [record] = readGenerationListResponse({
			generations: [{ id: 'a', status: 'COMPLETE', generated_images: [{ id: 'i', url: 'https://cdn/i.jpg' }, { id: 'v', url: 'https://cdn/v.mp4' }] }],
		})!.records;
		expect(record).toMatchObject({ isVideo: true, videoId: 'v', videoUrl: 'https://cdn/v.mp4' });
	});

	test('/v1/me: user ID and concurrency slots from user_details[0], nothing when absent', () => {
		expect(readAccountResponse({ user_details: [{ user: { id: 'u1', username: 'x' }, apiConcurrencySlots: 10 }] })).toEqual({ userId: 'u1', apiConcurrencySlots: 10 });
		expect(readAccountResponse({ user_details: [{ apiConcurrencySlots: '10' }] })).toEqual({ userId: undefined, apiConcurrencySlots: undefined });
		expect(readAccountResponse({ user_details: [] })).toEqual({ userId: undefined, apiConcurrencySlots: undefined });
		expect(readAccountResponse('nope')).toEqual({ userId: undefined, apiConcurrencySlots: undefined });
	});
});
