/**
 * The node through n8n's engine against every stricter reading of docs/leonardo-api.md the emulator offers
 * (test/emulator/README.md, "Switches"): what the node re-sends, what it waits out, and what it says.
 */
import { KNOWN_GENERATED_IMAGE_ID } from '../emulator/index.ts';
import type { ValidationErrorShape } from '../emulator/types.ts';
import { generate, useEmulator } from '../helpers/scenario';

const { emulator, run, requests, createdGenerations } = useEmulator();
type CreateBody = { model: string; parameters: Record<string, unknown> };
const createBodies = () => requests('create').map((request) => request.body as CreateBody);
const createStatuses = () => requests('create').map((request) => request.status);
const fromImageId = (id = KNOWN_GENERATED_IMAGE_ID) => ({ startFrame: 'imageId', startFrameImageId: id, startFrameImageType: 'GENERATED' });
const binaryFrame = { input: [{ binary: { data: { file: 'frame.png' } } }] };
const gaps = (times: number[]) => times.slice(1).map((time, index) => time - times[index]);

async function expectVideo(result: Awaited<ReturnType<typeof run>>, items = 1) {
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(items);
	for (const item of result.items) expect((await result.readBinary(item)).toString('latin1', 4, 8)).toBe('ftyp');
}

describe.each<ValidationErrorShape>(['array', 'graphql', 'schema', 'rest'])('dialect negotiation against %s validation errors', (shape) => {
	beforeEach(() => emulator.setOptions({ validationErrorShape: shape }));

	test('`audio` refused: re-sent once with motion_has_audio', async () => {
		emulator.setOptions({ audioField: 'motion_has_audio' });
		const result = await run(generate({ generateAudio: false }));
		await expectVideo(result);
		expect(createStatuses()).toEqual([400, 200]);
		expect(createBodies()[1].parameters).toMatchObject({ motion_has_audio: false });
		expect(createBodies()[1].parameters).not.toHaveProperty('audio');
		expect(createdGenerations()).toHaveLength(1);
	});

	test('`mode` refused: re-sent once without mode, the size still in width/height', async () => {
		emulator.setOptions({ rejectParameters: ['mode'] });
		await expectVideo(await run(generate()));
		expect(createStatuses()).toEqual([400, 200]);
		expect(createBodies()[1].parameters).not.toHaveProperty('mode');
		expect(createBodies()[1].parameters).toMatchObject({ width: 1920, height: 1080 });
	});

	test('`audio` and `mode` refused together: both fixed in one re-send where the error lists both', async () => {
		emulator.setOptions({ audioField: 'motion_has_audio', rejectParameters: ['mode'] });
		await expectVideo(await run(generate()));
		// Hasura's REST shape reports only the first issue, so each field costs one refusal there.
		expect(createStatuses()).toEqual(shape === 'rest' ? [400, 400, 200] : [400, 200]);
		expect(createdGenerations()).toHaveLength(1);
	});

	test('`seed` refused: a clear error, nothing re-sent', async () => {
		emulator.setOptions({ rejectParameters: ['seed'] });
		const result = await run(generate({}, { seed: 5 }));
		expect(result.error?.message).toMatch(/This model did not accept a seed/);
		expect(result.error?.description).toMatch(/Remove the "Seed" option/);
		expect(createStatuses()).toEqual([400]);
	});
});

test('the first create learns the dialect before the other items send theirs: one refusal for a batch', async () => {
	emulator.setOptions({ audioField: 'motion_has_audio' });
	const result = await run(generate({}, { maxConcurrency: 4 }), { input: [1, 2, 3, 4].map((n) => ({ json: { n } })) });
	await expectVideo(result, 4);
	expect(createStatuses()).toEqual([400, 200, 200, 200, 200]);
});

test("audioField 'alternate' (the CLI default): whichever spelling this emulator takes, the video arrives", async () => {
	emulator.setOptions({ audioField: 'alternate' });
	const accepted = emulator.options.audioField;
	await expectVideo(await run(generate()));
	expect(createStatuses()).toEqual(accepted === 'audio' ? [200] : [400, 200]);
});

describe('prompt_enhance refused with a start frame on Pro (3P-observed)', () => {
	beforeEach(() => emulator.setOptions({ refuse: ['prompt-enhance-with-frame-on-pro'] }));

	test('the default Auto is re-sent once with OFF, and the output says so', async () => {
		const result = await run(generate(fromImageId()));
		await expectVideo(result);
		expect(createStatuses()).toEqual([400, 200]);
		expect(createBodies().map((body) => body.parameters.prompt_enhance)).toEqual(['AUTO', 'OFF']);
		expect(result.items[0].json.notice).toMatch(/refused Prompt Enhance "AUTO" with a start frame.*Prompt Enhance "OFF"/);
		expect(createdGenerations()).toHaveLength(1);
	});

	test('Off is sent once; text-to-video and Fast are not touched', async () => {
		await expectVideo(await run(generate({ ...fromImageId(), promptEnhance: 'OFF' })));
		await expectVideo(await run(generate({ promptEnhance: 'ON' })));
		await expectVideo(await run(generate({ ...fromImageId(), model: 'ltxv-2.3-fast', duration: 6, promptEnhance: 'ON' })));
		expect(createStatuses()).toEqual([200, 200, 200]);
	});
});

describe('an uploaded image not usable for a moment ("invalid init image id")', () => {
	test('the create is sent again after a short wait', async () => {
		emulator.setOptions({ initImageSettleMs: 1500 });
		const result = await run(generate({ startFrame: 'binary' }), binaryFrame);
		await expectVideo(result);
		expect(createStatuses()).toEqual([400, 200]);
		expect(gaps(requests('create').map((request) => request.at))[0]).toBeGreaterThanOrEqual(1900);
		expect(requests('s3Upload')).toHaveLength(1);
	});

	test('an image that never becomes usable ends with Leonardo\'s message after 2 + 4 + 8 s', async () => {
		emulator.setOptions({ initImageSettleMs: 60_000 });
		const result = await run(generate({ startFrame: 'binary' }), binaryFrame);
		expect(result.error?.message).toMatch(/Invalid init image id/);
		expect(result.error?.description).toMatch(/Nothing was generated or charged/);
		expect(createStatuses()).toEqual([400, 400, 400, 400]);
		expect(createdGenerations()).toEqual([]);
	}, 40_000);
});

describe('429 without Retry-After (no such header is promised)', () => {
	const tooMany = { route: 'create' as const, status: 429, body: { error: 'Too many requests', path: '$', code: 'rate-limited' } };

	test('create: backed off 2 s, 4 s, … instead of giving up after seconds', async () => {
		emulator.injectFault({ ...tooMany, times: 2 });
		await expectVideo(await run(generate()));
		expect(createStatuses()).toEqual([429, 429, 200]);
		const [first, second] = gaps(requests('create').map((request) => request.at));
		expect(first).toBeGreaterThanOrEqual(1900);
		expect(second).toBeGreaterThanOrEqual(3900);
	}, 30_000);

	test('create: a 429 that lasts beyond the one-minute window ends with the rate-limit error after 6 tries', async () => {
		emulator.injectFault({ ...tooMany, times: 10 });
		const result = await run(generate());
		expect(result.error?.httpCode).toBe('429');
		expect(result.error?.description).toMatch(/rate-limited/);
		const times = requests('create').map((request) => request.at);
		expect(times).toHaveLength(6);
		expect(times[5] - times[0]).toBeGreaterThanOrEqual(59_000);
		expect(createdGenerations()).toEqual([]);
	}, 120_000);

	test("the emulator's own concurrency refusal (beyond the account's slots) is waited out the same way", async () => {
		emulator.setOptions({ concurrencySlots: 1, beyondSlots: 'refuse', generationDelayMs: 1500 });
		const result = await run(generate({ prompt: '={{ "clip " + $json.n }}' }, { maxConcurrency: 2 }), { input: [1, 2].map((n) => ({ json: { n } })) });
		await expectVideo(result, 2);
		expect(createStatuses()).toEqual([200, 429, 200]);
		expect(createdGenerations()).toHaveLength(2);
	}, 30_000);

	test('status checks: a 429 delays the next check by its Retry-After, else 2 s, 4 s, …', async () => {
		emulator.injectFault({ route: 'poll', status: 429, headers: { 'retry-after': '3' }, body: { error: 'rate limited' } });
		emulator.injectFault({ route: 'poll', status: 429, times: 2, body: { error: 'rate limited' } });
		await expectVideo(await run(generate()));
		const polls = requests('poll');
		expect(polls.slice(0, 3).map((request) => request.status)).toEqual([429, 429, 429]);
		const [afterRetryAfter, afterFirstBare, afterSecondBare] = gaps(polls.map((request) => request.at));
		expect(afterRetryAfter).toBeGreaterThanOrEqual(2900);
		expect(afterFirstBare).toBeGreaterThanOrEqual(1900);
		expect(afterSecondBare).toBeGreaterThanOrEqual(3900);
	}, 40_000);

	test('status checks: 429s do not count as failed checks (14 in a row still end with the video)', async () => {
		emulator.injectFault({ route: 'poll', status: 429, times: 14, headers: { 'retry-after': '0' }, body: { error: 'rate limited' } });
		await expectVideo(await run(generate()));
		expect(requests('poll').filter((request) => request.status === 429)).toHaveLength(14);
	}, 40_000);
});

test('a create answered 500 that DID create a generation: nothing more is sent; the error says where to find it', async () => {
	emulator.injectFault({ route: 'create', status: 500, afterHandler: true });
	const prompt = `made despite the 500 ${Date.now()}`;
	const result = await run(generate({ prompt }));
	expect(result.error?.message).toMatch(/Service Error/);
	expect(result.error?.description).toMatch(/NOT sent again.*"Get Many" operation/);
	expect(createStatuses()).toEqual([500]);
	expect(requests().filter((request) => request.route !== 'create')).toEqual([]);
	// The generation exists, and the Get Many the error points to finds it (newest first).
	const [made] = createdGenerations();
	const listed = await run({ resource: 'video', operation: 'getAll', returnAll: false, limit: 5 });
	expect(listed.error).toBeUndefined();
	expect(listed.items.find((item) => item.json.prompt === prompt)?.json.generationId).toBe(made);
});

describe('404 / null / 500 on the first read of a new generation (on by default)', () => {
	test('Generate waits through them: one create per item, every video delivered', async () => {
		const result = await run(generate({ prompt: '={{ "clip " + $json.n }}' }, { maxConcurrency: 3 }), { input: [1, 2, 3].map((n) => ({ json: { n } })) });
		await expectVideo(result, 3);
		expect(requests('create')).toHaveLength(3);
		const pollStatuses = requests('poll').map((request) => request.status);
		expect(pollStatuses).toEqual(expect.arrayContaining([404, 500]));
	});

	test('Get right after a Generate that did not wait asks again instead of reporting "no generation"', async () => {
		const fresh = await run(generate({ prompt: '={{ "later " + $json.n }}', waitForCompletion: false }), { input: [1, 2, 3].map((n) => ({ json: { n } })) });
		const freshIds = fresh.items.map((item) => item.json.generationId as string);
		const got = await run({ resource: 'video', operation: 'get', generationId: '={{ $json.id }}', options: { download: false } }, { input: freshIds.map((id) => ({ json: { id } })) });
		expect(got.error).toBeUndefined();
		expect(got.items.map((item) => item.json.generationId)).toEqual(freshIds);
		expect(requests('poll').map((request) => request.status)).toEqual(expect.arrayContaining([404, 500]));
	}, 40_000);
});

test('record fields null or missing (seed, cost, apiCreditCost, 0×0 size): the output shows only what is known', async () => {
	emulator.setOptions({ sparseRecords: true });
	const result = await run(generate({ ...fromImageId(), aspectRatio: 'source' }));
	await expectVideo(result);
	const { json } = result.items[0];
	expect(json).toMatchObject({ status: 'COMPLETE', generationId: expect.any(String) });
	expect(json).not.toHaveProperty('seed');
	expect(json).not.toHaveProperty('cost');
	expect(json.width).not.toBe(0);
	expect(json.height).not.toBe(0);
	const seeded = await run(generate({}, { seed: 7 }));
	expect(seeded.items[0].json).toMatchObject({ seed: 7, width: 1920, height: 1080 });
});

test('concurrency slots: beyond them a generation stays PENDING longer (queued), and still arrives', async () => {
	emulator.setOptions({ concurrencySlots: 1, generationDelayMs: 1000 });
	const result = await run(generate({ prompt: '={{ "clip " + $json.n }}' }, { maxConcurrency: 2 }), { input: [1, 2].map((n) => ({ json: { n } })) });
	await expectVideo(result, 2);
	const [first, second] = createdGenerations().map((id) => emulator.generations.get(id)!);
	expect(Math.abs(second.completeAt! - first.completeAt!)).toBeGreaterThanOrEqual(1000);
	expect(requests('create')).toHaveLength(2);
});

describe('refusals of what the docs only REPORT: the error says what Leonardo refused and what to change', () => {
	test.each([
		['4k-native-size', generate({ resolution: 'RESOLUTION_2160' }), /Invalid size 3840x2160 for RESOLUTION_2160/, /"Aspect Ratio" or "Resolution".*native 4K/],
		['portrait-above-1080', generate({ resolution: 'RESOLUTION_1440', aspectRatio: '9:16' }), /portrait is only available at RESOLUTION_1080/, /"Aspect Ratio" or "Resolution"/],
		['fast-long-above-1080', generate({ model: 'ltxv-2.3-fast', duration: 16, resolution: 'RESOLUTION_1440' }), /more than 10 seconds is only available at RESOLUTION_1080/, /"Duration \(Seconds\)", or a lower "Resolution"/],
	] as const)('%s', async (rule, parameters, message, fix) => {
		emulator.setOptions({ refuse: [rule] });
		const result = await run(parameters);
		expect(result.error?.message).toMatch(/^Leonardo refused to create the video: /);
		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toMatch(fix);
		expect(result.error?.description).toMatch(/Nothing was generated or charged/);
		expect(createStatuses()).toEqual([400]);
		// Off, the same request is accepted.
		emulator.setOptions({ refuse: [] });
		await expectVideo(await run(parameters));
	});

	test("video-id-as-frame: a video's own ID as a GENERATED start frame", async () => {
		const first = await run(generate());
		const videoId = first.items[0].json.videoId as string;
		emulator.setOptions({ refuse: ['video-id-as-frame'] });
		emulator.clearRequests();
		const result = await run(generate(fromImageId(videoId)));
		expect(result.error?.message).toMatch(new RegExp(`${videoId} is a video, not an image`));
		expect(result.error?.description).toMatch(/Check "Start Frame": use an image/);
		expect(createStatuses()).toEqual([400]);
	});
});
