/**
 * Settings → On Error in a real n8n (2.41.1, and 1.123.81 in the matrix's 1.x rows, which route error items
 * by other rules): with "Continue (using error output)" a failed item leaves on the node's error output (no
 * IF node sorts it) with its generation ID, and the error branch fetches that generation with Get from
 * `$json.details.generationId`; "Continue (regular output)" keeps it in its place; "Stop Workflow" fails the
 * run naming the generations.
 */
import { createWorld, type E2eWorld, nodeOnRow } from './fixtures.ts';
import type { ExecutionResult, OutputItem } from './n8n-instance.ts';
import { EXAMPLE_CREDENTIAL, NODE_TYPE } from './project.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const WORKFLOW_ID = 'ltxErrorOutput01';
const REGULAR_OUTPUT_ID = 'ltxErrorOutput02';
const STOP_ID = 'ltxErrorOutput03';
const credentials = { leonardoAiApi: { id: EXAMPLE_CREDENTIAL.id, name: EXAMPLE_CREDENTIAL.name } };

/** Two prompts, the second one's generation FAILS, into Generate with `onError`; an error output feeds Get. */
const workflowWith = (id: string, onError: 'continueErrorOutput' | 'continueRegularOutput' | 'stopWorkflow') => {
	const node = nodeOnRow(id);
	const lookUp = node(
		'Look up the failed generation',
		NODE_TYPE,
		1,
		810,
		{ resource: 'video', operation: 'get', generationId: '={{ $json.details.generationId }}', options: {} },
		{ credentials },
	);
	const toErrorOutput = onError === 'continueErrorOutput';
	return {
		id,
		name: `LTX Video error output (${onError})`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, 0, {}),
			node('Prompts', 'n8n-nodes-base.set', 3.4, 200, {
				mode: 'raw',
				jsonOutput: JSON.stringify({ prompts: [{ prompt: 'A calm lake at dawn' }, { prompt: 'A storm at sea [emu:failed]' }] }),
				options: {},
			}),
			node('One item per prompt', 'n8n-nodes-base.splitOut', 1, 400, { fieldToSplitOut: 'prompts', options: {} }),
			node(
				'Generate',
				NODE_TYPE,
				1,
				600,
				{ resource: 'video', operation: 'generate', model: 'ltxv-2.3-pro', prompt: '={{ $json.prompt }}', duration: 6, options: { pollInterval: 1 } },
				{ credentials, onError },
			),
			node('Videos', 'n8n-nodes-base.noOp', 1, 800, {}),
			...(toErrorOutput ? [lookUp] : []),
		],
		connections: {
			Start: { main: [[{ node: 'Prompts', type: 'main', index: 0 }]] },
			Prompts: { main: [[{ node: 'One item per prompt', type: 'main', index: 0 }]] },
			'One item per prompt': { main: [[{ node: 'Generate', type: 'main', index: 0 }]] },
			Generate: {
				main: [[{ node: 'Videos', type: 'main', index: 0 }], ...(toErrorOutput ? [[{ node: lookUp.name, type: 'main', index: 0 }]] : [])],
			},
		},
	};
};

let world: E2eWorld;

beforeAll(async () => {
	world = await createWorld({ emulatorDelayMs: 500 });
	await world.n8n.importWorkflows([
		workflowWith(WORKFLOW_ID, 'continueErrorOutput'),
		workflowWith(REGULAR_OUTPUT_ID, 'continueRegularOutput'),
		workflowWith(STOP_ID, 'stopWorkflow'),
	]);
}, 300_000); // n8n boots on a loaded 2-core machine can take minutes.

afterAll(async () => await world?.dispose());

function outputs(result: ExecutionResult, nodeName: string): OutputItem[][] {
	const runs = result.run?.data.resultData.runData[nodeName];
	if (!runs?.length) throw new Error(`node "${nodeName}" did not run`);
	return (runs.at(-1)?.data?.main ?? []).map((output) => output ?? []);
}

test('a failed item leaves on the error output with its generation ID; the error branch fetches it with Get', async () => {
	const result = await world.n8n.execute(WORKFLOW_ID);
	expect({ exitCode: result.exitCode, error: result.run?.data.resultData.error?.message }).toEqual({ exitCode: 0, error: undefined });

	const [success, failed] = outputs(result, 'Generate');
	expect(success.map((item) => [item.json.prompt, item.json.status])).toEqual([['A calm lake at dawn', 'COMPLETE']]);
	expect(success[0].binary?.data.mimeType).toBe('video/mp4');
	expect(failed).toHaveLength(1);
	const generationId = (failed[0].json.details as { generationId?: string } | undefined)?.generationId;
	expect(generationId).toMatch(UUID);
	// n8n adds the input item's fields to an error-output item.
	expect(failed[0].json).toMatchObject({ prompt: 'A storm at sea [emu:failed]', error: `Leonardo reports that generation ${generationId} failed` });

	expect(outputs(result, 'Videos')[0].map((item) => item.json.generationId)).toEqual([success[0].json.generationId]);
	const [lookedUp] = outputs(result, 'Look up the failed generation')[0];
	expect(lookedUp.json).toMatchObject({ generationId, status: 'FAILED' });

	const requests = await world.emulator.requests();
	expect(requests.filter((request) => request.route === 'create' && request.status === 200)).toHaveLength(2);
}, 240_000);

test('Continue (regular output): the failed item stays in its place on the one output, with its generation ID', async () => {
	const result = await world.n8n.execute(REGULAR_OUTPUT_ID);
	expect({ exitCode: result.exitCode, error: result.run?.data.resultData.error?.message }).toEqual({ exitCode: 0, error: undefined });

	const generated = outputs(result, 'Generate');
	expect(generated).toHaveLength(1);
	const [done, failed] = generated[0];
	expect(done.json).toMatchObject({ prompt: 'A calm lake at dawn', status: 'COMPLETE' });
	const generationId = (failed.json.details as { generationId?: string } | undefined)?.generationId;
	expect(generationId).toMatch(UUID);
	expect(failed.json).toEqual({ error: `Leonardo reports that generation ${generationId} failed`, details: expect.objectContaining({ generationId }) });
	expect(outputs(result, 'Videos')[0]).toHaveLength(2);
}, 240_000);

test('Stop Workflow: the run fails on the failed generation, naming the other item\'s generation', async () => {
	const result = await world.n8n.execute(STOP_ID);
	const error = result.run?.data.resultData.error;
	expect(error?.message).toMatch(/^Leonardo reports that generation [0-9a-f-]{36} failed$/);
	expect(error?.description).toMatch(/item 0: generation [0-9a-f-]{36}, COMPLETE/);
	expect(result.run?.data.resultData.runData.Videos).toBeUndefined();
}, 240_000);
