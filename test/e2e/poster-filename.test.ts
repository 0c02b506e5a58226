/**
 * Options → Download Poster Image and File Name in a real n8n (`n8n execute`): rows → LTX Video with the file
 * name from an expression → n8n's Read/Write Files node saving each poster under its own name in
 * `~/.n8n-files`. The saved posters are the emulator's JPG, byte for byte. Then a poster link that answers
 * 404: the MP4 still arrives, the item carries a note, the run succeeds.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createWorld, type E2eWorld, executeOrThrow, itemsIntoLtxWorkflow, outputOf } from './fixtures.ts';
import { N8N_VERSION } from './n8n-instance.ts';
import { FIXTURES_DIR, N8N_FILES_DIR } from './project.ts';

const WITH_WRITER = 'ltxPosterFileName01';
const WITHOUT_WRITER = 'ltxPosterFileName02';
const ROWS = [
	{ prompt: 'A red kite over the dunes', title: 'kite' },
	{ prompt: 'A blue boat at dawn', title: 'Boat launch.mp4' },
];
const LTX_PARAMETERS = { prompt: '={{ $json.prompt }}', options: { pollInterval: 1, downloadPoster: true, fileName: '={{ $json.title }}' } };

/** The rows into LTX Video; with `writePoster`, each item's poster saved by n8n's Read/Write Files node under its binary file name. */
function posterWorkflow(id: string, writePoster: boolean) {
	const workflow = itemsIntoLtxWorkflow({ id, name: `LTX Video poster and file name (${id})`, items: ROWS, ltxParameters: LTX_PARAMETERS });
	if (!writePoster) return workflow;
	const writer = {
		id: `${id}-800`,
		name: 'Save poster',
		type: 'n8n-nodes-base.readWriteFile',
		typeVersion: 1,
		position: [800, 0],
		parameters: { operation: 'write', fileName: `=${N8N_FILES_DIR}/{{ $binary.poster.fileName }}`, dataPropertyName: 'poster', options: {} },
	};
	return {
		...workflow,
		nodes: [...workflow.nodes, writer],
		connections: { ...workflow.connections, 'LTX Video': { main: [[{ node: 'Save poster', type: 'main', index: 0 }]] } },
	};
}

let world: E2eWorld;

beforeAll(async () => {
	world = await createWorld();
	await world.n8n.importWorkflows([posterWorkflow(WITH_WRITER, true), posterWorkflow(WITHOUT_WRITER, false)]);
}, 300_000); // n8n boots on a loaded 2-core machine can take minutes.

afterAll(async () => await world?.dispose());

test(`n8n ${N8N_VERSION}: the poster as binary "poster", both files named from an expression, the posters saved byte-identical`, async () => {
	await world.emulator.reset();
	const result = await executeOrThrow(world.n8n, WITH_WRITER);
	const videos = outputOf(result, 'LTX Video');
	expect(videos.map((item) => [item.json.status, item.binary?.data?.fileName, item.binary?.poster?.fileName])).toEqual([
		['COMPLETE', 'kite.mp4', 'kite.jpg'],
		['COMPLETE', 'Boat launch.mp4', 'Boat launch.jpg'],
	]);
	for (const item of videos) {
		expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4' });
		expect(item.binary?.poster).toMatchObject({ mimeType: 'image/jpeg' });
		expect(item.json.notice).toBeUndefined();
	}

	const saved = outputOf(result, 'Save poster');
	expect(saved).toHaveLength(2);
	const posterJpeg = readFileSync(path.join(FIXTURES_DIR, 'frame.jpg'));
	for (const [index, name] of ['kite.jpg', 'Boat launch.jpg'].entries()) {
		expect(saved[index].json.fileName).toBe(`${N8N_FILES_DIR}/${name}`);
		expect(readFileSync(path.join(world.filesDir, name)).equals(posterJpeg)).toBe(true);
	}
	const posterRequests = (await world.emulator.requests()).filter((request) => request.route === 'poster');
	expect(posterRequests).toHaveLength(2);
	for (const request of posterRequests) expect(request.headers.authorization).toBeUndefined();
}, 240_000);

test(`n8n ${N8N_VERSION}: a poster link that answers 404 costs no video: the MP4 arrives, the item notes the poster`, async () => {
	await world.emulator.reset();
	await world.emulator.setOptions({ posterVariant: 'missing' });
	try {
		const result = await executeOrThrow(world.n8n, WITHOUT_WRITER);
		const videos = outputOf(result, 'LTX Video');
		expect(videos.map((item) => [item.json.status, item.binary?.data?.fileName, item.binary?.poster])).toEqual([
			['COMPLETE', 'kite.mp4', undefined],
			['COMPLETE', 'Boat launch.mp4', undefined],
		]);
		for (const item of videos) expect(item.json.notice).toMatch(/^The poster image could not be downloaded: the video server answered HTTP 404/);
	} finally {
		await world.emulator.setOptions({ posterVariant: 'jpg' });
	}
}, 240_000);
