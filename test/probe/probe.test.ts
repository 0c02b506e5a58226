/**
 * `npm run probe` (tools/probe) against the emulator over real HTTP: the free part, the
 * validation-only part, `--spend`, and the emulator's stricter variants, each read back from the
 * probe's own result. The CLI itself runs as a child process (as a key holder runs it).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { EmulatorOptions, LeonardoEmulator, RecordedRequest } from '../emulator/index.ts';
import { REDACTED } from '../../nodes/shared/errors';
import { probeOptions, startProbeEmulator } from './setup';
import { runProbe, type ProbeOptions, type ProbeResult } from '../../tools/probe/run.ts';
import { WebhookReceiver } from '../../tools/probe/webhook.ts';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'tools', 'probe', 'cli.ts');
const FRAME_PNG = join(__dirname, '..', 'fixtures', 'frame.png');

let emu: LeonardoEmulator;

async function startEmulator(options: Partial<EmulatorOptions> = {}): Promise<LeonardoEmulator> {
	emu = await startProbeEmulator(options);
	return emu;
}

afterEach(async () => {
	await emu?.stop();
});

async function probe(changes: Partial<ProbeOptions> = {}): Promise<{ result: ProbeResult; lines: string[] }> {
	const lines: string[] = [];
	const result = await runProbe(probeOptions(emu, changes), (line) => lines.push(line));
	return { result, lines };
}

const verdict = (result: ProbeResult, id: string) => result.validation?.results.find((r) => r.id === id)?.verdict;
const row = (result: ProbeResult, id: string) => {
	const found = result.rows.find((r) => r.id === id);
	if (!found) throw new Error(`no row ${id}`);
	return found;
};
const creates = (requests: RecordedRequest[]) => requests.filter((r) => r.route === 'create');

describe('free part and validation-only part', () => {
	test('default emulator: both LTX schemas read, every create refused, nothing created, answers as assumed', async () => {
		await startEmulator();
		const { result } = await probe();

		expect(result.account).toMatchObject({ status: 200, keyWorks: true, apiConcurrencySlots: 10 });
		expect(result.account?.wrongKey?.status).toBe(401);
		expect(result.account?.malformedKey?.status).toBe(500);
		expect(Object.keys(result.models?.found ?? {})).toEqual(['ltxv-2.3-pro', 'ltxv-2.3-fast']);
		expect(result.models?.facts['ltxv-2.3-pro']?.properties.duration.enum).toEqual([6, 8, 10]);
		expect(result.models?.facts['ltxv-2.3-fast']?.properties.prompt.maxLength).toBe(5000);
		expect(result.models?.facts['ltxv-2.3-fast']?.sizeZeroAllowed).toBe(true);

		// Free by construction: every create was refused and no generation exists.
		const sent = creates(emu.requests);
		expect(sent.length).toBe(result.validation?.results.length);
		expect(sent.length).toBeGreaterThan(25);
		expect(sent.every((r) => r.status === 400)).toBe(true);
		expect(emu.generations.size).toBe(0);
		expect(result.validation?.stoppedBecause).toBeUndefined();
		expect(result.validation?.validatorNamesUnknownKeys).toBe(true);

		const expected = {
			anchor: 'refused',
			'param.audio': 'passed',
			'param.motion_has_audio': 'passed',
			'param.mode': 'passed',
			'param.seed': 'passed',
			'param.seed-over-int32': 'refused',
			'param.duration-7': 'refused',
			'param.prompt-5000': 'passed',
			'param.prompt-5001': 'refused',
			'param.quantity-2': 'refused',
			'param.end-frame-alone': 'refused',
			// Combinations of valid values only ever show "not refused": a rule checked after the frame would not show.
			'param.fast-20s-2160': 'not-refused',
			'param.prompt-enhance-auto': 'not-refused',
		};
		expect(Object.fromEntries(Object.keys(expected).map((id) => [id, verdict(result, id)]))).toEqual(expected);
		expect(row(result, 'fast-long-high-res').agrees).toBe('unknown');

		// Error shapes as the emulator answers them, and the node's own parser finds every named field.
		const shapeOf = (id: string) => result.validation?.results.find((r) => r.id === id)?.reading.shape;
		expect(shapeOf('envelope.public-type')).toBe('rest');
		expect(shapeOf('param.audio')).toBe('json-schema'); // the emulator's default validationErrorShape
		expect(row(result, 'error-shapes').agrees).toBe('yes');

		for (const id of ['audio-key', 'mode', 'seed', 'durations', 'sizes', 'prompt-length', 'quantity', 'frames', 'envelope', 'bad-key']) {
			expect([id, row(result, id).agrees]).toEqual([id, 'yes']);
		}
		// Paid questions stay open without --spend.
		for (const id of ['create-response', 'timing', 'motion-model', 'cdn', 'webhook']) {
			expect([id, row(result, id).agrees]).toEqual([id, 'unknown']);
		}
	});

	test('only `motion_has_audio` accepted: the probe says our `audio` default disagrees', async () => {
		await startEmulator({ audioField: 'motion_has_audio' });
		const { result } = await probe();
		expect(result.models?.facts['ltxv-2.3-fast']?.audioKeys).toEqual(['motion_has_audio']);
		expect(verdict(result, 'param.audio')).toBe('refused');
		expect(verdict(result, 'param.motion_has_audio')).toBe('passed');
		expect(row(result, 'audio-key').agrees).toBe('no');
	});

	test('only `audio` accepted: agrees, and `motion_has_audio` is reported refused', async () => {
		await startEmulator({ audioField: 'audio' });
		const { result } = await probe();
		expect(result.models?.facts['ltxv-2.3-pro']?.audioKeys).toEqual(['audio']);
		expect(verdict(result, 'param.motion_has_audio')).toBe('refused');
		expect(row(result, 'audio-key').agrees).toBe('yes');
	});

	test('`mode` and `seed` refused: both rows disagree, from the schema and from the refusals', async () => {
		await startEmulator({ rejectParameters: ['mode', 'seed'] });
		const { result } = await probe();
		expect(result.models?.facts['ltxv-2.3-fast']?.keys).not.toContain('mode');
		expect(verdict(result, 'param.mode')).toBe('refused');
		expect(verdict(result, 'param.seed')).toBe('refused');
		expect(row(result, 'mode').agrees).toBe('no');
		expect(row(result, 'seed').agrees).toBe('no');
		expect(emu.generations.size).toBe(0);
	});

	test.each(['string-parameters', 'slug-names'] as const)('/v2/models variant %s: the LTX schemas are still found and read', async (variant) => {
		await startEmulator({ modelsListVariant: variant });
		const { result } = await probe({ skipValidation: true });
		expect(Object.keys(result.models?.found ?? {})).toEqual(['ltxv-2.3-pro', 'ltxv-2.3-fast']);
		expect(result.models?.found['ltxv-2.3-pro']?.parametersWasString).toBe(variant === 'string-parameters');
		expect(result.models?.facts['ltxv-2.3-fast']?.properties.duration.enum).toEqual([6, 8, 10, 12, 14, 16, 18, 20]);
		expect(row(result, 'durations').agrees).toBe('yes');
	});

	test('/v2/models without LTX 2.3: schema answers are unknown, the refusals still answer', async () => {
		await startEmulator({ modelsListVariant: 'no-ltx' });
		const { result } = await probe();
		expect(result.models?.found).toEqual({});
		expect(result.models?.modelCount).toBe(1);
		expect(row(result, 'prompt-enhance-values').agrees).toBe('unknown');
		expect(row(result, 'audio-key')).toMatchObject({ agrees: 'yes', evidence: 'validation' });
	});

	test('a refused key stops the probe after GET /v1/me: no create is sent', async () => {
		await startEmulator();
		const { result } = await probe({ apiKey: randomUUID(), spend: true });
		expect(result.account?.keyWorks).toBe(false);
		expect(result.stoppedBecause).toMatch(/the key does not work/);
		expect(emu.requests.every((r) => r.route === 'me')).toBe(true);
	});

	test('a 5xx to a validation probe stops the part: nothing is sent after it', async () => {
		await startEmulator();
		emu.injectFault({ route: 'create', status: 500, body: { error: 'Service Error', path: '$', code: 'unexpected' } });
		const { result } = await probe();
		expect(creates(emu.requests)).toHaveLength(1);
		expect(result.validation?.stoppedBecause).toMatch(/answered 500/);
	});

	test('a validation probe answered 2xx: what it made is deleted at once, no further probe, no paid part', async () => {
		await startEmulator();
		const madeUpId = randomUUID();
		emu.injectFault({ route: 'create', status: 200, body: { generate: { generationId: madeUpId } } });
		const { result } = await probe({ spend: true });
		expect(creates(emu.requests)).toHaveLength(1);
		const deletes = emu.requests.filter((r) => r.route === 'delete');
		expect(deletes.map((r) => r.path)).toEqual([`/api/rest/v1/generations/${madeUpId}`]);
		expect(result.validation?.results[0]).toMatchObject({ verdict: 'created', deleted: { generationId: madeUpId, status: 200 } });
		expect(result.stoppedBecause).toMatch(/paid part was not run/);
		expect(result.spend).toBeUndefined();
	});

	test('the key is redacted from everything recorded, even when an answer echoes it', async () => {
		await startEmulator();
		emu.injectFault({ route: 'models', status: 500, body: { error: `no models for key ${emu.apiKey}`, path: '$', code: 'unexpected' } });
		const { result, lines } = await probe({ skipValidation: true });
		const recorded = JSON.stringify(result) + lines.join('\n');
		expect(JSON.stringify(result.models?.error)).toContain(`for key ${REDACTED}`);
		expect(recorded).not.toContain(emu.apiKey);
	});

	test("an echo of the key in another spelling (base64 in a Basic header, JSON-escaped) is redacted too: the node's redaction", async () => {
		await startEmulator();
		const basic = Buffer.from(`user:${emu.apiKey}`).toString('base64');
		emu.injectFault({ route: 'models', status: 500, body: { error: `proxy saw Basic ${basic}`, echoed: JSON.stringify(JSON.stringify(emu.apiKey)), path: '$', code: 'unexpected' } });
		const { result, lines } = await probe({ skipValidation: true });
		const recorded = JSON.stringify(result) + lines.join('\n');
		expect(recorded).toContain('proxy saw Basic');
		// From its 9th character on, this base64 spells only the key's bytes.
		expect(recorded).not.toContain(basic.slice(8, -4));
		expect(recorded).not.toContain(emu.apiKey);
	});
});

describe('--spend', () => {
	test('one Fast 6 s 1080p video: record fields, cost, timing and CDN facts; the create is sent once', async () => {
		await startEmulator();
		const { result } = await probe({ spend: true, skipValidation: true });
		const [run] = result.spend ?? [];
		expect(result.spend).toHaveLength(1);
		// One paid create; the only other create is the anchored video-ID-as-frame probe, refused.
		expect(creates(emu.requests).map((r) => r.status)).toEqual([200, 400]);
		expect(emu.generations.size).toBe(1);
		expect(run.videoIdAsFrame?.verdict).toBe('passed');
		expect(row(result, 'video-id-as-frame').agrees).toBe('yes');
		expect(run.request).toMatchObject({ model: 'ltxv-2.3-fast', parameters: { duration: 6, width: 1920, height: 1080, mode: 'RESOLUTION_1080', audio: true } });
		expect(run.create.generationIdAt).toBe('generate.generationId');
		expect(run.cost).toEqual({ amount: '0.24', unit: 'DOLLARS' });
		expect(run.poll?.terminalAfterMs).toBeGreaterThanOrEqual(150);
		expect(run.fields).toMatchObject({ status: 'COMPLETE', imageWidth: 1920, imageHeight: 1080, seed: 424242, generatedImages: 1, motionMP4URL: true });
		// The spelling the record carries on the wire, read independently of the probe.
		const wire = await fetch(`${emu.baseUrl}/v1/generations/${run.generationId}`, { headers: { authorization: `Bearer ${emu.apiKey}` } });
		const wireModel = ((await wire.json()) as { generations_by_pk: { generated_images: Array<{ motionModel: unknown }> } }).generations_by_pk.generated_images[0].motionModel;
		expect(run.fields?.motionModel).toEqual(wireModel);
		expect(row(result, 'motion-model').says).toContain(JSON.stringify(wireModel));
		expect(run.video).toMatchObject({ signed: true, isMp4: true, downloadableWithoutKey: true, head: { status: 200 } });
		expect(run.video?.expiresInSeconds).toBeGreaterThan(3000);
		expect(row(result, 'create-response').agrees).toBe('yes');
		expect(row(result, 'cdn').agrees).toBe('yes');
		expect(row(result, 'webhook').says).toMatch(/no --webhook-port/);
		// The CDN never sees the key.
		expect(emu.requests.filter((r) => r.server === 'cdn').every((r) => r.headers.authorization === undefined)).toBe(true);
	});

	test('the balance before and after the one paid video: API credits fell by the reported cost → the floor\'s reading holds', async () => {
		await startEmulator({ costUnit: 'CREDITS', accountBalance: { subscription: 100, paid: 1000 } });
		const { result, lines } = await probe({ spend: true, skipValidation: true });
		const balance = result.spend?.[0].balance;
		expect(balance).toMatchObject({
			before: { apiSubscriptionTokens: 100, apiPaidTokens: 1000 },
			after: { apiSubscriptionTokens: 0, apiPaidTokens: 860 },
			fell: { apiSubscriptionTokens: 100, apiPaidTokens: 140 },
			cost: { amount: '240', unit: 'CREDITS' },
			verdict: 'holds',
		});
		expect(row(result, 'balance')).toMatchObject({ agrees: 'yes', evidence: 'live' });
		expect(row(result, 'balance').says).toMatch(/^reported cost 240 CREDITS; apiSubscriptionTokens -100, apiPaidTokens -140/);
		expect(lines.some((line) => /balance \(GET \/v1\/me\) before and after the video: .* holds/.test(line))).toBe(true);
	});

	test('a key billed in DOLLARS: no /v1/me field changed → the reading does not hold (the floor refuses such keys)', async () => {
		await startEmulator({ costUnit: 'DOLLARS', accountBalance: { subscription: 0, paid: 5 } });
		const { result } = await probe({ spend: true, skipValidation: true });
		expect(result.spend?.[0].balance).toMatchObject({ verdict: 'does not hold', fell: { apiSubscriptionTokens: 0, apiPaidTokens: 0 } });
		expect(row(result, 'balance')).toMatchObject({ agrees: 'no', says: expect.stringMatching(/^reported cost 0\.24 DOLLARS; no balance field changed/) });
	});

	test('the paid create follows what the free part learnt: `motion_has_audio`, no `mode`, no `seed`', async () => {
		await startEmulator({ audioField: 'motion_has_audio', rejectParameters: ['mode', 'seed'] });
		const { result } = await probe({ spend: true });
		const [run] = result.spend ?? [];
		const parameters = (run.request as { parameters: Record<string, unknown> }).parameters;
		expect(parameters).toMatchObject({ motion_has_audio: true });
		expect(Object.keys(parameters)).not.toEqual(expect.arrayContaining(['audio']));
		expect(parameters.mode).toBeUndefined();
		expect(parameters.seed).toBeUndefined();
		expect(run.fields?.status).toBe('COMPLETE');
		expect(emu.generations.size).toBe(1);
	});

	test('a create answered 500 is never sent again; the user’s generations show it made nothing', async () => {
		await startEmulator();
		emu.injectFault({ route: 'create', status: 500, body: { error: 'Service Error', path: '$', code: 'unexpected' } });
		const { result } = await probe({ spend: true, skipValidation: true });
		expect(creates(emu.requests)).toHaveLength(1);
		expect(emu.requests.filter((r) => r.route === 'listByUser')).toHaveLength(1);
		expect(result.spend?.[0].stoppedBecause).toMatch(/NOT sent again; no such video in your newest generations/);
		expect(emu.requests.some((r) => r.route === 'poll')).toBe(false);
	});

	test('a create whose connection dropped after it made the video: not re-sent, found by listing, followed to COMPLETE', async () => {
		await startEmulator();
		emu.injectFault({ route: 'create', kind: 'reset' });
		const { result } = await probe({ spend: true, skipValidation: true });
		const [run] = result.spend ?? [];
		// The dropped create (no answer), then only the refused video-ID-as-frame probe.
		expect(creates(emu.requests).map((r) => r.status)).toEqual([0, 400]);
		const [made] = emu.generations.values();
		expect(run.ambiguousCreate?.generationId).toBe(made.id);
		expect(run.stoppedBecause).toMatch(/NOT sent again; the video exists anyway/);
		expect(run.fields?.status).toBe('COMPLETE');
		expect(emu.generations.size).toBe(1);
	});

	test('--image: init image, S3 upload without the key, then image-to-video with prompt_enhance AUTO', async () => {
		await startEmulator();
		const { result } = await probe({ spend: true, skipValidation: true, imageFile: FRAME_PNG });
		const i2v = result.spend?.find((run) => run.kind === 'image-to-video');
		expect(i2v?.upload?.s3?.status).toBe(204);
		expect(i2v?.request).toMatchObject({ model: 'ltxv-2.3-pro', parameters: { prompt_enhance: 'AUTO', guidances: { start_frame: [{ image: { type: 'UPLOADED' } }] } } });
		expect(i2v?.fields?.status).toBe('COMPLETE');
		expect(row(result, 'image-to-video').agrees).toBe('yes');
		const s3 = emu.requests.filter((r) => r.server === 's3');
		expect(s3).toHaveLength(1);
		expect(s3[0].headers.authorization).toBeUndefined();
		expect(emu.generations.size).toBe(2);
	});

	test.each([
		['the documented envelope', {}, 1, 'image_generation.complete'],
		['a video event name, outputs as generated_images, no data.object.id, two copies', { event: 'video_generation.complete', imagesField: 'generated_images', omitObjectId: true, copies: 2 }, 2, 'video_generation.complete'],
	] as const)('--webhook-port with the emulator’s webhook (%s): recorded, its secrets are not', async (_label, variant, calls, event) => {
		await startEmulator();
		const callbackKey = 'callback-secret-for-the-test';
		const port = await freePort();
		emu.webhooks.configure({ url: `http://127.0.0.1:${port}/hook`, callbackApiKey: callbackKey, ...variant });
		const { result } = await probe({ spend: true, skipValidation: true, webhookPort: port, webhookCallbackKey: callbackKey, webhookWaitMs: 5000 });
		await emu.webhooks.idle();
		const webhook = result.spend?.[0].webhook;
		expect(webhook && 'deliveries' in webhook ? webhook.deliveries.length : 0).toBeGreaterThanOrEqual(1);
		expect(result.webhookDeliveries).toHaveLength(calls);
		expect(emu.webhooks.deliveries.map((delivery) => delivery.status)).toEqual(Array(calls).fill(200));
		expect(result.webhookDeliveries?.[0]).toMatchObject({ method: 'POST', path: '/hook', authorization: 'bearer-matches', fromDocumentedIp: false });
		expect(result.webhookDeliveries?.[0].generationIds).toContain(result.spend?.[0].generationId);
		expect(row(result, 'webhook').says).toContain(event);
		expect(row(result, 'webhook').agrees).toBe(event === 'image_generation.complete' ? 'yes' : 'no');
		// The envelope echoes the API key and the callback key: neither is kept.
		const recorded = JSON.stringify(result);
		expect(recorded).not.toContain(emu.apiKey);
		expect(recorded).not.toContain(callbackKey);
	});

	test('--webhook-port without LEONARDO_WEBHOOK_KEY: the authorization is reported unchecked, the key still redacted', async () => {
		await startEmulator();
		const port = await freePort();
		emu.webhooks.configure({ url: `http://127.0.0.1:${port}/`, callbackApiKey: 'another-callback-secret' });
		const { result } = await probe({ spend: true, skipValidation: true, webhookPort: port, webhookWaitMs: 5000 });
		expect(result.webhookDeliveries?.[0].authorization).toBe('bearer-unchecked');
		const recorded = JSON.stringify(result);
		expect(recorded).not.toContain(emu.apiKey);
		expect(recorded).not.toContain('another-callback-secret');
	});
});

async function freePort(): Promise<number> {
	const receiver = new WebhookReceiver(undefined);
	const port = await receiver.listen(0, '127.0.0.1');
	await receiver.close();
	return port;
}

describe('the CLI (npm run probe)', () => {
	let outDir: string;
	beforeEach(() => {
		outDir = mkdtempSync(join(tmpdir(), 'ltx-probe-'));
	});
	afterEach(() => rmSync(outDir, { recursive: true, force: true }));

	function runCli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
		return new Promise((resolve, reject) => {
			const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
			child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
			child.on('error', reject);
			child.on('close', (code) => resolve({ code, stdout, stderr }));
		});
	}

	test('--spend --image --update-doc: table, JSON and doc section written; the key appears nowhere', async () => {
		await startEmulator();
		const { code, stdout, stderr } = await runCli(
			['--base-url', emu.baseUrl, '--spend', '--image', FRAME_PNG, '--poll-interval', '0.05', '--out', outDir, '--update-doc'],
			{ LEONARDO_API_KEY: emu.apiKey },
		);
		expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
		expect(stdout).toMatch(/Question\s+\| What we assumed\s+\| What Leonardo says\s+\| Agrees\?/);
		expect(stdout).toMatch(/costs at most about \$0\.96/);
		const files = readdirSync(outDir).sort();
		expect(files).toEqual([expect.stringMatching(/^leonardo-api-observed-\d{4}-\d{2}-\d{2}\.md$/), expect.stringMatching(/^probe-.*\.json$/)]);
		const json = readFileSync(join(outDir, files[1]), 'utf8');
		const doc = readFileSync(join(outDir, files[0]), 'utf8');
		const result = JSON.parse(json) as ProbeResult;
		expect(result.spend?.map((run) => run.fields?.status)).toEqual(['COMPLETE', 'COMPLETE']);
		expect(result.rows.length).toBeGreaterThan(20);
		expect(doc).toMatch(/^## Observed on \d{4}-\d{2}-\d{2} \(npm run probe\)/);
		expect(doc).toContain('| Audio flag: `audio` or `motion_has_audio`? (§7.1) |');
		expect(emu.generations.size).toBe(2);
		for (const text of [stdout, stderr, json, doc]) expect(text).not.toContain(emu.apiKey);
	});

	test('without LEONARDO_API_KEY it says what to set and sends nothing', async () => {
		await startEmulator();
		const { code, stderr } = await runCli(['--base-url', emu.baseUrl, '--out', outDir], {});
		expect(code).toBe(1);
		expect(stderr).toMatch(/set LEONARDO_API_KEY/);
		expect(emu.requests).toHaveLength(0);
		expect(readdirSync(outDir)).toEqual([]);
	});

	test('--image without --spend is refused before any request', async () => {
		await startEmulator();
		const { code, stderr } = await runCli(['--base-url', emu.baseUrl, '--image', FRAME_PNG], { LEONARDO_API_KEY: emu.apiKey });
		expect(code).toBe(1);
		expect(stderr).toMatch(/--image needs --spend/);
		expect(emu.requests).toHaveLength(0);
	});
});
