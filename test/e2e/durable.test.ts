/**
 * Durable generations in a real n8n 2.41.1 (`n8n execute --id`, the installed package, the emulator):
 * Retry On Fail resumes the generation the failed try created (download failing, timeout hit) with
 * exactly one create, a second run of the node in the same execution creates anew, and Get Many lists
 * the account's videos newest first with their MP4 when asked.
 */
import { createWorld, type E2eWorld, executeOrThrow, outputOf } from './fixtures.ts';
import { EXAMPLE_CREDENTIAL, NODE_TYPE } from './project.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TRIGGER = { id: 'dura0000-0000-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };

const ltxNode = (name: string, parameters: Record<string, unknown>, settings: Record<string, unknown> = {}) => ({
	id: `dura0000-0000-4000-8000-${String(name.length).padStart(12, '0')}`,
	name,
	type: NODE_TYPE,
	typeVersion: 1,
	position: [240, 0],
	parameters: { resource: 'video', ...parameters },
	credentials: { leonardoAiApi: EXAMPLE_CREDENTIAL },
	...settings,
});

const workflow = (id: string, nodes: object[], connections: Record<string, unknown>) => ({
	id,
	name: id,
	nodes: [TRIGGER, ...nodes],
	connections,
	active: false,
	settings: { executionOrder: 'v1' },
	pinData: {},
});
const straight = (id: string, node: { name: string }) => workflow(id, [node], { Start: { main: [[{ node: node.name, type: 'main', index: 0 }]] } });

/** Settings → Retry On Fail with 2 tries, 1 s apart, as the editor saves them. */
const RETRY = { retryOnFail: true, maxTries: 2, waitBetweenTries: 1000 };
const GENERATE = { operation: 'generate', model: 'ltxv-2.3-fast', duration: 6, options: { pollInterval: 1 } };

const WORKFLOWS = [
	straight('ltxDurableDownload', ltxNode('Generate with retry', { ...GENERATE, prompt: 'Retry after a failed download' }, RETRY)),
	straight('ltxDurableTimeout', ltxNode('Generate with retry', { ...GENERATE, prompt: 'Retry after a timeout [emu:delay=5000]', options: { pollInterval: 1, timeout: 3 } }, RETRY)),
	// Two branches into one node: it runs twice in one execution (run index 0 and 1) with the same request.
	workflow(
		'ltxDurableTwoRuns',
		[
			{ id: 'dura0000-0000-4000-8000-0000000000a1', name: 'Branch A', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [120, -100], parameters: {} },
			{ id: 'dura0000-0000-4000-8000-0000000000b1', name: 'Branch B', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [120, 100], parameters: {} },
			ltxNode('Submit', { ...GENERATE, prompt: 'Same request twice', waitForCompletion: false }, RETRY),
		],
		{
			Start: { main: [[{ node: 'Branch A', type: 'main', index: 0 }, { node: 'Branch B', type: 'main', index: 0 }]] },
			'Branch A': { main: [[{ node: 'Submit', type: 'main', index: 0 }]] },
			'Branch B': { main: [[{ node: 'Submit', type: 'main', index: 0 }]] },
		},
	),
	straight('ltxDurableList', ltxNode('List videos', { operation: 'getAll', limit: 2, options: { download: true } })),
];

let world: E2eWorld;

beforeAll(async () => {
	world = await createWorld({ emulatorDelayMs: 1000 });
	await world.n8n.importWorkflows(WORKFLOWS);
}, 300_000); // n8n boots on a loaded 2-core machine can take minutes.

afterAll(async () => await world?.dispose());

beforeEach(async () => await world.emulator.reset());

const execute = async (id: string) => await executeOrThrow(world.n8n, id);

const creates = async () => (await world.emulator.requests()).filter((request) => request.route === 'create' && request.status === 200);

test('Retry On Fail, the download failing on the first try: one create, the retry resumes it and outputs the MP4', async () => {
	// All 4 download attempts of the first try are refused.
	await world.emulator.injectFaults([{ route: 'download', status: 503, times: 4 }]);
	const result = await execute('ltxDurableDownload');

	const [video] = outputOf(result, 'Generate with retry');
	expect(video.json).toMatchObject({ status: 'COMPLETE', generationId: expect.stringMatching(UUID), model: 'ltxv-2.3-fast' });
	expect(video.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${video.json.generationId}.mp4` });
	expect(await creates()).toHaveLength(1);
	const downloads = (await world.emulator.requests()).filter((request) => request.route === 'download');
	expect(downloads.map((request) => request.status)).toEqual([503, 503, 503, 503, 200]);
	// The retry said what it did.
	expect(result.stdout).toContain(`resuming generation ${video.json.generationId} created by an earlier try`);
});

test('Retry On Fail, the timeout hit on the first try: one create, the retry waits for it and outputs the MP4', async () => {
	const result = await execute('ltxDurableTimeout');

	const [video] = outputOf(result, 'Generate with retry');
	expect(video.json).toMatchObject({ status: 'COMPLETE', generationId: expect.stringMatching(UUID) });
	expect(video.binary?.data).toMatchObject({ mimeType: 'video/mp4' });
	expect(await creates()).toHaveLength(1);
	expect(result.stdout).toContain(`resuming generation ${video.json.generationId} created by an earlier try`);
});

test('a second run of the node in the same execution (same request) is a new generation, not a resume', async () => {
	const result = await execute('ltxDurableTwoRuns');

	const first = outputOf(result, 'Submit', 0)[0].json.generationId;
	const second = outputOf(result, 'Submit', 1)[0].json.generationId;
	expect(first).toMatch(UUID);
	expect(second).toMatch(UUID);
	expect(second).not.toBe(first);
	expect(await creates()).toHaveLength(2);
});

test('Get Many lists the newest videos first (GET /v1/me, then the paged list) with their MP4', async () => {
	const result = await execute('ltxDurableList');

	const items = outputOf(result, 'List videos');
	expect(items).toHaveLength(2);
	const created = items.map((item) => Date.parse(item.json.createdAt as string));
	expect(created[0]).toBeGreaterThanOrEqual(created[1]);
	// The newest two are the previous test's submissions (1 s renders), complete by now.
	for (const item of items) {
		expect(item.json).toMatchObject({ generationId: expect.stringMatching(UUID), status: 'COMPLETE', mediaType: 'video', prompt: 'Same request twice' });
		expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${item.json.generationId}.mp4` });
	}
	const requests = await world.emulator.requests();
	expect(requests.filter((request) => request.route === 'me')).toHaveLength(1);
	expect(requests.filter((request) => request.route === 'listByUser').map((request) => request.query)).toEqual([{ offset: '0', limit: '50' }]);
	expect(requests.filter((request) => request.route === 'create' && request.status === 200)).toHaveLength(0);
});
