/**
 * A 256 MiB MP4 in a real n8n, run with `n8n execute`: where n8n keeps binary data decides whether it fits.
 * n8n 2.x and 1.x with N8N_DEFAULT_BINARY_DATA_MODE=filesystem stream it to disk; n8n 1.x in its default
 * mode keeps it in memory, as base64 inside the execution data, which breaks what reads that data
 * (README, Compatibility, says to set filesystem mode). The matrix (npm run test:matrix) runs this file on each row.
 */
import { createWorld, type E2eWorld, oneVideoWorkflow, prettyBytes } from './fixtures.ts';
import { N8N_VERSION } from './n8n-instance.ts';
import { EXAMPLE_CREDENTIAL } from './project.ts';

const VIDEO_BYTES = 256 * 1024 * 1024;
const WORKFLOW_ID = 'ltxLargeVideo001';
/** n8n 1.x keeps binary data in memory unless told otherwise; 2.x has no such mode. */
const inMemory = N8N_VERSION.startsWith('1.') && (process.env.LTX_N8N_BINARY_DATA_MODE ?? 'default') === 'default';

let world: E2eWorld;

beforeAll(async () => {
	world = await createWorld();
	await world.n8n.importWorkflows([
		oneVideoWorkflow({ id: WORKFLOW_ID, name: 'A 256 MiB video', prompt: `A long pan over a city [emu:bytes=${VIDEO_BYTES}]`, credential: EXAMPLE_CREDENTIAL }),
	]);
}, 300_000);

afterAll(async () => await world?.dispose());

const title = inMemory
	? `n8n ${N8N_VERSION} with binary data in memory: a 256 MiB MP4 lands in the execution data as base64 (set filesystem mode)`
	: `n8n ${N8N_VERSION} with binary data on disk: a 256 MiB MP4 arrives whole as binary data`;

test(
	title,
	async () => {
		if (inMemory) {
			// The whole MP4 goes into the execution data as base64 (about 358 MB of text): the CLI's output of
			// such a run is no longer usable (in our run it was cut off after 7.4 MB; users report "Invalid
			// string length"). Not parsed here for that reason.
			const raw = await world.n8n.command(['execute', `--id=${WORKFLOW_ID}`, '--rawOutput']);
			expect((await world.emulator.requests()).filter((request) => request.route === 'create' && request.status === 200)).toHaveLength(1);
			expect(raw.stdout).toMatch(/"data": "[A-Za-z0-9+/]{4096}/);
			return;
		}
		const result = await world.n8n.execute(WORKFLOW_ID);
		const creates = (await world.emulator.requests()).filter((request) => request.route === 'create' && request.status === 200);
		expect(creates).toHaveLength(1);
		expect(result.exitCode).toBe(0);
		expect(result.run?.data.resultData.error).toBeUndefined();
		const [item] = result.run?.data.resultData.runData['LTX Video']?.[0]?.data?.main[0] ?? [];
		expect(item?.json).toMatchObject({ status: 'COMPLETE' });
		expect(item?.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileSize: prettyBytes(VIDEO_BYTES) });
		if (!N8N_VERSION.startsWith('1.')) expect(item?.binary?.data.bytes).toBe(VIDEO_BYTES);
	},
	300_000,
);
