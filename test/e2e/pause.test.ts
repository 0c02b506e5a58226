/**
 * Generate with "Pause Execution" in a real n8n 2.41.1 (`n8n start`, published workflows, the installed
 * package) with the emulator playing Leonardo and calling the LTX Video Trigger: the execution parks
 * (status `waiting` in n8n's database, no status polling), the trigger relays the callbacks to its resume
 * URL, and the same execution finishes with the MP4s. Also: an n8n restart while parked, a FAILED item
 * (error output, and the node failing), duplicate callbacks, forged registrations and resume calls, the
 * timeout without a callback, and a manual run as the editor starts it.
 */
import { readFileSync } from 'node:fs';

import type { Workflow } from './examples.ts';
import { createWorld, type E2eWorld } from './fixtures.ts';
import type { RestSession } from './n8n-instance.ts';
import { CREDENTIAL_TYPE, EXAMPLE_CREDENTIAL, NODE_TYPE } from './project.ts';
import { downloadBinary, type Execution, executionsOf as listExecutions, getExecution, outputOf, runManually, waitForExecution } from '../queue/executions.ts';

const SECRET = 'e2e-pause-callback-secret-5b1d7e';
const TRIGGER_WEBHOOK_ID = '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c01';
const TRIGGER_ID = 'ltxPauseTrigger1';
const credentials = { [CREDENTIAL_TYPE]: { id: EXAMPLE_CREDENTIAL.id, name: EXAMPLE_CREDENTIAL.name } };

let world: E2eWorld;
let session: RestSession;

const triggerUrl = () => `${world.n8n.url}/webhook/${TRIGGER_WEBHOOK_ID}/webhook`;

const triggerWorkflow: Workflow = {
	id: TRIGGER_ID,
	name: 'Pause: trigger',
	nodes: [
		{
			id: 'pause-trigger-1',
			name: 'When a video is ready',
			type: 'n8n-nodes-leonardo-ltx.ltxVideoTrigger',
			typeVersion: 1,
			position: [0, 0] as [number, number],
			webhookId: TRIGGER_WEBHOOK_ID,
			parameters: { options: { download: false, pollInterval: 1, timeout: 30 } },
			credentials,
		},
		{ id: 'pause-trigger-2', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0] as [number, number], parameters: {} },
	],
	connections: { 'When a video is ready': { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

/**
 * Webhook (POST /webhook/<path>, body `{ rows: [{ prompt }] }`) → one item per row → LTX Video (Generate,
 * Pause Execution) → Done. A published workflow: production executions.
 */
function pausedWorkflow(id: string, options: { timeout?: number; onError?: 'continueErrorOutput' | 'continueRegularOutput'; manual?: boolean } = {}): Workflow {
	const start = options.manual
		? { id: `${id}-1`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} }
		: { id: `${id}-1`, name: 'Start', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0] as [number, number], webhookId: `${id}-hook`, parameters: { httpMethod: 'POST', path: id, options: {} } };
	const rows = options.manual
		? { id: `${id}-2`, name: 'Rows', type: 'n8n-nodes-base.set', typeVersion: 3.4, position: [200, 0] as [number, number], parameters: { mode: 'raw', jsonOutput: JSON.stringify({ body: { rows: [{ prompt: 'A manual run, paused [emu:delay=4000]' }] } }), options: {} } }
		: { id: `${id}-2`, name: 'Rows', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0] as [number, number], parameters: {} };
	return {
		id,
		name: `Pause: ${id}`,
		nodes: [
			start,
			rows,
			{ id: `${id}-3`, name: 'One item per row', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [400, 0] as [number, number], parameters: { fieldToSplitOut: 'body.rows', options: {} } },
			{
				id: `${id}-4`,
				name: 'LTX Video',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [600, 0] as [number, number],
				parameters: {
					resource: 'video',
					operation: 'generate',
					model: 'ltxv-2.3-fast',
					duration: 6,
					prompt: '={{ $json.prompt }}',
					options: { pauseExecution: true, timeout: options.timeout ?? 600, pollInterval: 1 },
				},
				credentials,
				...(options.onError ? { onError: options.onError } : {}),
			},
			{ id: `${id}-5`, name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [800, 0] as [number, number], parameters: {} },
			{ id: `${id}-6`, name: 'Failed', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [800, 200] as [number, number], parameters: {} },
		],
		connections: {
			Start: { main: [[{ node: 'Rows', type: 'main', index: 0 }]] },
			Rows: { main: [[{ node: 'One item per row', type: 'main', index: 0 }]] },
			'One item per row': { main: [[{ node: 'LTX Video', type: 'main', index: 0 }]] },
			'LTX Video': { main: [[{ node: 'Done', type: 'main', index: 0 }], [{ node: 'Failed', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

const BATCH = pausedWorkflow('ltxPauseBatch01');
const ERROR_OUTPUT = pausedWorkflow('ltxPauseErrOut1', { onError: 'continueErrorOutput' });
const TIMEOUT = pausedWorkflow('ltxPauseTimeout', { timeout: 5 });
const MANUAL = pausedWorkflow('ltxPauseManual1', { manual: true });
const WORKFLOWS = [triggerWorkflow, BATCH, ERROR_OUTPUT, TIMEOUT, MANUAL];

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

async function publish(id: string, url: string): Promise<void> {
	const stored = await session.request<{ versionId: string }>('GET', `/rest/workflows/${id}`);
	await session.request('POST', `/rest/workflows/${id}/activate`, { versionId: stored.versionId });
	await waitFor(`workflow ${id} to be published`, async () => (await fetch(url, { method: 'POST' })).status !== 404);
}

const executionsOf = async (workflowId: string) => await listExecutions(session, workflowId);

/** Starts a published paused workflow with `prompts` (one item each); resolves with its execution once it is `waiting`. */
async function startParked(workflow: Workflow, prompts: string[]): Promise<Execution> {
	const before = new Set((await executionsOf(workflow.id)).map((execution) => execution.id));
	const response = await fetch(`${world.n8n.url}/webhook/${workflow.id}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ rows: prompts.map((prompt) => ({ prompt })) }),
	});
	expect(response.status).toBe(200);
	let id = '';
	await waitFor(`an execution of ${workflow.id}`, async () => {
		id = (await executionsOf(workflow.id)).find((execution) => !before.has(execution.id))?.id ?? '';
		return id !== '';
	});
	return await waitForExecution(session, id, { statuses: ['waiting', 'success', 'error'] });
}

const polls = async () => (await world.emulator.requests()).filter((request) => request.route === 'poll');
const creates = async () => (await world.emulator.requests()).filter((request) => request.route === 'create' && request.status === 200);
const generationIdsOf = (execution: Execution) => outputOf(execution, 'LTX Video').map((item) => item.json.generationId as string);

beforeAll(async () => {
	world = await createWorld({ emulatorDelayMs: 3000, webhookCallbackApiKey: SECRET });
	// The credential as the user completes it: the published trigger's Production URL.
	await world.n8n.importCredentials([
		{ ...EXAMPLE_CREDENTIAL, data: { apiKey: world.emulator.apiKey, baseUrl: world.emulator.baseUrl, webhookCallbackApiKey: SECRET, triggerUrl: triggerUrl() } },
	]);
	await world.n8n.importWorkflows(WORKFLOWS);
	await world.n8n.start();
	session = await world.n8n.setupOwner();
	await publish(TRIGGER_ID, triggerUrl());
	for (const workflow of [BATCH, ERROR_OUTPUT, TIMEOUT]) await publish(workflow.id, `${world.n8n.url}/webhook/${workflow.id}`);
}, 300_000);

afterAll(async () => await world?.dispose());

beforeEach(async () => {
	await world.emulator.reset();
	await world.emulator.configureWebhook({ url: triggerUrl(), callbackApiKey: SECRET });
});

test('a three-item batch parks (waiting in the database, no polling) and the same execution resumes with three MP4s once all are COMPLETE', async () => {
	const parked = await startParked(BATCH, ['First clip [emu:delay=5000]', 'Second clip [emu:delay=7000]', 'Third clip [emu:delay=9000]']);
	expect(parked.status).toBe('waiting');
	const parkedAt = Date.now();
	expect(await creates()).toHaveLength(3);
	// While parked nothing asks Leonardo for a status: the first lookups come after the first callback.
	await waitFor('the first callback', async () => (await world.emulator.webhookDeliveries()).length > 0, 30_000);
	const firstCallbackAt = Math.min(...(await world.emulator.webhookDeliveries()).map((delivery) => delivery.startedAt));
	expect((await polls()).filter((request) => request.at > parkedAt && request.at < firstCallbackAt)).toEqual([]);

	const done = await waitForExecution(session, parked.id, { timeoutMs: 90_000 });
	expect(done.status).toBe('success');
	const items = outputOf(done, 'LTX Video');
	expect(items).toHaveLength(3);
	items.forEach((item, index) => {
		expect(item.json).toMatchObject({ status: 'COMPLETE', model: 'ltxv-2.3-fast' });
		expect(item.pairedItem).toEqual({ item: index });
		expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${item.json.generationId}.mp4` });
	});
	expect(items.map((item) => item.json.prompt)).toEqual(['First clip [emu:delay=5000]', 'Second clip [emu:delay=7000]', 'Third clip [emu:delay=9000]']);
	const mp4 = await downloadBinary(session, (items[0].binary!.data as { id: string }).id);
	expect(mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');
	expect(outputOf(done, 'Done')).toHaveLength(3);
	// Still three creates; the trigger's own workflow started for none of them.
	expect(await creates()).toHaveLength(3);
	expect(await executionsOf(TRIGGER_ID)).toEqual([]);
	// The resume URL is nowhere in the execution's data or n8n's log.
	const raw = JSON.stringify(await session.request('GET', `/rest/executions/${parked.id}`));
	expect(raw).not.toContain('signature=');
	expect(readFileSync(world.n8n.logFile, 'utf8')).not.toContain('signature=');
}, 180_000);

test('a FAILED item goes to the error output and the others to the main output; without Continue the node fails naming it', async () => {
	const prompts = ['Fine one [emu:delay=4000]', 'Broken [emu:failed] [emu:delay=5000]', 'Fine two [emu:delay=6000]'];
	const parked = await startParked(ERROR_OUTPUT, prompts);
	expect(parked.status).toBe('waiting');
	const done = await waitForExecution(session, parked.id, { timeoutMs: 90_000 });
	expect(done.status).toBe('success');
	const main = outputOf(done, 'LTX Video');
	expect(main.map((item) => item.json.prompt)).toEqual(['Fine one [emu:delay=4000]', 'Fine two [emu:delay=6000]']);
	const errors = done.data.resultData.runData['LTX Video'].at(-1)!.data!.main[1]!;
	expect(errors).toHaveLength(1);
	expect(errors[0].json).toMatchObject({ error: expect.stringMatching(/failed/), details: { generationId: expect.any(String) } });
	expect(errors[0].pairedItem).toEqual({ item: 1 });

	const stopped = await startParked(BATCH, ['Fine [emu:delay=4000]', 'Broken [emu:failed] [emu:delay=5000]']);
	const failed = await waitForExecution(session, stopped.id, { timeoutMs: 90_000 });
	expect(failed.status).toBe('error');
	const [, failedId] = generationIdsOf(stopped);
	expect(failed.data.resultData.error?.message).toContain(failedId);
}, 240_000);

test('duplicate and concurrent callbacks resume the execution once and start nothing else', async () => {
	await world.emulator.configureWebhook({ url: triggerUrl(), callbackApiKey: SECRET, copies: 3, concurrentCopies: true });
	const parked = await startParked(BATCH, ['Called three times [emu:delay=4000]']);
	const done = await waitForExecution(session, parked.id, { timeoutMs: 90_000 });
	expect(done.status).toBe('success');
	expect(done.data.resultData.runData['LTX Video']).toHaveLength(1);
	expect(outputOf(done, 'LTX Video')).toHaveLength(1);
	await waitFor('all copies answered', async () => (await world.emulator.webhookDeliveries()).filter((delivery) => delivery.status === 200).length === 3);
	expect(await executionsOf(TRIGGER_ID)).toEqual([]);
	expect((await executionsOf(BATCH.id)).filter((execution) => execution.id === parked.id)).toHaveLength(1);
}, 120_000);

test('forged registrations and forged resume calls are refused; a genuine resume URL called early changes nothing', async () => {
	const register = async (authorization: string, resumeUrl: string) =>
		await fetch(triggerUrl(), {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization },
			body: JSON.stringify({ ltxVideoPause: { generationIds: ['00000000-0000-4000-8000-000000000001'], resumeUrl, expiresAt: Date.now() + 60_000 } }),
		});
	const ownShape = `${world.n8n.url}/webhook-waiting/1?signature=${'a'.repeat(32)}`;
	expect((await register('Bearer wrong-secret', ownShape)).status).toBe(401);
	expect((await register('', ownShape)).status).toBe(401);
	expect((await register(`Bearer ${SECRET}`, `http://169.254.169.254/webhook-waiting/1?signature=${'a'.repeat(32)}`)).status).toBe(403);
	expect((await register(`Bearer ${SECRET}`, `${world.n8n.url}/rest/workflows?signature=${'a'.repeat(32)}`)).status).toBe(403);

	const parked = await startParked(BATCH, ['Parked for a while [emu:delay=15000]']);
	expect(parked.status).toBe('waiting');
	const forged = await fetch(`${world.n8n.url}/webhook-waiting/${parked.id}?signature=${'b'.repeat(64)}`, { method: 'POST' });
	expect(forged.status).toBe(401);
	// The genuine resume URL, as the trigger stored it, called before Leonardo is done: read from the API, still pending.
	const stored = await session.request<{ staticData?: Record<string, { pausedGenerations?: Record<string, { resumeUrl: string }> }> }>('GET', `/rest/workflows/${TRIGGER_ID}`);
	const entries = Object.values(stored.staticData ?? {}).flatMap((scope) => Object.values(scope.pausedGenerations ?? {}));
	const resumeUrl = entries.find((entry) => entry.resumeUrl.includes(`/webhook-waiting/${parked.id}?`))?.resumeUrl;
	expect(resumeUrl).toBeDefined();
	const early = await fetch(resumeUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'COMPLETE' }) });
	expect(early.status).toBe(202);
	expect((await getExecution(session, parked.id)).status).toBe('waiting');
	expect((await waitForExecution(session, parked.id, { timeoutMs: 90_000 })).status).toBe('success');
}, 150_000);

test('an n8n restart while parked changes nothing: the callback after it resumes the execution', async () => {
	// Leonardo's retry policy is unknown; here it re-sends while n8n is down.
	await world.emulator.configureWebhook({ url: triggerUrl(), callbackApiKey: SECRET, retries: 30, retryDelayMs: 2000 });
	const parked = await startParked(BATCH, ['Across a restart [emu:delay=8000]']);
	expect(parked.status).toBe('waiting');
	await world.n8n.stop();
	await world.n8n.start();
	session = await world.n8n.login();
	const done = await waitForExecution(session, parked.id, { timeoutMs: 120_000 });
	expect(done.status).toBe('success');
	expect(outputOf(done, 'LTX Video')[0].binary?.data).toMatchObject({ mimeType: 'video/mp4' });
	expect(await creates()).toHaveLength(1);
}, 300_000);

test('no callback: the wait ends at the timeout with an error naming the generation (n8n checks due waits every 60 s)', async () => {
	const parked = await startParked(TIMEOUT, ['Never called [emu:never]']);
	expect(parked.status).toBe('waiting');
	// While waiting, the node's run shows what was submitted.
	const [generationId] = generationIdsOf(parked);
	expect(generationId).toMatch(/^[0-9a-f-]{36}$/);
	const done = await waitForExecution(session, parked.id, { timeoutMs: 150_000 });
	expect(done.status).toBe('error');
	expect(done.data.resultData.error?.message).toMatch(/No callback resumed this execution within 5 seconds/);
	expect(done.data.resultData.error?.message).toContain(generationId);
	expect(done.data.resultData.runData.Done).toBeUndefined();
}, 200_000);

test('a manual run, as the editor starts it, parks and resumes the same way', async () => {
	const id = await runManually(session, MANUAL);
	const parked = await waitForExecution(session, id, { statuses: ['waiting', 'success', 'error'] });
	expect(parked.status).toBe('waiting');
	const done = await waitForExecution(session, id, { timeoutMs: 90_000 });
	expect(done.status).toBe('success');
	expect(done.mode).toBe('manual');
	expect(outputOf(done, 'LTX Video')[0].binary?.data).toMatchObject({ mimeType: 'video/mp4' });
}, 150_000);
