/**
 * Expressions in a real n8n 2.41.1 (`n8n execute`): fields driven per item by expressions, with every field
 * a user would leave empty left out of the saved workflow. n8n's own pre-run check and its expression
 * engine take part here, unlike in the engine tests.
 * Then the expression cases of the bad-input matrix, each with Continue On Fail: an error item each, and
 * zero requests to the emulator.
 */
import { KNOWN_GENERATED_IMAGE_ID } from '../emulator/types.ts';
import { BAD_INPUT_CASES } from '../matrix/bad-input.cases.ts';
import { createBodies, createWorld, type E2eWorld, executeOrThrow, outputOf } from './fixtures.ts';
import { EXAMPLE_CREDENTIAL, NODE_TYPE } from './project.ts';

const credentials = { leonardoAiApi: { id: EXAMPLE_CREDENTIAL.id, name: EXAMPLE_CREDENTIAL.name } };
let position = 0;
const node = (name: string, type: string, typeVersion: number, parameters: object, extra: object = {}) => ({
	id: `expr-${++position}`,
	name,
	type,
	typeVersion,
	position: [position * 200, 0],
	parameters,
	...extra,
});
const ltx = (name: string, parameters: object, extra: object = {}) => node(name, NODE_TYPE, 1, parameters, { credentials, ...extra });
const code = (name: string, jsCode: string) => node(name, 'n8n-nodes-base.code', 2, { jsCode });
const link = (...names: string[]) =>
	Object.fromEntries(names.slice(0, -1).map((name, index) => [name, { main: [[{ node: names[index + 1], type: 'main', index: 0 }]] }]));
const fanOut = (from: string, targets: string[]) => ({ [from]: { main: [targets.map((target) => ({ node: target, type: 'main', index: 0 }))] } });

const workflow = (id: string, name: string, nodes: object[], connections: object) => ({ id, name, active: false, settings: { executionOrder: 'v1' }, nodes, connections });
const readFrame = (framePath: string) => node('Read frame', 'n8n-nodes-base.readWriteFile', 1.1, { fileSelector: framePath, options: {} });

const EXPRESSIONS_ID = 'ltxExpressions01';
const expressionsWorkflow = (framePath: string) =>
	workflow(EXPRESSIONS_ID, 'LTX Video: fields from expressions', [
		node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
		readFrame(framePath),
		code(
			'Frame items',
			`const frame = $input.first();
return [
  { json: { prompt: 'text only', source: 'none' } },
  { json: { prompt: 'from binary', source: 'binary' }, binary: frame.binary },
  { json: { prompt: 'from id', source: 'imageId', imageId: '${KNOWN_GENERATED_IMAGE_ID}' } },
];`,
		),
		ltx('Frames', {
			prompt: '={{ $json.prompt }}',
			startFrame: '={{ $json.source }}',
			startFrameImageId: '={{ $json.imageId }}',
			aspectRatio: '={{ $json.source === "none" ? "9:16" : "source" }}',
			options: { download: false, pollInterval: 1 },
		}),
		code(
			'Model items',
			`return [
  { json: { prompt: 'fast 20', model: 'ltxv-2.3-fast', seconds: 20, resolution: 'RESOLUTION_1440', aspect: '16:9' } },
  { json: { prompt: 'pro 6', model: 'ltxv-2.3-pro', seconds: 6, resolution: 'RESOLUTION_2160', aspect: '9:16' } },
];`,
		),
		ltx('Models', {
			model: '={{ $json.model }}',
			prompt: '={{ $json.prompt }}',
			duration: '={{ $json.seconds }}',
			resolution: '={{ $json.resolution }}',
			aspectRatio: '={{ $json.aspect }}',
			options: { download: false, pollInterval: 1 },
		}),
	], {
		...fanOut('Start', ['Read frame', 'Model items']),
		...link('Read frame', 'Frame items', 'Frames'),
		...link('Model items', 'Models'),
	});

/** The options added with the spend guards, the poster, the file name and Pause Execution, each from an expression. */
const OPTIONS_ID = 'ltxExpressionsOptions01';
const optionsWorkflow = () =>
	workflow(OPTIONS_ID, 'LTX Video: options from expressions', [
		node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
		code(
			'Rows',
			`return ['launch', 'teaser', 'outtake'].map((title) => ({ json: { title, prompt: title, limit: 0.5, floor: 0, pause: false, poster: true } }));`,
		),
		ltx(
			'Options',
			{
				model: 'ltxv-2.3-fast',
				prompt: '={{ $json.prompt }}',
				duration: 6,
				options: {
					download: false,
					pollInterval: 1,
					maxConcurrency: 1,
					maxSpendPerRun: '={{ $json.limit }}',
					keepBalanceAbove: '={{ $json.floor }}',
					pauseExecution: '={{ $json.pause }}',
					downloadPoster: '={{ $json.poster }}',
					fileName: '={{ $json.title }}',
				},
			},
			{ continueOnFail: true },
		),
	], link('Start', 'Rows', 'Options'));

/** The bad-input cases whose value comes from an expression. */
const EXPRESSION_CASES = BAD_INPUT_CASES.filter((badInput) => JSON.stringify(badInput.parameters).includes('={{') && !badInput.baseUrl && !badInput.nodeLevel);
const BAD_INPUT_ID = 'ltxExpressionsBadInput01';
const caseNode = (index: number) => `Case ${index + 1}`;
const badInputWorkflow = (framePath: string) =>
	workflow(BAD_INPUT_ID, 'LTX Video: bad input from expressions', [
		node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
		readFrame(framePath),
		...EXPRESSION_CASES.map((badInput, index) => ltx(caseNode(index), badInput.parameters, { continueOnFail: true })),
	], {
		...fanOut('Start', ['Read frame', ...EXPRESSION_CASES.flatMap((badInput, index) => (badInput.input ? [] : [caseNode(index)]))]),
		...fanOut('Read frame', EXPRESSION_CASES.flatMap((badInput, index) => (badInput.input ? [caseNode(index)] : []))),
	});

let world: E2eWorld;

beforeAll(async () => {
	world = await createWorld({ emulatorDelayMs: 500 });
	const framePath = `${world.filesDir}/start-frame.png`;
	await world.n8n.importWorkflows([expressionsWorkflow(framePath), badInputWorkflow(framePath), optionsWorkflow()]);
}, 300_000); // n8n boots on a loaded 2-core machine can take minutes.

afterAll(async () => await world?.dispose());

test('frame source, model + duration, aspect ratio and resolution from expressions, per item', async () => {
	await world.emulator.reset();
	const result = await executeOrThrow(world.n8n, EXPRESSIONS_ID);
	// Two LTX Video nodes create: Frames and Models.
	const bodies = Object.fromEntries(createBodies(await world.emulator.requests(), 2).map((body) => [body.parameters.prompt, body]));

	// One batch, three frame sources.
	expect(outputOf(result, 'Frames').map((item) => [item.json.prompt, item.json.status])).toEqual([
		['text only', 'COMPLETE'],
		['from binary', 'COMPLETE'],
		['from id', 'COMPLETE'],
	]);
	expect(bodies['text only'].parameters).toMatchObject({ width: 1080, height: 1920 });
	expect(bodies['text only'].parameters.guidances).toBeUndefined();
	expect(bodies['from binary'].parameters).toMatchObject({ width: 0, height: 0, guidances: { start_frame: [{ image: { type: 'UPLOADED' } }] } });
	expect(bodies['from id'].parameters).toMatchObject({ guidances: { start_frame: [{ image: { id: KNOWN_GENERATED_IMAGE_ID, type: 'GENERATED' } }] } });

	// Model from an expression: the Duration list of every length; resolution and aspect ratio from expressions.
	expect(outputOf(result, 'Models').map((item) => [item.json.prompt, item.json.model, item.json.width, item.json.height])).toEqual([
		['fast 20', 'ltxv-2.3-fast', 2560, 1440],
		['pro 6', 'ltxv-2.3-pro', 2160, 3840],
	]);
	expect(bodies['fast 20']).toMatchObject({ model: 'ltxv-2.3-fast', parameters: { duration: 20, mode: 'RESOLUTION_1440' } });
	expect(bodies['pro 6']).toMatchObject({ model: 'ltxv-2.3-pro', parameters: { duration: 6, mode: 'RESOLUTION_2160' } });
});

test('Max Spend per Run, Keep Account Balance Above, Pause Execution, Download Poster Image and File Name from expressions', async () => {
	await world.emulator.reset();
	const result = await executeOrThrow(world.n8n, OPTIONS_ID);
	const output = outputOf(result, 'Options');

	// Fast 6 s costs $0.24 in the emulator: a limit of 0.5 from the item allows two videos, not three.
	expect(createBodies(await world.emulator.requests())).toHaveLength(2);
	expect(output.slice(0, 2).map((item) => [item.json.status, item.json.spentThisRun, item.binary?.poster?.fileName])).toEqual([
		['COMPLETE', 0.24, 'launch.jpg'],
		['COMPLETE', 0.48, 'teaser.jpg'],
	]);
	expect(output[2].json.error).toMatch(/^Spend limit of 0\.5 DOLLARS reached: 0\.48 DOLLARS spent in this run/);
});

test('the expression cases of the bad-input matrix: an error item each, zero requests', async () => {
	expect(EXPRESSION_CASES.length).toBeGreaterThanOrEqual(15);
	await world.emulator.reset();
	const result = await executeOrThrow(world.n8n, BAD_INPUT_ID);
	const outcomes = EXPRESSION_CASES.map((badInput, index) => {
		const items = outputOf(result, caseNode(index));
		return { name: badInput.name, count: items.length, error: String(items[0]?.json.error), description: String((items[0]?.json.details as { description?: string } | undefined)?.description) };
	});
	const wrong = outcomes.filter(
		(outcome, index) =>
			outcome.count !== 1 ||
			!EXPRESSION_CASES[index].message.test(outcome.error) ||
			!/\[item 0\]$/.test(outcome.error) ||
			!EXPRESSION_CASES[index].fix.test(outcome.description),
	);
	expect(wrong).toEqual([]);
	expect(await world.emulator.requests()).toEqual([]);
});
