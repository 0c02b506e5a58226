/**
 * Runs the example workflows (examples/*.json) in a real n8n that loads this package as an installed
 * community package, with `n8n execute --id`, against the Leonardo emulator. n8n runs with its defaults:
 * files only in `~/.n8n-files` on 2.x (HOME is a scratch folder, with `.n8n-files` made as the README
 * says), so the examples' file paths run as imported. The storage examples: examples-storage.test.ts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { adaptForCli, loadExamples, type Workflow } from './examples.ts';
import { type BinaryMetadata, createBodies, createWorld, type E2eWorld, executeOrThrow, outputOf, prettyBytes, readMp4Header } from './fixtures.ts';
import { N8N_VERSION, type OutputItem } from './n8n-instance.ts';
import { EXAMPLE_CREDENTIAL, N8N_FILES_DIR, NODE_TYPE } from './project.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** What a user would type into the form of example 01. */
const FORM_SUBMISSION = { prompt: 'A lighthouse at dusk, waves breaking on the rocks', model: 'LTX 2.3 Pro', duration: '8' };

const examples = loadExamples();
/** Example 02 with a prompt Leonardo fails between two good ones (the emulator's `[emu:failed]` marker). */
const BATCH_WITH_FAILURE = 'ltxExampleBatchF1';
const FAILING_PROMPT = '[emu:failed] A prompt Leonardo refuses';
/** Example 10's form, filled in with a link to the emulator's image host. */
const pictureSubmission = () => ({ imageUrl: `${world.emulator.imagesUrl}/images/frame.jpg`, prompt: 'The camera slowly pushes in' });

let world: E2eWorld;

beforeAll(async () => {
	// Long enough that the submit/wait/get example sees PENDING before COMPLETE (its Wait is shortened to 1 s).
	world = await createWorld({ emulatorDelayMs: 4000 });
	const triggerOutputs: Record<string, Record<string, unknown>> = { ltxExampleForm01: FORM_SUBMISSION, ltxExampleLink01: pictureSubmission() };
	const adapted = examples.map(({ workflow }) => adaptForCli(workflow, { waitSeconds: 1, triggerOutput: triggerOutputs[workflow.id] ?? {} }));
	// A user's picture link is public; the emulator's image host is on this machine, which the node refuses unless allowed.
	const pictureNode = ltxNodes(adapted.find((workflow) => workflow.id === 'ltxExampleLink01')!)[0];
	pictureNode.parameters.options = { ...(pictureNode.parameters.options as object), allowPrivateLinks: true };
	await world.n8n.importWorkflows([...adapted, batchWithFailure(adapted.find((workflow) => workflow.id === 'ltxExampleBatch01')!)]);
}, 300_000); // n8n boots on a loaded 2-core machine can take minutes.

afterAll(async () => await world?.dispose());

beforeEach(async () => await world.emulator.reset());

/** The generation as Leonardo's status endpoint (here the emulator) reports it. */
async function lookUpGeneration(generationId: string): Promise<{ imageWidth?: number; imageHeight?: number }> {
	const response = await fetch(`${world.emulator.baseUrl}/v1/generations/${generationId}`, {
		headers: { authorization: `Bearer ${world.emulator.apiKey}`, accept: 'application/json' },
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as { generations_by_pk: { imageWidth?: number; imageHeight?: number } }).generations_by_pk;
}

const execute = async (id: string) => await executeOrThrow(world.n8n, id);

const ltxNodes = (workflow: Workflow) => workflow.nodes.filter((node) => node.type === NODE_TYPE);

function batchWithFailure(batch: Workflow): Workflow {
	const copy = JSON.parse(JSON.stringify(batch)) as Workflow;
	const prompts = copy.nodes.find((node) => node.name === "Today's prompts")!;
	prompts.parameters = { ...prompts.parameters, jsonOutput: JSON.stringify({ prompts: [{ prompt: 'A good one' }, { prompt: FAILING_PROMPT }, { prompt: 'Another good one' }] }) };
	return { ...copy, id: BATCH_WITH_FAILURE, name: 'Example 02 with a failing prompt' };
}

/** The fields the workflow contract promises on a finished generation, and its MP4 as binary data. */
function expectFinishedVideo(item: OutputItem, expected: { model: string; prompt: string; width: number; height: number }) {
	expect(item.json).toMatchObject({ status: 'COMPLETE', ...expected });
	expect(item.json.generationId).toMatch(UUID);
	expect(item.json.videoId).toMatch(UUID);
	expect(item.json.videoUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+\.mp4/);
	expect(typeof item.json.seed).toBe('number');
	expect(item.json.cost).toEqual({ amount: expect.anything(), unit: expect.any(String) });
	expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${item.json.generationId}.mp4` });
}

/** The file a Write node reported exists in n8n's `~/.n8n-files` and is a whole MP4. */
function expectMp4Written(item: OutputItem, video: BinaryMetadata | undefined) {
	// As the examples name it: relative to n8n's working folder, the home folder.
	expect(path.dirname(item.json.fileName as string)).toBe(N8N_FILES_DIR);
	const file = path.resolve(world.n8n.homeDir, item.json.fileName as string);
	expect(path.dirname(file)).toBe(world.filesDir);
	expect(existsSync(file)).toBe(true);
	const header = readMp4Header(file);
	expect(header.boxType).toBe('ftyp');
	// The whole video: n8n 2.x records its exact size (`bytes`), 1.x only the rounded `fileSize` ("6.54 kB").
	const fileSize = prettyBytes(header.bytes);
	expect(video).toMatchObject(N8N_VERSION.startsWith('1.') ? { fileSize } : { fileSize, bytes: header.bytes });
}

/** Node packages that ship with n8n itself, so an example needs nothing installed but this package. */
const BUILT_IN_PACKAGES = ['n8n-nodes-base.', '@n8n/n8n-nodes-langchain.'];

test('every example has a description, uses the shipped credential and only nodes that come with n8n besides LTX Video', () => {
	expect(examples.length).toBeGreaterThanOrEqual(4);
	for (const { file, workflow } of examples) {
		const types = workflow.nodes.map((node) => node.type);
		expect({ file, note: types.includes('n8n-nodes-base.stickyNote') }).toEqual({ file, note: true });
		const foreign = types.filter((type) => !type.startsWith(`${NODE_TYPE}`) && !BUILT_IN_PACKAGES.some((prefix) => type.startsWith(prefix)));
		expect({ file, foreign }).toEqual({ file, foreign: [] });
		for (const node of workflow.nodes.filter((candidate) => candidate.type.startsWith(NODE_TYPE))) {
			expect({ file, node: node.name, credential: node.credentials?.leonardoAiApi?.id }).toEqual({ file, node: node.name, credential: EXAMPLE_CREDENTIAL.id });
		}
		// Files only in n8n 2.x's default folder `~/.n8n-files`, named relative to n8n's working folder.
		const filePaths = workflow.nodes
			.filter((node) => node.type === 'n8n-nodes-base.readWriteFile')
			.map((node) => String(node.parameters.fileName ?? node.parameters.fileSelector).replace(/^=/, ''));
		expect({ file, outside: filePaths.filter((filePath) => !filePath.startsWith(`${N8N_FILES_DIR}/`)) }).toEqual({ file, outside: [] });
		expect({ file, tmp: JSON.stringify(workflow).includes('/tmp/') }).toEqual({ file, tmp: false });
		// A batch (several items, Max Concurrent Generations) continues on error, as the README advises.
		for (const node of ltxNodes(workflow).filter((candidate) => (candidate.parameters.options as { maxConcurrency?: number })?.maxConcurrency)) {
			expect({ file, node: node.name, onError: node.onError }).toEqual({ file, node: node.name, onError: 'continueErrorOutput' });
		}
	}
});

test('01 form → MP4: the submitted prompt, model and duration become a 1080p video saved to disk', async () => {
	const result = await execute('ltxExampleForm01');

	const [video] = outputOf(result, 'Generate video');
	expectFinishedVideo(video, { model: 'ltxv-2.3-pro', prompt: FORM_SUBMISSION.prompt, width: 1920, height: 1080 });
	expect(video.pairedItem).toEqual({ item: 0 });
	const [saved] = outputOf(result, 'Save MP4 to disk');
	expectMp4Written(saved, video.binary?.data);
	// The form page that sends the MP4 back got the video (a No-Op in a headless run).
	expect(outputOf(result, 'Send MP4 to the browser')[0].binary?.data.mimeType).toBe('video/mp4');

	expect(createBodies(await world.emulator.requests())).toEqual([
		{
			model: 'ltxv-2.3-pro',
			public: false,
			parameters: expect.objectContaining({ prompt: FORM_SUBMISSION.prompt, duration: 8, mode: 'RESOLUTION_1080', width: 1920, height: 1080 }),
		},
	]);
});

test('02 scheduled batch: one Fast video per prompt, each stored, paired with its prompt', async () => {
	const result = await execute('ltxExampleBatch01');

	const prompts = outputOf(result, 'One item per prompt').map((item) => item.json.prompt as string);
	expect(prompts).toHaveLength(3);
	const videos = outputOf(result, 'Generate videos');
	expect(videos).toHaveLength(3);
	videos.forEach((video, index) => {
		expectFinishedVideo(video, { model: 'ltxv-2.3-fast', prompt: prompts[index], width: 1920, height: 1080 });
		expect(video.pairedItem).toEqual({ item: index });
	});
	expect(new Set(videos.map((video) => video.json.generationId)).size).toBe(3);
	const stored = outputOf(result, 'Upload to storage (stand-in: disk)');
	expect(stored).toHaveLength(3);
	stored.forEach((item, index) => {
		expect(path.basename(item.json.fileName as string)).toMatch(/^batch-\d{4}-\d{2}-\d{2}-[0-9a-f-]{36}\.mp4$/);
		expectMp4Written(item, videos[index].binary?.data);
	});

	const bodies = createBodies(await world.emulator.requests());
	expect(bodies.map((body) => body.parameters.prompt).sort()).toEqual([...prompts].sort());
	for (const body of bodies) expect(body).toMatchObject({ model: 'ltxv-2.3-fast', parameters: { duration: 6 } });
});

test('02 with a prompt Leonardo fails: the other videos are still stored, the failure leaves on the error output', async () => {
	const result = await executeOrThrow(world.n8n, BATCH_WITH_FAILURE);

	const stored = outputOf(result, 'Upload to storage (stand-in: disk)');
	expect(stored).toHaveLength(2);
	const videos = outputOf(result, 'Generate videos');
	videos.forEach((video, index) => expectMp4Written(stored[index], video.binary?.data));
	expect(videos.map((video) => video.json.prompt)).toEqual(['A good one', 'Another good one']);
	const [failed, ...more] = outputOf(result, 'Failed prompts');
	expect(more).toEqual([]);
	const generationId = (failed.json.details as { generationId?: string } | undefined)?.generationId;
	expect(generationId).toMatch(UUID);
	expect(failed.json).toMatchObject({ prompt: FAILING_PROMPT, error: expect.stringContaining(generationId!) });
});

test('03 image-to-video: the image from disk is uploaded and becomes the start frame; 0×0 lets Leonardo size the video', async () => {
	const result = await execute('ltxExampleImage01');

	const [video] = outputOf(result, 'Animate the image');
	expect(video.json).toMatchObject({ status: 'COMPLETE', model: 'ltxv-2.3-pro' });
	// The output reports the size Leonardo gave the video (its status record), not the 0×0 that was asked for.
	const record = await lookUpGeneration(video.json.generationId as string);
	expect({ width: video.json.width, height: video.json.height }).toEqual({ width: record.imageWidth, height: record.imageHeight });
	expect(record.imageWidth).toEqual(expect.any(Number));
	expect(video.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${video.json.generationId}.mp4` });
	expectMp4Written(outputOf(result, 'Save MP4 to disk')[0], video.binary?.data);

	const requests = await world.emulator.requests();
	const upload = requests.find((request) => request.route === 's3Upload');
	expect(upload?.body).toMatchObject({ fileName: 'start-frame.png', fileBytes: 535, fileMagicOk: true });
	const initImage = requests.find((request) => request.route === 'initImage');
	expect(initImage?.body).toEqual({ extension: 'png' });
	const [body] = createBodies(requests);
	// "Same as Start Frame" sends 0×0; the start frame is the uploaded image.
	expect(body.parameters).toMatchObject({
		width: 0,
		height: 0,
		duration: 6,
		guidances: { start_frame: [{ image: { id: expect.stringMatching(UUID), type: 'UPLOADED' } }] },
	});
});

test('04 submit, wait, get: returns PENDING at once, loops while rendering, saves the MP4 once complete', async () => {
	const result = await execute('ltxExampleAsync01');

	const [submitted] = outputOf(result, 'Submit video');
	expect(submitted.json).toMatchObject({ status: 'PENDING', generationId: expect.stringMatching(UUID) });
	expect(submitted.json.cost).toEqual({ amount: expect.anything(), unit: expect.any(String) });
	expect(submitted.binary).toBeUndefined();

	const getRuns = result.run!.data.resultData.runData['Get video'];
	expect(getRuns.length).toBeGreaterThanOrEqual(2);
	expect(outputOf(result, 'Get video', 0)[0].json.status).toBe('PENDING');
	const [finished] = outputOf(result, 'Get video');
	expect(finished.json).toMatchObject({ status: 'COMPLETE', generationId: submitted.json.generationId, videoId: expect.stringMatching(UUID) });
	expect(finished.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${submitted.json.generationId}.mp4` });
	expectMp4Written(outputOf(result, 'Save MP4 to disk')[0], finished.binary?.data);
	expect(result.run!.data.resultData.runData['Stop: generation failed']).toBeUndefined();

	const requests = await world.emulator.requests();
	expect(createBodies(requests)).toEqual([
		{ model: 'ltxv-2.3-fast', public: false, parameters: expect.objectContaining({ duration: 10 }) },
	]);
	// One lookup per Get run, plus one more after the emulator's default answer (404, null or 500) to the
	// first read of a generation less than 10 s old, which Get asks again.
	const polls = requests.filter((request) => request.route === 'poll');
	expect(polls.length).toBeGreaterThanOrEqual(getRuns.length);
	expect(polls.length).toBeLessThanOrEqual(getRuns.length + 1);
});

test('10 picture link → video: the picture is downloaded from the link, uploaded as the start frame, the MP4 sent back', async () => {
	const result = await execute('ltxExampleLink01');

	const [video] = outputOf(result, 'Animate the picture');
	expect(video.json).toMatchObject({ status: 'COMPLETE', model: 'ltxv-2.3-fast', prompt: pictureSubmission().prompt });
	expect(video.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${video.json.generationId}.mp4` });
	expect(outputOf(result, 'Send MP4 to the browser')[0].binary?.data.mimeType).toBe('video/mp4');

	const requests = await world.emulator.requests();
	expect(requests.filter((request) => request.server === 'images').map((request) => request.path)).toContain('/images/frame.jpg');
	expect(requests.find((request) => request.route === 's3Upload')?.body).toMatchObject({ fileMagicOk: true });
	const [body] = createBodies(requests);
	expect(body.parameters).toMatchObject({ width: 0, height: 0, guidances: { start_frame: [{ image: { id: expect.stringMatching(UUID), type: 'UPLOADED' } }] } });
});
