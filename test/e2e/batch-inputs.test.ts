/**
 * A batch as a real workflow builds it, in a real n8n (`n8n execute`): many prompts, one product photo
 * link, Max Concurrent Generations on Auto. The photo is downloaded once and uploaded once (every create
 * reuses its init image ID); Auto reads the plan's API concurrency slots once (GET /v1/me) and runs that
 * many items at a time.
 */
import { createBodies, createWorld, type E2eWorld, itemsIntoLtxWorkflow } from './fixtures.ts';
import type { OutputItem } from './n8n-instance.ts';

const WORKFLOW_ID = 'ltxBatchInputs01';
const SLOTS = 3;
const ITEMS = 5;
const RENDER_MS = 4000;

let world: E2eWorld;

beforeAll(async () => {
	world = await createWorld();
	const photo = `${world.emulator.imagesUrl}/images/frame.jpg`;
	const rows = Array.from({ length: ITEMS }, (_, n) => ({ prompt: `Scene ${n + 1} with the product [emu:delay=${RENDER_MS}]`, photo }));
	await world.n8n.importWorkflows([
		itemsIntoLtxWorkflow({
			id: WORKFLOW_ID,
			name: 'LTX Video batch on one photo, Auto concurrency',
			items: rows,
			ltxParameters: { prompt: '={{ $json.prompt }}', startFrame: 'url', startFrameUrl: '={{ $json.photo }}', options: { pollInterval: 1, maxConcurrency: 0, allowPrivateLinks: true } },
		}),
	]);
	await world.emulator.setOptions({ concurrencySlots: SLOTS });
}, 300_000);

afterAll(async () => await world?.dispose());

test(`${ITEMS} prompts on one photo link with Auto on a ${SLOTS}-slot plan: one download, one upload, ${SLOTS} at a time`, async () => {
	const result = await world.n8n.execute(WORKFLOW_ID);
	expect({ exitCode: result.exitCode, error: result.run?.data.resultData.error?.message }).toEqual({ exitCode: 0, error: undefined });
	const items: OutputItem[] = result.run?.data.resultData.runData['LTX Video']?.[0]?.data?.main[0] ?? [];
	expect(items.map((item) => item.json.status)).toEqual(Array(ITEMS).fill('COMPLETE'));

	const requests = await world.emulator.requests();
	const count = (route: string) => requests.filter((request) => request.route === route).length;
	expect({ downloads: count('imageFile'), initImages: count('initImage'), s3Uploads: count('s3Upload'), me: count('me') }).toEqual({
		downloads: 2, // one to check the link, one for its upload
		initImages: 1,
		s3Uploads: 1,
		me: 1,
	});
	const bodies = createBodies(requests);
	const frameIds = bodies.map((body) => (body.parameters.guidances as { start_frame: Array<{ image: { id: string } }> }).start_frame[0].image.id);
	expect(frameIds).toHaveLength(ITEMS);
	expect(new Set(frameIds).size).toBe(1);

	expect(result.stdout).toContain(`Max Concurrent Generations Auto = ${SLOTS} (API concurrency slots: ${SLOTS})`);
	// Accepted creates: the first SLOTS go out together, the next one only after one of them finished rendering.
	const sent = requests.filter((request) => request.route === 'create' && request.status === 200).map((request) => request.at).sort((a, b) => a - b);
	expect(sent[SLOTS - 1] - sent[0]).toBeLessThan(RENDER_MS - 1000);
	expect(sent[SLOTS] - sent[0]).toBeGreaterThanOrEqual(RENDER_MS - 500);
}, 240_000);
