/**
 * `npm run probe` against the emulator's stricter readings (validation error shapes, refusal rules,
 * an init image that needs time, fresh-read 404/null/500, sparse records, concurrency slots, a 500
 * that created its generation): the probe must report each variant as what it is.
 */
import type { EmulatorOptions, LeonardoEmulator, RecordedRequest } from '../emulator/index.ts';
import { probeOptions, startProbeEmulator } from './setup';
import { runProbe, type ProbeOptions, type ProbeResult } from '../../tools/probe/run.ts';
import { join } from 'node:path';

const FRAME_PNG = join(__dirname, '..', 'fixtures', 'frame.png');

let emu: LeonardoEmulator;

async function probe(
	options: Partial<EmulatorOptions>,
	changes: Partial<ProbeOptions> = {},
	prepare: (started: LeonardoEmulator) => void = () => undefined,
): Promise<ProbeResult> {
	emu = await startProbeEmulator({ freshReadWindowMs: 0, ...options });
	prepare(emu);
	return await runProbe(probeOptions(emu, { webhookWaitMs: 1000, ...changes }), () => undefined);
}

afterEach(async () => {
	await emu?.stop();
});

const verdict = (result: ProbeResult, id: string) => result.validation?.results.find((r) => r.id === id)?.verdict;
const shape = (result: ProbeResult, id: string) => result.validation?.results.find((r) => r.id === id)?.reading.shape;
const agrees = (result: ProbeResult, id: string) => result.rows.find((r) => r.id === id)?.agrees;
const creates = (requests: RecordedRequest[]) => requests.filter((r) => r.route === 'create');

/** Whatever the shape: read as `readAs`, an unknown key named, `audio` refused and `motion_has_audio` passed, nothing made. */
function expectKeysAnswered(result: ProbeResult, readAs: string) {
	expect(shape(result, 'param.audio')).toBe(readAs);
	expect(result.validation?.validatorNamesUnknownKeys).toBe(true);
	expect(verdict(result, 'param.audio')).toBe('refused');
	expect(verdict(result, 'param.motion_has_audio')).toBe('passed');
	expect(emu.generations.size).toBe(0);
}

describe('validation error shapes', () => {
	test.each([
		['array', 'bare-array'],
		['graphql', 'graphql'],
		['schema', 'json-schema'],
	] as const)('%s: read as %s; each refused key and value named; the node parser finds every field', async (validationErrorShape, readAs) => {
		const result = await probe({ validationErrorShape, audioField: 'motion_has_audio' });
		expectKeysAnswered(result, readAs);
		expect(result.validation?.validatorNamesBadValues).toBe(true);
		expect(verdict(result, 'param.prompt-5000')).toBe('passed');
		expect(verdict(result, 'param.prompt-5001')).toBe('refused');
		expect(verdict(result, 'param.duration-7')).toBe('refused');
		expect(agrees(result, 'audio-key')).toBe('no');
		expect(agrees(result, 'error-shapes')).toBe('yes');
	});

	test('rest (first issue only): keys still answer, values behind the anchor are reported inconclusive, not passed', async () => {
		const result = await probe({ validationErrorShape: 'rest', audioField: 'motion_has_audio' });
		expectKeysAnswered(result, 'rest');
		expect(result.validation?.validatorNamesBadValues).toBe(false);
		expect(verdict(result, 'param.prompt-5000')).toBe('inconclusive');
		expect(verdict(result, 'param.fast-20s-2160')).toBe('inconclusive');
		expect(agrees(result, 'unknown-keys')).toBe('partly');
		expect(verdict(result, 'param.value-control')).toBe('inconclusive');
	});
});

test('every refusal rule: refused where it shows next to the anchor, never reported as agreeing where it does not', async () => {
	const result = await probe(
		{ refuse: ['prompt-enhance-with-frame-on-pro', 'video-id-as-frame', 'fast-long-above-1080', 'portrait-above-1080', '4k-native-size'] },
		{ spend: true, imageFile: FRAME_PNG },
	);
	// The emulator checks these combinations only once the body is otherwise valid: behind the anchor they
	// stay "not refused", and the free part does not claim they are allowed.
	for (const id of ['param.prompt-enhance-auto', 'param.fast-20s-1440', 'param.portrait-2160', 'param.size-2160']) {
		expect([id, verdict(result, id)]).toEqual([id, 'not-refused']);
	}
	expect(agrees(result, 'fast-long-high-res')).toBe('unknown');
	// The live runs answer what the free part cannot: Pro image-to-video with AUTO is refused (nothing made),
	// and the video's own ID is refused as a frame.
	const i2v = result.spend?.find((run) => run.kind === 'image-to-video');
	expect(i2v?.create.status).toBe(400);
	expect(i2v?.stoppedBecause).toMatch(/nothing was created or charged/);
	expect(agrees(result, 'prompt-enhance-frames')).toBe('no');
	expect(agrees(result, 'image-to-video')).toBe('no');
	expect(result.spend?.[0].videoIdAsFrame?.verdict).toBe('refused');
	expect(agrees(result, 'video-id-as-frame')).toBe('no');
	expect(emu.generations.size).toBe(1);
});

test('an init image refused for a while after its upload: re-sent until accepted, and how long it took is reported', async () => {
	const result = await probe({ initImageSettleMs: 3000 }, { spend: true, skipValidation: true, imageFile: FRAME_PNG });
	const i2v = result.spend?.find((run) => run.kind === 'image-to-video');
	expect(i2v?.imageSettle?.refusals).toBeGreaterThanOrEqual(1);
	expect(i2v?.imageSettle?.acceptedAfterMs).toBeGreaterThanOrEqual(2000);
	expect(i2v?.fields?.status).toBe('COMPLETE');
	expect(result.rows.find((r) => r.id === 'image-to-video')?.says).toMatch(/invalid init image" refusal/);
	// Every create but the accepted ones was refused: two videos in all.
	expect(emu.generations.size).toBe(2);
});

test('404 / null / 500 right after a create: counted in the poll log, the run still completes', async () => {
	const result = await probe({ freshReadWindowMs: 10_000 }, { spend: true, skipValidation: true });
	const poll = result.spend?.[0].poll;
	expect((poll?.notFound ?? 0) + (poll?.nullRecord ?? 0) + (poll?.serverErrors ?? 0)).toBeGreaterThanOrEqual(1);
	expect(result.spend?.[0].fields?.status).toBe('COMPLETE');
	expect(result.rows.find((r) => r.id === 'new-id-grace')?.says).toMatch(/404 ×[1-9]|null ×[1-9]|5xx ×[1-9]/);
});

test('sparse records: a missing cost and a null seed are reported as disagreeing', async () => {
	const result = await probe({ sparseRecords: true }, { spend: true, skipValidation: true });
	expect(result.spend?.[0].cost).toBeUndefined();
	expect(result.spend?.[0].fields?.seed).toBeNull();
	expect(agrees(result, 'create-response')).toBe('partly');
});

test('two concurrency slots: reported below the node’s default of 4', async () => {
	const result = await probe({ concurrencySlots: 2 }, { skipValidation: true });
	expect(result.account?.apiConcurrencySlots).toBe(2);
	expect(agrees(result, 'concurrency')).toBe('no');
});

test('a 500 to the paid create that did create the video: not re-sent, found by listing, followed to COMPLETE', async () => {
	const result = await probe({}, { spend: true, skipValidation: true }, (started) =>
		started.injectFault({ route: 'create', status: 500, afterHandler: true, body: { error: 'Service Error', path: '$', code: 'unexpected' } }),
	);
	// The 500 (never re-sent), then only the refused video-ID-as-frame probe.
	expect(creates(emu.requests).map((r) => r.status)).toEqual([500, 400]);
	expect(emu.generations.size).toBe(1);
	expect(result.spend?.[0].stoppedBecause).toMatch(/NOT sent again; the video exists anyway/);
	expect(result.spend?.[0].fields?.status).toBe('COMPLETE');
});
