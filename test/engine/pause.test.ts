/**
 * Generate with "Pause Execution" through n8n-core's engine, and the two n8n internals it relies on
 * (nodes/LtxVideo/helpers/parking.ts). These tests fail loudly if a future n8n changes them:
 * - the stack entry `getExecuteData()` returns is the one n8n keeps with the waiting execution (the
 *   replaced input and `metadata.resumeError` are stored with it);
 * - when the wait time passes, WorkflowExecute fails the node with `resumeError` instead of passing its
 *   input through;
 * - a resume call's WebhookContext reaches that entry, and the node, disabled by n8n for the resume, passes
 *   on what webhook() returned once the error is cleared.
 * The resume call is played as n8n 2.41.1's WaitingWebhooks.getWebhookExecutionData and
 * WebhookHelpers.prepareExecutionData do it; test/e2e/pause.test.ts runs the real thing.
 */
import { ExecutionLifecycleHooks, WebhookContext, WorkflowExecute } from 'n8n-core';
import type { IDataObject, INode, INodeExecutionData, IRun, IRunExecutionData, IWebhookData, IWebhookResponseData } from 'n8n-workflow';
import { createRunExecutionData, Workflow } from 'n8n-workflow';

import { LtxVideo } from '../../nodes/LtxVideo/LtxVideo.node';
import { engineAdditionalData, TestNodeTypes } from '../helpers/engine';
import { generate, useEmulator } from '../helpers/scenario';
import { TriggerHost } from '../helpers/webhook';

const { emulator, run, requests, createdGenerations } = useEmulator();
const SECRET = 'engine-pause-callback-secret';
const TOKEN = 'f'.repeat(64);
const LTX_TYPE = 'n8n-nodes-leonardo-ltx.ltxVideo';

let host: TriggerHost;
beforeAll(async () => {
	host = new TriggerHost({ options: { pollInterval: 1, download: false } }, { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, webhookCallbackApiKey: SECRET });
	await host.start();
});
afterAll(async () => await host.stop());

const credentials = () => ({ apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, webhookCallbackApiKey: SECRET, triggerUrl: host.url });
const paused = (prompt: string, options: IDataObject = {}) => generate({ model: 'ltxv-2.3-fast', duration: 6, prompt }, { pauseExecution: true, timeout: 600, ...options });

/** Input → LTX Video, run by WorkflowExecute as n8n runs a production execution whose run data has a resume token. */
function pausedWorkflow(prompts: string[]) {
	const nodes: INode[] = [
		{ id: 'input', name: 'Input', type: 'test.inputItems', typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify(prompts.map((prompt) => ({ json: { prompt } }))) } },
		{
			id: 'ltx',
			name: 'LTX Video',
			type: LTX_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: paused('={{ $json.prompt }}'),
			credentials: { leonardoAiApi: { id: '1', name: 'Leonardo test' } },
		},
	];
	const connections = { Input: { main: [[{ node: 'LTX Video', type: 'main' as const, index: 0 }]] } };
	const workflow = new Workflow({ id: 'wf-pause', nodes, connections, active: true, nodeTypes: new TestNodeTypes() });
	const hooks = () =>
		new ExecutionLifecycleHooks('webhook', 'exec-pause', { id: 'wf-pause', name: 'pause', active: true, activeVersionId: null, isArchived: false, nodes, connections, createdAt: new Date(), updatedAt: new Date() } as never);
	return { nodes, workflow, additionalData: (extra = {}) => engineAdditionalData(hooks(), credentials(), extra) };
}

/** The execution data as n8n's database gives it back (JSON). */
const stored = (data: IRunExecutionData): IRunExecutionData => JSON.parse(JSON.stringify(data)) as IRunExecutionData;

/** A call of the resume URL: n8n's preparation of the waiting execution, then the node's webhook() in a real WebhookContext. */
async function callResumeUrl(setup: ReturnType<typeof pausedWorkflow>, data: IRunExecutionData) {
	data.executionData!.nodeExecutionStack[0].node.disabled = true;
	data.waitTill = undefined;
	data.resultData.runData['LTX Video'].pop();
	const answer: { status?: number; body?: unknown } = {};
	const response = { headersSent: false, status: (code: number) => ((answer.status = code), response), json: (body: unknown) => ((answer.body = body), (response.headersSent = true)) };
	const additionalData = setup.additionalData({ httpRequest: { body: {}, headers: {}, query: {}, params: {} }, httpResponse: response });
	const node = setup.workflow.getNode('LTX Video')!;
	const webhookData = { httpMethod: 'POST', node: 'LTX Video', path: '', webhookDescription: new LtxVideo().description.webhooks![0], workflowId: 'wf-pause', workflowExecuteAdditionalData: additionalData } as IWebhookData;
	const context = new WebhookContext(setup.workflow, node, additionalData, 'webhook', webhookData, [], data);
	const result: IWebhookResponseData = await new LtxVideo().webhook.call(context);
	return { answer, result };
}

/** n8n's run of the resumed execution with what webhook() returned (WebhookHelpers.prepareExecutionData). */
async function runResumed(setup: ReturnType<typeof pausedWorkflow>, data: IRunExecutionData, workflowData: INodeExecutionData[][]): Promise<IRun> {
	const entry = data.executionData!.nodeExecutionStack[0];
	entry.data.main = workflowData;
	entry.metadata = { ...entry.metadata, forwardAllOutputs: true };
	return await new WorkflowExecute(setup.additionalData(), 'webhook', data).processRunExecutionData(setup.workflow);
}

async function park(setup: ReturnType<typeof pausedWorkflow>, { unsigned = false } = {}): Promise<IRun> {
	const data = createRunExecutionData({ executionData: { nodeExecutionStack: [{ node: setup.nodes[0], data: { main: [[{ json: {} }]] }, source: null }] } });
	data.resumeToken = unsigned ? undefined : TOKEN;
	return await new WorkflowExecute(setup.additionalData(), 'webhook', data).processRunExecutionData(setup.workflow);
}

test('refused before any create: no Trigger URL, no Webhook Callback API Key, or no signed resume URL', async () => {
	const noUrl = await run(paused('a'), { credentials: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, webhookCallbackApiKey: SECRET } });
	expect(noUrl.error?.message).toMatch(/"Pause Execution" needs the credential's "Trigger URL"/);
	const noSecret = await run(paused('a'), { credentials: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, triggerUrl: host.url } as never });
	expect(noSecret.error?.message).toMatch(/needs the credential's "Webhook Callback API Key"/);
	// An execution without a resume token: n8n would accept any call of its resume URL.
	const unsigned = await park(pausedWorkflow(['a']), { unsigned: true });
	expect(unsigned.status).toBe('error');
	expect((unsigned.data.resultData.error as Error).message).toMatch(/does not work on this version of n8n: this n8n gives no signed resume URL/);
	expect(requests('create')).toEqual([]);
	expect(createdGenerations()).toEqual([]);
});

test('parks with the parked input and resumeError stored, registered with the trigger; the timeout fails the node naming every generation', async () => {
	const setup = pausedWorkflow(['one [emu:never]', 'two [emu:never]']);
	const parked = await park(setup);
	expect(parked.status).toBe('waiting');
	expect(parked.waitTill).toBeInstanceOf(Date);
	const ids = createdGenerations();
	expect(ids).toHaveLength(2);

	// Internal 1: the entry getExecuteData() returned is the one kept on the stack, with its replaced input.
	const entry = parked.data.executionData!.nodeExecutionStack[0];
	expect(entry.node.name).toBe('LTX Video');
	expect(entry.data.main[0]!.map((item) => (item.json.ltxVideoParked as IDataObject).generationId)).toEqual(ids);
	// Internal 2: resumeError is kept with it.
	expect((entry.metadata as IDataObject).resumeError).toEqual({ message: expect.stringContaining(`generation(s) ${ids.join(', ')}`) });
	// The trigger holds both, with this execution's resume URL (and nothing in the node's output has it).
	const registry = (Object.values(host.staticData)[0] as IDataObject).pausedGenerations as Record<string, { resumeUrl: string }>;
	expect(Object.keys(registry)).toEqual(expect.arrayContaining(ids));
	expect(registry[ids[0]].resumeUrl).toBe(`http://127.0.0.1/webhook-waiting/exec-pause?signature=${TOKEN}`);
	expect(JSON.stringify(parked.data.resultData.runData['LTX Video'])).not.toContain(TOKEN);

	// The wait time passes (WaitTracker starts the stored execution): the node fails with resumeError.
	const timedOut = await new WorkflowExecute(setup.additionalData(), 'webhook', stored(parked.data)).processRunExecutionData(setup.workflow);
	expect(timedOut.status).toBe('error');
	const error = timedOut.data.resultData.runData['LTX Video'].at(-1)!.error!;
	expect(error.message).toMatch(/^No callback resumed this execution within 600 seconds/);
	for (const id of ids) expect(error.message).toContain(id);
});

test('a resume call stays parked while any generation is PENDING, then outputs every item (MP4, pairedItem) through n8n', async () => {
	const setup = pausedWorkflow(['first [emu:never]', 'second [emu:never]']);
	const parked = await park(setup);
	const ids = createdGenerations();
	const pollsBefore = requests('poll').length;

	emulator.setOutcome(ids[0], 'complete');
	const early = await callResumeUrl(setup, stored(parked.data));
	expect(early.answer).toEqual({ status: 202, body: { resumed: false, waiting: true } });
	expect(early.result.workflowData).toBeUndefined();

	emulator.setOutcome(ids[1], 'complete');
	const data = stored(parked.data);
	const resumed = await callResumeUrl(setup, data);
	expect(resumed.answer).toEqual({ status: 200, body: { resumed: true } });
	expect(resumed.result.workflowData![0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	// Internal 2, resume side: the timeout error is cleared on the entry n8n runs next.
	expect((data.executionData!.nodeExecutionStack[0].metadata as IDataObject | undefined)?.resumeError).toBeUndefined();

	const done = await runResumed(setup, data, resumed.result.workflowData!);
	expect(done.status).toBe('success');
	const items = done.data.resultData.runData['LTX Video'].at(-1)!.data!.main[0]!;
	expect(items.map((item) => item.json.generationId)).toEqual(ids);
	expect(items.map((item) => item.json.status)).toEqual(['COMPLETE', 'COMPLETE']);
	expect(items.map((item) => item.binary?.data?.mimeType)).toEqual(['video/mp4', 'video/mp4']);
	// Lookups only from the resume calls (two lookups stop at the pending one, then two), none while parked.
	expect(requests('poll').length - pollsBefore).toBeLessThanOrEqual(2 + 2 + 4);
	expect(requests('create')).toHaveLength(2);
});

test('a FAILED generation without On Error → Continue: webhook() does not throw, the resumed node fails naming it', async () => {
	const setup = pausedWorkflow(['fine [emu:never]', 'broken [emu:never]']);
	const parked = await park(setup);
	const ids = createdGenerations();
	emulator.setOutcome(ids[0], 'complete');
	emulator.setOutcome(ids[1], 'failed');
	const data = stored(parked.data);
	const resumed = await callResumeUrl(setup, data);
	expect(resumed.answer.status).toBe(200);
	const done = await runResumed(setup, data, resumed.result.workflowData!);
	expect(done.status).toBe('error');
	const error = done.data.resultData.runData['LTX Video'].at(-1)!.error!;
	expect(error.message).toContain(`generation ${ids[1]} failed`);
	expect(error.message).toContain(ids[0]);
});

test('every generation finished before the node could park (their callbacks may have come before the registration): the batch is output at once', async () => {
	const setup = pausedWorkflow(['quick one', 'quick two']);
	const done = await park(setup);
	expect(done.status).toBe('success');
	expect(done.waitTill).toBeUndefined();
	const items = done.data.resultData.runData['LTX Video'].at(-1)!.data!.main[0]!;
	expect(items.map((item) => [item.json.status, item.binary?.data?.mimeType, item.pairedItem])).toEqual([
		['COMPLETE', 'video/mp4', { item: 0 }],
		['COMPLETE', 'video/mp4', { item: 1 }],
	]);
	// It registered first (a callback from then on resumes nothing parked: the resume call finds it finished).
	const registry = (Object.values(host.staticData)[0] as IDataObject).pausedGenerations as IDataObject;
	expect(Object.keys(registry)).toEqual(expect.arrayContaining(createdGenerations()));
});
