/**
 * The LTX Video Trigger in a real n8n 2.41.1 (`n8n start`), its workflows published (production
 * webhook URLs), with the emulator playing Leonardo: it calls the trigger when a generation finishes,
 * as an API key created with that webhook URL and a Webhook Callback API Key makes Leonardo do.
 *
 * Workflow A is example 05 (Generate with Wait for Completion off), B is example 06 (trigger → save
 * the MP4 / stop with an error on FAILED), both as shipped except for the files folder.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { loadExamples, type Workflow } from './examples.ts';
import { createWorld, type E2eWorld, readMp4Header } from './fixtures.ts';
import type { RestSession } from './n8n-instance.ts';
import { EXAMPLE_CREDENTIAL } from './project.ts';
import { type Execution, executionsOf as listExecutions, getExecution, outputOf, runManually, waitForExecution } from '../queue/executions.ts';

const SECRET = 'e2e-webhook-callback-secret-7f3a9c';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SUBMIT_ID = 'ltxExampleSubm01';
const TRIGGER_ID = 'ltxExampleTrig01';
const IP_ONLY_ID = 'ltxTriggerIpOnl1';
const COMPLETE_ONLY_ID = 'ltxTriggerDone01';
const SHORT_WAIT_ID = 'ltxTriggerWait01';
const TRIGGER_NODE = 'When a video is ready';
const LEONARDO_IP = '35.173.108.170';

let world: E2eWorld;
let session: RestSession;
const workflows: Record<string, Workflow> = {};

/** The production URL of a workflow's trigger: <n8n>/webhook/<webhookId>/webhook. */
function webhookUrl(workflowId: string): string {
	const trigger = workflows[workflowId].nodes.find((node) => node.type.endsWith('.ltxVideoTrigger'))!;
	return `${world.n8n.url}/webhook/${trigger.webhookId}/webhook`;
}

/** A trigger workflow of its own (another webhook ID), trigger → No-Op. */
function triggerWorkflow(id: string, webhookId: string, parameters: Record<string, unknown>): Workflow {
	return {
		id,
		name: `Trigger ${id}`,
		nodes: [
			{
				id: `${webhookId.slice(0, 30)}000001`,
				name: TRIGGER_NODE,
				type: 'n8n-nodes-leonardo-ltx.ltxVideoTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters,
				credentials: { leonardoAiApi: { id: EXAMPLE_CREDENTIAL.id, name: EXAMPLE_CREDENTIAL.name } },
			},
			{ id: `${webhookId.slice(0, 30)}000002`, name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
		],
		connections: { [TRIGGER_NODE]: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

beforeAll(async () => {
	world = await createWorld({ emulatorDelayMs: 1500, webhookCallbackApiKey: SECRET });
	// As behind one reverse proxy: Express then takes the caller's address from X-Forwarded-For.
	const baseEnv = world.n8n.env.bind(world.n8n);
	world.n8n.env = () => ({ ...baseEnv(), N8N_PROXY_HOPS: '1' });
	for (const { workflow } of loadExamples().filter(({ workflow }) => [SUBMIT_ID, TRIGGER_ID].includes(workflow.id))) {
		workflows[workflow.id] = workflow;
	}
	workflows[IP_ONLY_ID] = triggerWorkflow(IP_ONLY_ID, '4d5e6f70-8192-4a3b-9c4d-5e6f70819201', { options: { leonardoIpsOnly: true } });
	workflows[COMPLETE_ONLY_ID] = triggerWorkflow(COMPLETE_ONLY_ID, '5e6f7081-92a3-4b4c-8d5e-6f7081920312', { options: { download: false } });
	// A user who wants to hear of an unreadable record sooner than Generate's 15 minutes.
	workflows[SHORT_WAIT_ID] = triggerWorkflow(SHORT_WAIT_ID, '6f708192-a3b4-4c5d-9e6f-708192a3b423', { options: { timeout: 6, pollInterval: 1, download: false } });
	await world.n8n.importWorkflows(Object.values(workflows));
	await world.n8n.start();
	session = await world.n8n.setupOwner();
	for (const id of [TRIGGER_ID, IP_ONLY_ID, COMPLETE_ONLY_ID, SHORT_WAIT_ID]) await publish(id);
}, 300_000); // n8n boots on a loaded 2-core machine can take minutes.

afterAll(async () => await world?.dispose());

beforeEach(async () => {
	await world.emulator.reset();
	await world.emulator.configureWebhook({ url: webhookUrl(TRIGGER_ID), callbackApiKey: SECRET });
});

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** Publishes a workflow and waits until its webhook answers (an empty POST is refused, never 404). */
async function publish(id: string): Promise<void> {
	const stored = await session.request<{ versionId: string }>('GET', `/rest/workflows/${id}`);
	await session.request('POST', `/rest/workflows/${id}/activate`, { versionId: stored.versionId });
	await waitFor(`workflow ${id} to be published`, async () => (await fetch(webhookUrl(id), { method: 'POST' })).status !== 404);
}

const executionsOf = async (workflowId: string) => await listExecutions(session, workflowId);

/** The finished executions of a trigger workflow whose trigger output names `generationId`. */
async function executionsFor(workflowId: string, generationId: string): Promise<Execution[]> {
	const found: Execution[] = [];
	for (const summary of await executionsOf(workflowId)) {
		const execution = await waitForExecution(session, summary.id);
		if (outputOf(execution, TRIGGER_NODE)[0]?.json.generationId === generationId) found.push(execution);
	}
	return found;
}

async function oneExecutionFor(workflowId: string, generationId: string): Promise<Execution> {
	let executions: Execution[] = [];
	await waitFor(`an execution of ${workflowId} for ${generationId}`, async () => (executions = await executionsFor(workflowId, generationId)).length > 0);
	return executions[0];
}

/** A generation made straight on the emulator (as another workflow or app using the key would). */
async function createGeneration(prompt: string): Promise<string> {
	const response = await fetch(`${world.emulator.baseUrl}/v2/generations`, {
		method: 'POST',
		headers: { authorization: `Bearer ${world.emulator.apiKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'ltxv-2.3-pro', public: false, parameters: { prompt, duration: 6 } }),
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as { generate: { generationId: string } }).generate.generationId;
}

async function deliveriesFor(generationId: string, count = 1) {
	let found: Awaited<ReturnType<E2eWorld['emulator']['webhookDeliveries']>> = [];
	await waitFor(`${count} callback(s) for ${generationId}`, async () => {
		found = (await world.emulator.webhookDeliveries()).filter((delivery) => delivery.generationId === generationId && delivery.durationMs !== undefined);
		return found.length >= count;
	});
	return found;
}

/** The trigger's lookups of a generation (GET /v1/generations/{id}) so far. */
async function lookupsOf(generationId: string) {
	return (await world.emulator.requests()).filter((request) => request.route === 'poll' && request.path.endsWith(generationId));
}

/** A callback as Leonardo sends it, for a generation, posted by the test itself. */
async function postCallback(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; text: string }> {
	const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
	return { status: response.status, text: await response.text() };
}

const envelope = (generationId: string) => ({
	type: 'image_generation.complete',
	object: 'generation',
	timestamp: Date.now(),
	api_version: 'v1',
	data: { object: { id: generationId, status: 'COMPLETE', images: [], apiKey: { key: world.emulator.apiKey, type: 'PRODUCTION' } } },
});

/** Lets a wrongly started execution show up before asserting there is none. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 3000));

test('n8n lists the trigger with its webhook and the credential with its callback key field', async () => {
	const nodeTypes = await session.getFile<Array<{ name: string; group: string[]; webhooks?: Array<{ httpMethod: string; path: string }> }>>('/types/nodes.json');
	expect(nodeTypes.find((type) => type.name === 'n8n-nodes-leonardo-ltx.ltxVideoTrigger')).toMatchObject({
		group: ['trigger'],
		webhooks: [expect.objectContaining({ httpMethod: 'POST', path: 'webhook' })],
	});
	const credentialTypes = await session.getFile<Array<{ name: string; properties: Array<{ name: string; typeOptions?: { password?: boolean } }> }>>('/types/credentials.json');
	const field = credentialTypes.find((type) => type.name === 'leonardoAiApi')!.properties.find((property) => property.name === 'webhookCallbackApiKey');
	expect(field?.typeOptions?.password).toBe(true);
});

test('A submits (no waiting), Leonardo calls back, B starts with the video and saves the MP4; the call is answered before the lookup', async () => {
	// The trigger's lookup of the generation is held up 8 s: the callback must be answered before it.
	await fetch(`${new URL(world.emulator.baseUrl).origin}/__emulator/faults`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ route: 'poll', status: 503, delayMs: 8000, times: 1 }),
	});
	const submitted = await waitForExecution(session, await runManually(session, workflows[SUBMIT_ID]));
	expect(submitted.status).toBe('success');
	const [pending] = outputOf(submitted, 'Submit video');
	expect(pending.json).toMatchObject({ status: 'PENDING', generationId: expect.stringMatching(UUID) });
	const generationId = pending.json.generationId as string;

	const execution = await oneExecutionFor(TRIGGER_ID, generationId);
	expect(execution).toMatchObject({ status: 'success', mode: 'webhook' });
	const [item] = outputOf(execution, TRIGGER_NODE);
	expect(item.json).toMatchObject({
		generationId,
		status: 'COMPLETE',
		model: 'ltxv-2.3-fast',
		prompt: expect.stringContaining('hot-air balloon'),
		width: 1920,
		height: 1080,
		event: 'image_generation.complete',
		videoId: expect.stringMatching(UUID),
		videoUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/videos\/.+\.mp4/),
		cost: { amount: (pending.json.cost as { amount: string }).amount, unit: 'DOLLARS' },
	});
	expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${generationId}.mp4` });
	// Downloaded in the execution (the trigger's execute step), so the MP4 is stored as this execution's.
	expect(item.binary?.data.id).toContain(`/executions/${execution.id}/`);
	const [saved] = outputOf(execution, 'Save MP4 to disk');
	// The example names the file relative to n8n's working folder, the home folder.
	const file = path.resolve(world.n8n.homeDir, saved.json.fileName as string);
	expect(path.dirname(file)).toBe(world.filesDir);
	expect(existsSync(file)).toBe(true);
	expect(readMp4Header(file)).toEqual({ bytes: item.binary!.data.bytes, boxType: 'ftyp' });

	const [delivery] = await deliveriesFor(generationId);
	expect(delivery).toMatchObject({ status: 200, headers: { authorization: `Bearer ${SECRET}` } });
	expect(JSON.parse(delivery.responseBody!)).toEqual({ received: true });
	expect(delivery.durationMs).toBeLessThan(8000);
	const requests = await world.emulator.requests();
	const lookups = requests.filter((request) => request.route === 'poll' && request.path.endsWith(generationId));
	expect(lookups.length).toBeGreaterThanOrEqual(2); // the held-up 503, then the retry
	// The API key went to the API host only, never to the CDN.
	for (const request of requests.filter((entry) => entry.server === 'cdn')) expect(request.headers.authorization).toBeUndefined();
});

test('a wrong or missing callback key gets 401 and starts nothing', async () => {
	const generationId = await createGeneration('a wrong-key callback');
	await world.emulator.configureWebhook({ url: webhookUrl(TRIGGER_ID), callbackApiKey: 'not-the-secret' });
	const [delivery] = await deliveriesFor(generationId);
	expect(delivery.status).toBe(401);

	const url = webhookUrl(TRIGGER_ID);
	const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer not-the-secret' }, { authorization: `bearer ${SECRET}` }, { authorization: SECRET }, { authorization: `Bearer ${SECRET}x` }];
	for (const headers of attempts) {
		const answer = await postCallback(url, envelope(generationId), headers);
		expect({ headers, status: answer.status }).toEqual({ headers, status: 401 });
		expect(answer.text).not.toContain(SECRET);
	}
	await settle();
	expect(await executionsFor(TRIGGER_ID, generationId)).toEqual([]);
	expect(await lookupsOf(generationId)).toEqual([]);
});

test('the same callback three times (one after another, then three at once, then later again) starts one execution', async () => {
	await world.emulator.configureWebhook({ url: webhookUrl(TRIGGER_ID), callbackApiKey: SECRET, copies: 3 });
	const sequential = await createGeneration('a callback sent three times');
	const deliveries = await deliveriesFor(sequential, 3);
	expect(deliveries.map((delivery) => [delivery.status, JSON.parse(delivery.responseBody!)])).toEqual([
		[200, { received: true }],
		[200, { received: true, duplicate: true }],
		[200, { received: true, duplicate: true }],
	]);
	await oneExecutionFor(TRIGGER_ID, sequential);

	await world.emulator.configureWebhook({ url: webhookUrl(TRIGGER_ID), callbackApiKey: SECRET, copies: 3, concurrentCopies: true });
	const concurrent = await createGeneration('a callback sent three times at once');
	expect((await deliveriesFor(concurrent, 3)).map((delivery) => delivery.status)).toEqual([200, 200, 200]);
	await oneExecutionFor(TRIGGER_ID, concurrent);

	// Later, once the first execution is over (the handled IDs are in the workflow's static data by now).
	const again = await postCallback(webhookUrl(TRIGGER_ID), envelope(sequential), { authorization: `Bearer ${SECRET}` });
	expect(again).toEqual({ status: 200, text: JSON.stringify({ received: true, duplicate: true }) });
	await settle();
	expect(await executionsFor(TRIGGER_ID, sequential)).toHaveLength(1);
	expect(await executionsFor(TRIGGER_ID, concurrent)).toHaveLength(1);
});

test('a malformed body gets 400 and starts nothing; envelope variants are accepted', async () => {
	const before = (await executionsOf(TRIGGER_ID)).length;
	const url = webhookUrl(TRIGGER_ID);
	const auth = { authorization: `Bearer ${SECRET}` };
	for (const body of [{ hello: 'world' }, { data: { object: { id: 'not-a-uuid' } } }, [1, 2]]) {
		const answer = await postCallback(url, body, auth);
		expect({ body, status: answer.status }).toEqual({ body, status: 400 });
		expect(answer.text).toMatch(/Not a Leonardo webhook callback/);
	}
	await settle();
	expect(await executionsOf(TRIGGER_ID)).toHaveLength(before);

	// Another event name, generated_images instead of images, no data.object.id, extra fields.
	await world.emulator.configureWebhook({
		url,
		callbackApiKey: SECRET,
		event: 'video_generation.complete',
		imagesField: 'generated_images',
		omitObjectId: true,
		extraFields: { motionDurationSeconds: 6, unknownColumn: { nested: true } },
	});
	const generationId = await createGeneration('a callback in another dialect');
	const [item] = outputOf(await oneExecutionFor(TRIGGER_ID, generationId), TRIGGER_NODE);
	expect(item.json).toMatchObject({ generationId, status: 'COMPLETE', event: 'video_generation.complete' });
	expect(item.json).not.toHaveProperty('unknownColumn');
});

test('an image generation of the same key is ignored (answered 200, looked up, no execution)', async () => {
	const before = (await executionsOf(TRIGGER_ID)).length;
	const imageId = await world.emulator.addImageGeneration('a red apple on a table');
	const [delivery] = await deliveriesFor(imageId);
	expect(delivery.status).toBe(200);
	await waitFor('the lookup of the image generation', async () => (await lookupsOf(imageId)).length > 0);
	await settle();
	expect(await executionsOf(TRIGGER_ID)).toHaveLength(before);
});

test('FAILED: starts the workflow only where "Trigger On" includes it, with status FAILED and the reason', async () => {
	await world.emulator.configureWebhook({ url: webhookUrl(TRIGGER_ID), callbackApiKey: SECRET, extraFields: { failedReason: 'content moderation' } });
	const failed = await createGeneration('[emu:failed] a storm over the sea');
	const execution = await oneExecutionFor(TRIGGER_ID, failed);
	// Example 06 stops with an error naming the generation and the reason (so an error workflow can alert).
	expect(execution.status).toBe('error');
	expect(outputOf(execution, TRIGGER_NODE)[0].json).toMatchObject({ generationId: failed, status: 'FAILED', reason: 'content moderation' });
	expect(execution.data.resultData.error?.message).toBe(`Leonardo could not make video ${failed}: content moderation`);

	// The default "Trigger On" (Completed only) starts nothing for it.
	await world.emulator.configureWebhook({ url: webhookUrl(COMPLETE_ONLY_ID), callbackApiKey: SECRET });
	const ignored = await createGeneration('[emu:failed] another storm');
	expect((await deliveriesFor(ignored))[0].status).toBe(200);
	const completed = await createGeneration('a calm sea, for the completed-only trigger');
	const [item] = outputOf(await oneExecutionFor(COMPLETE_ONLY_ID, completed), TRIGGER_NODE);
	// Download Video off: the URL only.
	expect(item.json).toMatchObject({ generationId: completed, status: 'COMPLETE', videoUrl: expect.stringContaining('.mp4') });
	expect(item.binary).toBeUndefined();
	expect(await executionsFor(COMPLETE_ONLY_ID, ignored)).toEqual([]);
});

test('the record reads null, then PENDING, for seconds after the callback: example 06 as shipped starts one execution with the MP4; a copy meanwhile is a duplicate', async () => {
	await world.emulator.configureWebhook({ url: webhookUrl(TRIGGER_ID), callbackApiKey: SECRET, lagNullMs: 3000, lagPendingMs: 4000, copies: 2 });
	const generationId = await createGeneration('a callback ahead of the records');
	const deliveries = await deliveriesFor(generationId, 2);
	// Answered at once, the copy while the first call still waits for the record.
	expect(deliveries.map((delivery) => [delivery.status, JSON.parse(delivery.responseBody!)])).toEqual([
		[200, { received: true }],
		[200, { received: true, duplicate: true }],
	]);
	expect(Math.max(...deliveries.map((delivery) => delivery.durationMs!))).toBeLessThan(3000);

	const execution = await oneExecutionFor(TRIGGER_ID, generationId);
	expect(execution.status).toBe('success');
	const [item] = outputOf(execution, TRIGGER_NODE);
	expect(item.json).toMatchObject({ generationId, status: 'COMPLETE', videoUrl: expect.stringContaining('.mp4') });
	expect(item.json.error).toBeUndefined();
	expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${generationId}.mp4` });
	expect(readMp4Header(path.resolve(world.n8n.homeDir, outputOf(execution, 'Save MP4 to disk')[0].json.fileName as string)).boxType).toBe('ftyp');
	// Looked up while null and while PENDING (Poll Interval 5 s), then found finished.
	expect((await lookupsOf(generationId)).length).toBeGreaterThanOrEqual(3);
	await settle();
	expect(await executionsFor(TRIGGER_ID, generationId)).toHaveLength(1);
});

test('a record that never reads finished within the trigger\'s Timeout starts one execution with an error item naming the generation', async () => {
	await world.emulator.configureWebhook({ url: webhookUrl(SHORT_WAIT_ID), callbackApiKey: SECRET, lagNullMs: 600_000 });
	const generationId = await createGeneration('a record that stays unreadable');
	const [delivery] = await deliveriesFor(generationId);
	expect(JSON.parse(delivery.responseBody!)).toEqual({ received: true });

	const execution = await oneExecutionFor(SHORT_WAIT_ID, generationId);
	const [item] = outputOf(execution, TRIGGER_NODE);
	expect(item.json).toMatchObject({
		generationId,
		error: expect.stringMatching(new RegExp(`^Leonardo did not show generation ${generationId} as finished within 6 s of its callback .*did not know the ID yet\\)$`)),
		errorDescription: expect.stringContaining(generationId),
	});
	expect(item.binary).toBeUndefined();
	// Started, so remembered: a redelivery is a duplicate.
	expect(await postCallback(webhookUrl(SHORT_WAIT_ID), delivery.body, { authorization: `Bearer ${SECRET}` })).toEqual({
		status: 200,
		text: JSON.stringify({ received: true, duplicate: true }),
	});
	await settle();
	expect(await executionsFor(SHORT_WAIT_ID, generationId)).toHaveLength(1);
});

test('a callback that started nothing ("Trigger On" excludes FAILED) is not remembered: its redelivery is looked up again', async () => {
	await world.emulator.configureWebhook({ url: webhookUrl(COMPLETE_ONLY_ID), callbackApiKey: SECRET, lagNullMs: 2000 });
	const failed = await createGeneration('[emu:failed] a storm, read late');
	const [delivery] = await deliveriesFor(failed);
	await waitFor('the lookup that finds it FAILED', async () => world.n8n.logTail(2000).includes(`generation ${failed} ignored`));
	const lookupsBefore = (await lookupsOf(failed)).length;

	expect(await postCallback(webhookUrl(COMPLETE_ONLY_ID), delivery.body, { authorization: `Bearer ${SECRET}` })).toEqual({ status: 200, text: JSON.stringify({ received: true }) });
	await waitFor('the redelivery to be looked up', async () => (await lookupsOf(failed)).length > lookupsBefore);
	await settle();
	expect(await executionsFor(COMPLETE_ONLY_ID, failed)).toEqual([]);
});

test("'Only Leonardo's IP addresses': other callers get 403; behind a proxy (N8N_PROXY_HOPS=1) the forwarded address counts", async () => {
	const generationId = await createGeneration('a callback through a proxy');
	await deliveriesFor(generationId); // to example 06 (beforeEach), which has no IP restriction
	const url = webhookUrl(IP_ONLY_ID);
	const auth = { authorization: `Bearer ${SECRET}` };
	expect((await postCallback(url, envelope(generationId), auth)).status).toBe(403);
	// The proxy appends the real caller last; anything before it is what the caller wrote.
	expect((await postCallback(url, envelope(generationId), { ...auth, 'x-forwarded-for': `${LEONARDO_IP}, 10.1.2.3` })).status).toBe(403);
	await settle();
	expect(await executionsFor(IP_ONLY_ID, generationId)).toEqual([]);

	expect((await postCallback(url, envelope(generationId), { ...auth, 'x-forwarded-for': `10.1.2.3, ${LEONARDO_IP}` })).status).toBe(200);
	const [item] = outputOf(await oneExecutionFor(IP_ONLY_ID, generationId), TRIGGER_NODE);
	expect(item.json).toMatchObject({ generationId, status: 'COMPLETE' });
});

test('the API key echoed in every callback and the callback key appear in no execution and not in the n8n log', async () => {
	const secrets = [world.emulator.apiKey, SECRET];
	const summaries = (await Promise.all([TRIGGER_ID, IP_ONLY_ID, COMPLETE_ONLY_ID, SHORT_WAIT_ID, SUBMIT_ID].map(executionsOf))).flat();
	expect(summaries.length).toBeGreaterThanOrEqual(8);
	for (const { id } of summaries) {
		const stored = JSON.stringify(await getExecution(session, id));
		for (const secret of secrets) expect({ id, leaked: stored.includes(secret) }).toEqual({ id, leaked: false });
	}
	const log = world.n8n.logTail(100_000);
	expect(log).toContain('ignored'); // the trigger's own log lines are there
	for (const secret of secrets) expect(log.includes(secret)).toBe(false);
});
