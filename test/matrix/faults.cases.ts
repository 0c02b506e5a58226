/**
 * The fault matrix: what the node does when Leonardo, its storage or its CDN misbehave. For every case
 * the runner checks the outcome, that at most one generation was created (never paid twice), and that
 * an error after a generation was created names that generation (nothing paid for is lost).
 * The "Fault matrix" table of docs/reliability.md lists these cases by `name` (a test checks it).
 */
import type { INodeParameters } from 'n8n-workflow';

import type { EmulatorOptions, FaultSpec, RecordedRequest } from '../emulator/types.ts';
import type { InputItem } from '../helpers/engine';
import { generate } from '../helpers/scenario';

export interface FaultCase {
	name: string;
	area: 'create' | 'poll' | 'download' | 'upload' | 'redirect';
	faults: FaultSpec[];
	/** Emulator switches for this case (test/emulator/README.md), restored before the next one. */
	emulator?: Partial<EmulatorOptions>;
	parameters?: INodeParameters;
	input?: InputItem[];
	/** 'video': the run succeeds with a valid MP4; otherwise the error message must match. */
	outcome: 'video' | RegExp;
	/** Exact number of create requests sent. */
	creates: number;
	/** Extra checks on the recorded requests. */
	check?: (requests: RecordedRequest[]) => void;
	timeoutMs?: number;
}

const serviceError = { error: 'Service Error', path: '$', code: 'unexpected' };
const startFromBinary = { parameters: generate({ startFrame: 'binary' }), input: [{ binary: { data: { file: 'frame.png' } } }] };
const statuses = (requests: RecordedRequest[], route: RecordedRequest['route']) =>
	requests.filter((request) => request.route === route).map((request) => request.status);
const pollBody = (generationsByPk: unknown) => ({ route: 'poll' as const, status: 200, body: { generations_by_pk: generationsByPk } });

export const FAULT_CASES: FaultCase[] = [
	// create: only a 429 (rejected, nothing made) is re-sent
	{ name: 'create: 500 Service Error', area: 'create', faults: [{ route: 'create', status: 500, body: serviceError }], outcome: /Service Error/, creates: 1 },
	{ name: 'create: 502 with an HTML body', area: 'create', faults: [{ route: 'create', kind: 'html502' }], outcome: /Leonardo refused to create the video: .*502/, creates: 1 },
	{ name: 'create: connection reset before the answer', area: 'create', faults: [{ route: 'create', kind: 'reset' }], outcome: /connection|socket|ECONNRESET/i, creates: 1 },
	{ name: 'create: no answer (response timeout after 60 s)', area: 'create', faults: [{ route: 'create', kind: 'hang' }], outcome: /timed out|ETIMEDOUT|ECONNABORTED|timeout/i, creates: 1, timeoutMs: 90_000 },
	{ name: 'create: malformed JSON', area: 'create', faults: [{ route: 'create', kind: 'malformed-json' }], outcome: /without a generation ID/, creates: 1 },
	{ name: 'create: 200 without generationId', area: 'create', faults: [{ route: 'create', kind: 'no-generation-id' }], outcome: /without a generation ID/, creates: 1 },
	{
		name: 'create: 429 with Retry-After',
		area: 'create',
		faults: [{ route: 'create', status: 429, body: { error: 'rate limited', code: 'rate-limited' }, headers: { 'retry-after': '1' } }],
		outcome: 'video',
		creates: 2,
		check: (requests) => {
			const [first, second] = requests.filter((request) => request.route === 'create');
			expect(second.at - first.at).toBeGreaterThanOrEqual(950);
		},
	},
	{
		name: 'create: 429 without Retry-After (backed off 2 s, 4 s)',
		area: 'create',
		faults: [{ route: 'create', status: 429, times: 2, body: { error: 'Too many requests', path: '$', code: 'rate-limited' } }],
		outcome: 'video',
		creates: 3,
		check: (requests) => {
			const times = requests.filter((request) => request.route === 'create').map((request) => request.at);
			expect(times[2] - times[0]).toBeGreaterThanOrEqual(5900);
		},
	},
	{
		name: 'create: 500 that DID create a generation',
		area: 'create',
		faults: [{ route: 'create', status: 500, body: serviceError, afterHandler: true }],
		outcome: /Service Error/,
		creates: 1,
		check: (requests) => expect(requests.filter((request) => request.route !== 'create')).toEqual([]),
	},
	{ name: 'create: 401 wrong key', area: 'create', faults: [{ route: 'create', status: 401, body: { error: 'Authentication hook unauthorized this request', path: '$', code: 'access-denied' } }], outcome: /Authentication hook unauthorized/, creates: 1 },
	{ name: 'create: 403 moderation', area: 'create', faults: [{ route: 'create', status: 403, body: { error: 'content moderation filter: storm', path: '$', code: 'unexpected' } }], outcome: /content moderation filter/, creates: 1 },
	{ name: 'create: 400 validation', area: 'create', faults: [{ route: 'create', status: 400, body: [{ message: 'Invalid prompt, maximum length of 5000 characters exceeded.', extensions: { code: 'VALIDATION_ERROR' } }] }], outcome: /maximum length of 5000/, creates: 1 },
	{
		name: 'create: 400 naming `audio` (re-sent once as motion_has_audio)',
		area: 'create',
		faults: [{ route: 'create', status: 400, body: [{ message: 'Unexpected parameter: audio', extensions: { code: 'VALIDATION_ERROR', details: { field: 'audio' } } }] }],
		outcome: 'video',
		creates: 2,
		check: (requests) => expect(statuses(requests, 'create')).toEqual([400, 200]),
	},
	{
		name: 'create: JSON-Schema error naming `audio` in params only (re-sent once as motion_has_audio)',
		area: 'create',
		faults: [],
		emulator: { validationErrorShape: 'schema', audioField: 'motion_has_audio' },
		outcome: 'video',
		creates: 2,
		check: (requests) => expect(statuses(requests, 'create')).toEqual([400, 200]),
	},
	{
		name: 'create: prompt_enhance refused with a start frame (re-sent once with OFF)',
		area: 'create',
		faults: [],
		emulator: { refuse: ['prompt-enhance-with-frame-on-pro'] },
		parameters: generate({ startFrame: 'imageId', startFrameImageId: '5b0e6f3a-9c1d-4e2b-8a7f-3c6d2e1f0a9b', startFrameImageType: 'GENERATED' }),
		outcome: 'video',
		creates: 2,
		check: (requests) => expect(requests.filter((request) => request.route === 'create').map((request) => (request.body as { parameters: { prompt_enhance: string } }).parameters.prompt_enhance)).toEqual(['AUTO', 'OFF']),
	},

	// poll: transient trouble means "still pending"
	{
		name: 'poll: 500/502/503 burst',
		area: 'poll',
		faults: [
			{ route: 'poll', status: 500, body: { error: 'Invalid response from authorization hook', path: '$', code: 'unexpected' } },
			{ route: 'poll', kind: 'html502' },
			{ route: 'poll', status: 503, body: 'Service Unavailable' },
		],
		outcome: 'video',
		creates: 1,
		check: (requests) => expect(statuses(requests, 'poll').slice(0, 3)).toEqual([500, 502, 503]),
	},
	{ name: 'poll: 404 right after create', area: 'poll', faults: [{ route: 'poll', status: 404, times: 2, body: { error: 'not found' } }], outcome: 'video', creates: 1 },
	{
		name: 'poll: 404, null or 500 on the first read (emulator default)',
		area: 'poll',
		faults: [],
		emulator: { freshReadWindowMs: 10_000 },
		outcome: 'video',
		creates: 1,
		// Done after 300 ms, so a usable first answer would have ended the wait at the first check.
		check: (requests) => expect(statuses(requests, 'poll').length).toBeGreaterThanOrEqual(2),
	},
	{
		name: 'poll: 429 without Retry-After (next check after 2 s)',
		area: 'poll',
		faults: [{ route: 'poll', status: 429, body: { error: 'rate limited' } }],
		outcome: 'video',
		creates: 1,
		check: (requests) => {
			const [limited, next] = requests.filter((request) => request.route === 'poll');
			expect(next.at - limited.at).toBeGreaterThanOrEqual(1900);
		},
	},
	{ name: 'poll: 429', area: 'poll', faults: [{ route: 'poll', status: 429, headers: { 'retry-after': '1' }, body: { error: 'rate limited' } }], outcome: 'video', creates: 1 },
	{ name: 'poll: generations_by_pk null at first', area: 'poll', faults: [pollBody(null)], outcome: 'video', creates: 1 },
	{ name: 'poll: unknown status strings', area: 'poll', faults: [pollBody({ id: 'x', status: 'QUEUED', generated_images: [] }), pollBody({ id: 'x', status: 'PROCESSING', generated_images: [] })], outcome: 'video', creates: 1 },
	{ name: 'poll: connection reset', area: 'poll', faults: [{ route: 'poll', kind: 'reset' }], outcome: 'video', creates: 1 },
	{ name: 'poll: malformed data (wrong types)', area: 'poll', faults: [pollBody({ id: 42, status: ['COMPLETE'] }), { route: 'poll', kind: 'malformed-json' }], outcome: 'video', creates: 1 },
	{ name: 'poll: FAILED', area: 'poll', faults: [], parameters: generate({ prompt: 'Storm [emu:failed]' }), outcome: /reports that generation [0-9a-f-]{36} failed/, creates: 1 },
	{ name: 'poll: COMPLETE with no images (moderated)', area: 'poll', faults: [], parameters: generate({ prompt: 'Storm [emu:moderated]' }), outcome: /finished without a video/, creates: 1 },
	{ name: 'poll: COMPLETE with motionMP4URL null but url set', area: 'poll', faults: [], parameters: generate({ prompt: 'Storm [emu:no-mp4]' }), outcome: 'video', creates: 1 },
	{ name: 'poll: never completes (timeout)', area: 'poll', faults: [], parameters: generate({ prompt: 'Storm [emu:never]' }, { timeout: 2 }), outcome: /did not finish within 2 seconds/, creates: 1 },
	{
		name: 'poll: video URL that is not http(s)',
		area: 'poll',
		faults: [pollBody({ id: 'x', status: 'COMPLETE', generated_images: [{ id: 'v', url: 'file:///etc/passwd', motionMP4URL: 'file:///etc/passwd' }] })],
		outcome: /is not an http\(s\) URL/,
		creates: 1,
		check: (requests) => expect(statuses(requests, 'download')).toEqual([]),
	},

	// download: safe to repeat; never a truncated or non-MP4 binary
	{
		name: 'download: 403 expired link (fresh link fetched)',
		area: 'download',
		faults: [{ route: 'download', status: 403, body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' }],
		outcome: 'video',
		creates: 1,
		check: (requests) => expect(statuses(requests, 'download')).toEqual([403, 200]),
	},
	{ name: 'download: 404', area: 'download', faults: [{ route: 'download', status: 404, body: 'Not Found' }], outcome: 'video', creates: 1, check: (requests) => expect(statuses(requests, 'download')).toEqual([404, 200]) },
	{ name: 'download: 500 then 503', area: 'download', faults: [{ route: 'download', status: 500 }, { route: 'download', status: 503 }], outcome: 'video', creates: 1 },
	{ name: 'download: connection dropped mid-body', area: 'download', faults: [{ route: 'download', kind: 'truncate', times: 2 }], outcome: 'video', creates: 1, check: (requests) => expect(statuses(requests, 'download')).toHaveLength(3) },
	{ name: 'download: HTML page instead of an MP4', area: 'download', faults: [{ route: 'download', status: 200, body: '<html><body>Denied</body></html>', headers: { 'content-type': 'text/html' } }], outcome: /is not an MP4 video/, creates: 1 },
	{ name: 'download: keeps failing', area: 'download', faults: [{ route: 'download', status: 503, times: 10 }], outcome: /Downloading the video of generation [0-9a-f-]{36} failed: the video server answered HTTP 503/, creates: 1, timeoutMs: 30_000 },

	// upload of a start frame: nothing is generated when it fails
	{
		name: 'upload: "invalid init image id" right after the upload (create sent again after 2 s)',
		area: 'upload',
		...startFromBinary,
		faults: [],
		emulator: { initImageSettleMs: 1500 },
		outcome: 'video',
		creates: 2,
		check: (requests) => expect(statuses(requests, 'create')).toEqual([400, 200]),
	},
	{ name: 'upload: init-image 400', area: 'upload', ...startFromBinary, faults: [{ route: 'initImage', status: 400, body: { error: 'invalid file extension', path: '$', code: 'validation-failed' } }], outcome: /invalid file extension/, creates: 0 },
	{ name: 'upload: init-image 500 once', area: 'upload', ...startFromBinary, faults: [{ route: 'initImage', status: 500 }], outcome: 'video', creates: 1 },
	{
		name: 'upload: S3 403 once (new upload URL)',
		area: 'upload',
		...startFromBinary,
		faults: [{ route: 's3Upload', status: 403 }],
		outcome: 'video',
		creates: 1,
		check: (requests) => expect(statuses(requests, 'initImage')).toEqual([200, 200]),
	},
	{ name: 'upload: S3 403 twice', area: 'upload', ...startFromBinary, faults: [{ route: 's3Upload', status: 403, times: 2 }], outcome: /Uploading the start frame image failed: storage answered HTTP 403/, creates: 0 },
	{ name: 'upload: S3 connection reset once', area: 'upload', ...startFromBinary, faults: [{ route: 's3Upload', kind: 'reset' }], outcome: 'video', creates: 1 },

	// redirects: API requests never follow one, so the key cannot travel to another host
	{
		name: 'redirect: status check redirected to another host',
		area: 'redirect',
		faults: [{ route: 'poll', kind: 'redirect', location: 'CDN_ORIGIN/steal', times: 20 }],
		parameters: generate({}, { timeout: 4 }),
		outcome: /failed: HTTP 302/,
		creates: 1,
		check: (requests) => {
			expect(requests.filter((request) => request.path === '/steal')).toEqual([]);
		},
	},
];
