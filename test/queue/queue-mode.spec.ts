/**
 * Queue mode (npm run test:queue): n8n 2.41.1 main + one worker with Redis and PostgreSQL, binary data
 * in the database (queue mode's default). Everything is driven through the main process's REST API as
 * the owner; every execution must run on the worker, and its MP4s must come back through the database.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { RecordedRequest } from '../e2e/emulator-process.ts';
import type { Workflow } from '../e2e/examples.ts';
import { createBodies } from '../e2e/fixtures.ts';
import type { OutputItem } from '../e2e/n8n-instance.ts';
import { type QueueCluster, startQueueCluster } from './cluster.ts';
import { downloadBinary, type Execution, getExecution, outputOf, runManually, waitForExecution } from './executions.ts';
import {
	BATCH_PROMPTS,
	batchOfFive,
	examplesForQueue,
	FORM_PATH,
	FORM_SUBMISSION,
	formExample,
	getVideo,
	IDS,
	neverEnding,
	nodeTimeout,
	PAUSE_TRIGGER_WEBHOOK_ID,
	pausePair,
	retryAfterTimeout,
	submitOnly,
	triggerPair,
	WEBHOOK_PATH,
	webhookBatch,
	workflowTimeout,
} from './workflows.ts';

/** The control route also reports when each request arrived (test/emulator/types.ts). */
type TimedRequest = RecordedRequest & { at: number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** After a stop or a timeout the node may still finish the request in flight; then nothing more. */
const SETTLE_MS = 2_000;
/** How long "nothing more" is watched: five poll intervals of the workflows under test. */
const QUIET_MS = 5_000;

let cluster: QueueCluster;
const workflows = new Map<string, Workflow>();

beforeAll(async () => {
	cluster = await startQueueCluster({
		// Long enough that the submit/wait/get example sees PENDING before COMPLETE (its Wait is shortened to 1 s).
		emulatorDelayMs: 4000,
		workflows: () => {
			const all = [...examplesForQueue(), formExample(), batchOfFive(), webhookBatch(), neverEnding(), nodeTimeout(), workflowTimeout(), submitOnly(), retryAfterTimeout(), ...triggerPair(), ...pausePair()];
			for (const workflow of all) workflows.set(workflow.id, workflow);
			return all;
		},
	});
}, 240_000);

afterAll(async () => await cluster?.dispose());

beforeEach(async () => await cluster.emulator.reset());

afterEach(() => {
	// Both processes must still be up: a crash would hide behind later failures.
	expect({ workerRunning: cluster.worker.running }).toEqual({ workerRunning: true });
});

function workflow(id: string): Workflow {
	const found = workflows.get(id);
	if (!found) throw new Error(`workflow ${id} was not created`);
	return found;
}

/** Starts a workflow from the editor's "Execute workflow" and waits for it to finish. */
async function run(id: string): Promise<Execution> {
	const executionId = await runManually(cluster.session, workflow(id));
	return await waitForExecution(cluster.session, executionId);
}

function expectSuccess(execution: Execution): void {
	const error = execution.data.resultData.error;
	expect({ status: execution.status, error: error?.message }).toEqual({ status: 'success', error: undefined });
}

/**
 * The worker ran it: its log has the job's start and end and the node's own "created generation" lines;
 * the main process only enqueued it and never ran the node.
 */
function expectRanOnWorker(execution: Execution, generationIds: string[]): void {
	const worker = cluster.workerLog();
	const main = cluster.mainLog();
	expect(worker).toMatch(new RegExp(`Worker started execution ${execution.id} \\(job \\d+\\)`));
	expect(worker).toMatch(new RegExp(`Worker finished execution ${execution.id} \\(job \\d+\\)`));
	for (const generationId of generationIds) {
		expect({ generationId, onWorker: worker.includes(`created generation ${generationId}`) }).toEqual({ generationId, onWorker: true });
		expect({ generationId, onMain: main.includes(generationId) }).toEqual({ generationId, onMain: false });
	}
	expect(main).toMatch(new RegExp(`Enqueued execution ${execution.id} \\(job \\d+\\)`));
	expect(main).not.toMatch(new RegExp(`started execution ${execution.id}\\b`));
}

/**
 * The item carries an MP4 stored in the database (binary ID `database:<uuid>`), and the main process
 * serves its bytes back (GET /rest/binary-data): a whole MP4, written on the worker, read on main.
 */
async function expectMp4InDatabase(item: OutputItem, property = 'data'): Promise<Buffer> {
	const binary = item.binary?.[property];
	expect(binary).toMatchObject({ mimeType: 'video/mp4', fileName: `${item.json.generationId}.mp4`, id: expect.stringMatching(/^database:[0-9a-f-]{36}$/) });
	const bytes = await downloadBinary(cluster.session, binary!.id!);
	expect({ boxType: bytes.subarray(4, 8).toString('latin1'), bytes: bytes.length }).toEqual({ boxType: 'ftyp', bytes: binary!.bytes });
	expect(bytes.length).toBeGreaterThan(1000);
	return bytes;
}

/** A file the worker's Write node wrote is the same MP4. */
function expectFileWritten(item: OutputItem, video: Buffer): void {
	// The examples name files relative to n8n's working folder, the home both processes share.
	const file = path.resolve(cluster.main.homeDir, item.json.fileName as string);
	expect(path.dirname(file)).toBe(cluster.filesDir);
	expect(existsSync(file)).toBe(true);
	expect(readFileSync(file).equals(video)).toBe(true);
}

function generationIdsOf(items: OutputItem[]): string[] {
	const ids = items.map((item) => item.json.generationId as string);
	for (const id of ids) expect(id).toMatch(UUID);
	return ids;
}

/** The node sent nothing after `since` + SETTLE_MS, watched for QUIET_MS more. */
async function expectNoRequestsAfter(since: number): Promise<TimedRequest[]> {
	const wait = since + SETTLE_MS + QUIET_MS - Date.now();
	if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
	const requests = (await cluster.emulator.requests()) as TimedRequest[];
	const late = requests.filter((request) => request.at > since + SETTLE_MS);
	expect(late.map((request) => `${request.method} ${request.path} at +${request.at - since} ms`)).toEqual([]);
	return requests;
}

async function pollCount(): Promise<number> {
	return (await cluster.emulator.requests()).filter((request) => request.route === 'poll').length;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/** Publishes a workflow ("Publish" in the editor) and waits until main answers on `webhookPath`. */
async function publish(id: string, probe: () => Promise<Response>): Promise<Response> {
	const stored = await cluster.session.request<{ versionId: string }>('GET', `/rest/workflows/${id}`);
	await cluster.session.request('POST', `/rest/workflows/${id}/activate`, { versionId: stored.versionId });
	// Main registers the trigger shortly after answering: call it until it is there.
	let response: Response | undefined;
	await waitFor(`workflow ${id} to be published`, async () => {
		response = await probe();
		return response.status !== 404;
	});
	return response!;
}

describe('the cluster', () => {
	test('main runs in queue mode and keeps binary data in the database; the worker is connected', async () => {
		const settings = await cluster.session.request<{ executionMode: string; binaryDataMode: string }>('GET', '/rest/settings');
		expect(settings).toMatchObject({ executionMode: 'queue', binaryDataMode: 'database' });
		expect(cluster.workerLog()).toContain('n8n worker is now ready');
		// The package is loaded by both processes from their own user folders.
		expect((await fetch(cluster.worker.healthUrl)).ok).toBe(true);
	});
});

describe('the examples, started from the main process, run on the worker', () => {
	test('01 form → MP4: the video is made and stored on the worker, read back on main', async () => {
		const execution = await run('ltxExampleForm01');
		expectSuccess(execution);
		const [video] = outputOf(execution, 'Generate video');
		expect(video.json).toMatchObject({ status: 'COMPLETE', model: 'ltxv-2.3-pro', prompt: FORM_SUBMISSION.prompt, width: 1920, height: 1080 });
		const bytes = await expectMp4InDatabase(video);
		expectFileWritten(outputOf(execution, 'Save MP4 to disk')[0], bytes);
		expect(outputOf(execution, 'Send MP4 to the browser')[0].binary?.data.mimeType).toBe('video/mp4');
		expectRanOnWorker(execution, generationIdsOf([video]));
	});

	test('02 scheduled batch: three videos, each paired with its prompt and stored', async () => {
		const execution = await run('ltxExampleBatch01');
		expectSuccess(execution);
		const videos = outputOf(execution, 'Generate videos');
		expect(videos).toHaveLength(3);
		const stored = outputOf(execution, 'Upload to storage (stand-in: disk)');
		for (const [index, video] of videos.entries()) {
			expect(video.pairedItem).toEqual({ item: index });
			expectFileWritten(stored[index], await expectMp4InDatabase(video));
		}
		expectRanOnWorker(execution, generationIdsOf(videos));
	});

	test('03 image-to-video: the worker reads the image from disk, uploads it and animates it', async () => {
		const execution = await run('ltxExampleImage01');
		expectSuccess(execution);
		const [video] = outputOf(execution, 'Animate the image');
		expect(video.json).toMatchObject({ status: 'COMPLETE', model: 'ltxv-2.3-pro' });
		expectFileWritten(outputOf(execution, 'Save MP4 to disk')[0], await expectMp4InDatabase(video));
		const upload = (await cluster.emulator.requests()).find((request) => request.route === 's3Upload');
		expect(upload?.body).toMatchObject({ fileName: 'start-frame.png', fileMagicOk: true });
		expectRanOnWorker(execution, generationIdsOf([video]));
	});

	test('04 submit, wait, get: PENDING first, loops on the worker until COMPLETE, then saves the MP4', async () => {
		const execution = await run('ltxExampleAsync01');
		expectSuccess(execution);
		const [submitted] = outputOf(execution, 'Submit video');
		expect(submitted.json).toMatchObject({ status: 'PENDING' });
		expect(execution.data.resultData.runData['Get video'].length).toBeGreaterThanOrEqual(2);
		const [finished] = outputOf(execution, 'Get video');
		expect(finished.json).toMatchObject({ status: 'COMPLETE', generationId: submitted.json.generationId });
		expectFileWritten(outputOf(execution, 'Save MP4 to disk')[0], await expectMp4InDatabase(finished));
		expectRanOnWorker(execution, generationIdsOf([submitted]));
	});
});

describe('production: example 01 published, used from a browser', () => {
	test('the form is submitted to main, the worker makes the video, main hands the MP4 back through the database', async () => {
		const submit = async () => {
			const form = new FormData();
			form.append('field-0', FORM_SUBMISSION.prompt);
			form.append('field-1', FORM_SUBMISSION.model);
			form.append('field-2', FORM_SUBMISSION.duration);
			return await fetch(`${cluster.main.url}/form/${FORM_PATH}`, { method: 'POST', body: form });
		};
		const response = await publish(IDS.form, submit);
		expect(response.status).toBe(200);
		const { formWaitingUrl } = (await response.json()) as { formWaitingUrl: string };
		const waitingUrl = new URL(formWaitingUrl);
		const executionId = waitingUrl.pathname.split('/').pop()!;

		// What the form page's script does: poll the status until the completion page is ready.
		const statusUrl = new URL(waitingUrl);
		statusUrl.pathname += '/n8n-execution-status';
		let status = '';
		await waitFor('the completion page', async () => {
			status = (await (await fetch(statusUrl)).text()).trim();
			if (['canceled', 'crashed', 'error', 'null'].includes(status)) throw new Error(`execution ${executionId} ended ${status}`);
			return status === 'form-waiting';
		}, 60_000);

		// The completion page carries the MP4 for the browser to save.
		const page = await fetch(waitingUrl);
		expect(page.status).toBe(200);
		const html = await page.text();
		const encoded = /JSON\.parse\(decodeURIComponent\("([^"]+)"\)\)/.exec(html)?.[1];
		expect(encoded).toBeDefined();
		const [download] = JSON.parse(decodeURIComponent(encoded!)) as Array<{ fileName: string; type: string; data: { type: string; data: number[] } }>;
		expect({ type: download.type, fileName: download.fileName }).toEqual({ type: 'video/mp4', fileName: expect.stringMatching(/^[0-9a-f-]{36}\.mp4$/) });
		const mp4 = Buffer.from(download.data.data);
		expect(mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');
		// Then it tells n8n the page was shown, which ends the execution.
		await fetch(waitingUrl, { method: 'POST' });

		const execution = await waitForExecution(cluster.session, executionId, { timeoutMs: 60_000 });
		expectSuccess(execution);
		expect(execution.mode).toBe('webhook');
		const [video] = outputOf(execution, 'Generate video');
		expect(video.json).toMatchObject({ status: 'COMPLETE', model: 'ltxv-2.3-pro', prompt: FORM_SUBMISSION.prompt });
		expect((await expectMp4InDatabase(video)).equals(mp4)).toBe(true);
		expectFileWritten(outputOf(execution, 'Save MP4 to disk')[0], mp4);
		expectRanOnWorker(execution, generationIdsOf([video]));
	});
});

describe('batches', () => {
	test('five items in one execution: five videos in the database, in order, paired, on the worker', async () => {
		const execution = await run(IDS.batch);
		expectSuccess(execution);
		const videos = outputOf(execution, 'Generate videos');
		expect(videos.map((video) => video.json.prompt)).toEqual(BATCH_PROMPTS);
		videos.forEach((video, index) => expect(video.pairedItem).toEqual({ item: index }));
		const ids = generationIdsOf(videos);
		expect(new Set(ids).size).toBe(BATCH_PROMPTS.length);
		const stored = outputOf(execution, 'Upload to storage (stand-in: disk)');
		for (const [index, video] of videos.entries()) expectFileWritten(stored[index], await expectMp4InDatabase(video));
		expectRanOnWorker(execution, ids);
		// One accepted create per item, never repeated.
		expect(createBodies(await cluster.emulator.requests())).toHaveLength(BATCH_PROMPTS.length);
	});

	test('production: a webhook call enqueues the execution, the worker makes one video per prompt', async () => {
		const prompts = BATCH_PROMPTS.slice(0, 4);
		const response = await publish(IDS.webhook, async () =>
			await fetch(`${cluster.main.url}/webhook/${WEBHOOK_PATH}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ prompts: prompts.map((prompt) => ({ prompt })) }),
			}),
		);
		expect(response.status).toBe(200);

		let executionId = '';
		await waitFor('the webhook execution', async () => {
			const list = await cluster.session.request<{ results: Array<{ id: string; workflowId: string }> }>(
				'GET',
				`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: IDS.webhook }))}`,
			);
			executionId = list.results[0]?.id ?? '';
			return executionId !== '';
		});
		const execution = await waitForExecution(cluster.session, executionId);
		expectSuccess(execution);
		expect(execution.mode).toBe('webhook');
		const videos = outputOf(execution, 'Generate videos');
		expect(videos.map((video) => video.json.prompt)).toEqual(prompts);
		for (const video of videos) await expectMp4InDatabase(video);
		expectRanOnWorker(execution, generationIdsOf(videos));
	});
});

describe('cancel and timeouts are honoured on the worker', () => {
	test('stopping a running execution from main (POST /rest/executions/:id/stop) stops the node on the worker', async () => {
		const executionId = await runManually(cluster.session, workflow(IDS.cancel));
		await waitFor('two status polls', async () => (await pollCount()) >= 2);

		const stopped = await cluster.session.request<{ status: string }>('POST', `/rest/executions/${executionId}/stop`);
		const stoppedAt = Date.now();
		expect(stopped.status).toBe('canceled');

		const execution = await waitForExecution(cluster.session, executionId);
		expect(execution.status).toBe('canceled');
		const requests = await expectNoRequestsAfter(stoppedAt);
		// One accepted create, never repeated (a 400 before it made nothing); the generation is left to Leonardo.
		expect(requests.filter((request) => request.route === 'create' && request.status === 200)).toHaveLength(1);
		expect(cluster.workerLog()).toMatch(new RegExp(`Worker started execution ${executionId} \\(job \\d+\\)`));
		// The worker is free again: a new execution runs to the end.
		const next = await run('ltxExampleImage01');
		expectSuccess(next);
	});

	test("the node's Timeout ends the wait on the worker with an error naming the generation", async () => {
		const execution = await run(IDS.nodeTimeout);
		const endedAt = Date.parse(execution.stoppedAt ?? '') || Date.now();
		expect(execution.status).toBe('error');
		const [create] = (await cluster.emulator.requests()).filter((request) => request.route === 'create');
		const generationId = (await cluster.emulator.requests()).find((request) => request.route === 'poll')?.path.split('/').pop();
		expect(create).toBeDefined();
		expect(execution.data.resultData.error?.message).toBe(`Generation ${generationId} did not finish within 3 seconds`);
		await expectNoRequestsAfter(endedAt);
		expect(cluster.workerLog()).toContain(`created generation ${generationId}`);
	});

	test('Retry On Fail on the worker: the retry after a timeout resumes the same generation (one create) and stores its MP4', async () => {
		const execution = await run(IDS.retry);
		expectSuccess(execution);
		const requests = (await cluster.emulator.requests()) as TimedRequest[];
		// One accepted create, made by the first try; the retry sent none: every create precedes the first status poll.
		expect(createBodies(requests)).toHaveLength(1);
		const firstPoll = requests.find((request) => request.route === 'poll');
		expect(requests.filter((request) => request.route === 'create').every((request) => request.at < firstPoll!.at)).toBe(true);
		const [video] = outputOf(execution, 'Generate video');
		expect(video.json).toMatchObject({ status: 'COMPLETE' });
		expect(video.binary?.data).toMatchObject({ mimeType: 'video/mp4' });
		expect(cluster.workerLog()).toContain(`resuming generation ${video.json.generationId} created by an earlier try`);
	});

	test('the workflow timeout (settings.executionTimeout, 5 s) cancels the execution on the worker and the node stops', async () => {
		const executionId = await runManually(cluster.session, workflow(IDS.workflowTimeout));
		const execution = await waitForExecution(cluster.session, executionId, { timeoutMs: 60_000 });
		// n8n records a timed-out queued execution as canceled, without an error in its run data.
		expect(execution.status).toBe('canceled');
		const startedAt = Date.parse(execution.startedAt ?? '');
		const endedAt = Date.parse(execution.stoppedAt ?? '');
		expect(endedAt - startedAt).toBeGreaterThanOrEqual(5_000);
		expect(endedAt - startedAt).toBeLessThan(15_000);
		expect(await pollCount()).toBeGreaterThanOrEqual(2);
		await expectNoRequestsAfter(endedAt);
		expect(cluster.mainLog()).toMatch(/TimeoutExecutionCancelledError: The execution was cancelled because it timed out/);
		expect(cluster.workerLog()).toMatch(new RegExp(`Worker started execution ${executionId} \\(job \\d+\\)`));
	});
});

describe('no state between executions', () => {
	// Last: it replaces the worker.
	test('a generation submitted on one worker is fetched by a new worker process: only the item carries it', async () => {
		const submitted = await run(IDS.submit);
		expectSuccess(submitted);
		const [pending] = outputOf(submitted, 'Submit video');
		const [generationId] = generationIdsOf([pending]);
		expect(pending.json.status).toBe('PENDING');

		const first = await cluster.replaceWorker();
		expect(first.running).toBe(false);
		workflows.set(IDS.get, getVideo(generationId));
		await cluster.createWorkflow(workflow(IDS.get));
		const fetched = await run(IDS.get);
		expectSuccess(fetched);
		const [video] = outputOf(fetched, 'Get video');
		expect(video.json).toMatchObject({ status: 'COMPLETE', generationId });
		await expectMp4InDatabase(video);

		expect(first.log).toContain(`created generation ${generationId}`);
		expect(first.log).not.toMatch(new RegExp(`execution ${fetched.id} \\(job`));
		expect(cluster.workerLog()).toMatch(new RegExp(`Worker finished execution ${fetched.id} \\(job \\d+\\)`));
	});
});

describe('LTX Video Trigger', () => {
	test('the callback reaches main, which answers it; the execution runs on the worker and stores the MP4 in the database', async () => {
		const trigger = workflow(IDS.trigger).nodes.find((node) => node.type.endsWith('.ltxVideoTrigger'))!;
		const url = `${cluster.main.url}/webhook/${trigger.webhookId}/webhook`;
		// An empty POST is refused (400) once the trigger is registered on main.
		expect((await publish(IDS.trigger, async () => await fetch(url, { method: 'POST' }))).status).toBe(400);
		await cluster.emulator.configureWebhook({ url });
		try {
			const submitted = await run(IDS.triggerSubmit);
			expectSuccess(submitted);
			const generationId = outputOf(submitted, 'Submit video')[0].json.generationId as string;
			expect(generationId).toMatch(UUID);

			let executionId = '';
			await waitFor('the trigger execution', async () => {
				const list = await cluster.session.request<{ results: Array<{ id: string }> }>(
					'GET',
					`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: IDS.trigger }))}`,
				);
				executionId = list.results[0]?.id ?? '';
				return executionId !== '';
			}, 60_000);
			const execution = await waitForExecution(cluster.session, executionId);
			expectSuccess(execution);
			expect(execution.mode).toBe('webhook');
			const [item] = outputOf(execution, trigger.name);
			expect(item.json).toMatchObject({ generationId, status: 'COMPLETE', model: 'ltxv-2.3-fast', event: 'image_generation.complete' });
			// Downloaded by main while handling the call, stored in the database, read by the worker.
			const video = await expectMp4InDatabase(item);
			expectFileWritten(outputOf(execution, 'Save MP4 to disk')[0], video);
			expectRanOnWorker(execution, []);
			const deliveries = (await cluster.emulator.webhookDeliveries()).filter((delivery) => delivery.generationId === generationId);
			expect(deliveries.map((delivery) => delivery.status)).toEqual([200]);
		} finally {
			// Later generations of other tests must not call it.
			await cluster.emulator.configureWebhook({});
		}
	});
});

describe('Pause Execution', () => {
	const SECRET = 'queue-pause-callback-secret-3c9d';

	test('parks on a worker (no worker held while waiting), the callback reaches main, which resumes it; the rest runs on a worker', async () => {
		const triggerUrl = `${cluster.main.url}/webhook/${PAUSE_TRIGGER_WEBHOOK_ID}/webhook`;
		// The credential as the user completes it for this mode.
		const credentials = await cluster.session.request<Array<{ id: string; name: string; type: string }>>('GET', '/rest/credentials');
		const credential = credentials.find((entry) => entry.type === 'leonardoAiApi')!;
		await cluster.session.request('PATCH', `/rest/credentials/${credential.id}`, {
			name: credential.name,
			type: credential.type,
			data: { apiKey: cluster.emulator.apiKey, baseUrl: cluster.emulator.baseUrl, webhookCallbackApiKey: SECRET, triggerUrl },
		});
		try {
			expect((await publish(IDS.pauseTrigger, async () => await fetch(triggerUrl, { method: 'POST' }))).status).toBe(401);
			await cluster.emulator.configureWebhook({ url: triggerUrl, callbackApiKey: SECRET });
			const executionId = await runManually(cluster.session, workflow(IDS.paused));
			const parked = await waitForExecution(cluster.session, executionId, { statuses: ['waiting', 'success', 'error'] });
			expect({ status: parked.status, error: parked.data.resultData.error?.message }).toEqual({ status: 'waiting', error: undefined });
			// The worker ran the first part and let go of the execution.
			expect(cluster.workerLog()).toMatch(new RegExp(`Worker finished execution ${executionId} \\(job \\d+\\)`));

			const done = await waitForExecution(cluster.session, executionId, { timeoutMs: 120_000 });
			expectSuccess(done);
			const items = outputOf(done, 'Generate paused');
			expect(items.map((item) => item.json.status)).toEqual(['COMPLETE', 'COMPLETE']);
			for (const item of items) await expectMp4InDatabase(item);
			// Main relayed the callbacks (the trigger runs on main) and enqueued the resumed execution; a worker ran it.
			expect(cluster.mainLog()).toContain('relayed to its paused execution');
			expect(cluster.mainLog().match(new RegExp(`Enqueued execution ${executionId} \\(job`, 'g'))?.length).toBeGreaterThanOrEqual(2);
			expect(cluster.workerLog().match(new RegExp(`Worker finished execution ${executionId} \\(job`, 'g'))?.length).toBeGreaterThanOrEqual(2);
			const triggerRuns = await cluster.session.request<{ results: unknown[] }>('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: IDS.pauseTrigger }))}`);
			expect(triggerRuns.results).toEqual([]);
		} finally {
			await cluster.emulator.configureWebhook({});
			await cluster.session.request('PATCH', `/rest/credentials/${credential.id}`, {
				name: credential.name,
				type: credential.type,
				data: { apiKey: cluster.emulator.apiKey, baseUrl: cluster.emulator.baseUrl, webhookCallbackApiKey: '', triggerUrl: '' },
			});
		}
	});
});
