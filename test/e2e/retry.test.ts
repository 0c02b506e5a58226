/**
 * "Never pays twice" under n8n's own retries, in a real n8n 2.41.1 (`n8n start`, the installed package, the
 * emulator), driven through the REST API as the editor drives it:
 * - the executions list's Retry (`POST /rest/executions/:id/retry`) with the original workflow
 *   (`loadWorkflow: false`) and with the currently saved one (`loadWorkflow: true`), after the Timeout hit
 *   after the create, and after an ambiguous create (the emulator creates, then answers 500);
 * - Retry On Fail with a request that differs on every try (a random seed, `{{ $now }}` in the prompt).
 * Accepted creates are counted across both executions.
 */
import { createBodies, type E2eWorld, startedWorld } from './fixtures.ts';
import type { RestSession } from './n8n-instance.ts';
import { EXAMPLE_CREDENTIAL, NODE_TYPE } from './project.ts';
import { downloadBinary, type Execution, outputOf, runManually, waitForExecution } from '../queue/executions.ts';
import type { Workflow } from './examples.ts';

const LTX = 'LTX Video';

/** Manual Trigger → LTX Video (Generate, Fast, 6 s) with `parameters` and node `settings` (e.g. Retry On Fail). */
function workflow(id: string, parameters: Record<string, unknown>, settings: Record<string, unknown> = {}): Workflow {
	return {
		id,
		name: id,
		nodes: [
			{ id: `${id}-0`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: `${id}-1`,
				name: LTX,
				type: NODE_TYPE,
				typeVersion: 1,
				position: [240, 0],
				parameters: { resource: 'video', operation: 'generate', model: 'ltxv-2.3-fast', duration: 6, ...parameters },
				credentials: { leonardoAiApi: EXAMPLE_CREDENTIAL },
				...settings,
			},
		],
		connections: { Start: { main: [[{ node: LTX, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		active: false,
	} as Workflow;
}

/** The generation takes 5 s; the node gives up after 3. */
const TIMEOUT_AFTER_CREATE = { prompt: 'Retried after a timeout [emu:delay=5000]', options: { pollInterval: 1, timeout: 3 } };
const AMBIGUOUS_CREATE = { prompt: 'Retried after a 500 on the create', options: { pollInterval: 1 } };
const RETRY_KINDS = [
	['the original workflow', false],
	['the currently saved workflow', true],
] as const;

const WORKFLOWS = [
	...RETRY_KINDS.map(([, loadWorkflow]) => workflow(`ltxRetryTimeout${Number(loadWorkflow)}`, TIMEOUT_AFTER_CREATE)),
	...RETRY_KINDS.map(([, loadWorkflow]) => workflow(`ltxRetry500Create${Number(loadWorkflow)}`, AMBIGUOUS_CREATE)),
	workflow(
		'ltxRetryOnFailRandom',
		{
			prompt: '={{ "Retry On Fail at " + $now.toISO() + " [emu:delay=5000]" }}',
			options: { pollInterval: 1, timeout: 3, seed: '={{ Math.floor(Math.random() * 1e6) }}' },
		},
		{ retryOnFail: true, maxTries: 3, waitBetweenTries: 1000 },
	),
];

let world: E2eWorld;
let session: RestSession;

beforeAll(async () => {
	({ world, session } = await startedWorld(WORKFLOWS));
}, 300_000); // n8n boots on a loaded 2-core machine can take minutes.

afterAll(async () => await world?.dispose());

beforeEach(async () => {
	await world.emulator.reset();
	// The unkind default (one audio spelling accepted per emulator start); the 500 tests change it.
	await world.emulator.setOptions({ audioField: 'alternate' });
});

const byId = (id: string) => WORKFLOWS.find((candidate) => candidate.id === id)!;

/** Runs a workflow as "Execute workflow" does and waits for its end. */
async function runToEnd(id: string): Promise<Execution> {
	return await waitForExecution(session, await runManually(session, byId(id)));
}

/** The Retry button of the executions list; n8n answers once the new execution has ended. */
async function retry(failed: Execution, loadWorkflow: boolean): Promise<Execution> {
	const answer = await session.request<{ id: string; retryOf: string }>('POST', `/rest/executions/${failed.id}/retry`, { loadWorkflow });
	expect(answer.retryOf).toBe(failed.id);
	expect(answer.id).not.toBe(failed.id);
	const retried = await waitForExecution(session, answer.id);
	expect(retried.mode).toBe('retry');
	return retried;
}

/** What a user does before "Retry with currently saved workflow": raise the Timeout and edit the prompt. */
async function editSavedWorkflow(id: string): Promise<void> {
	const saved = await session.request<{ nodes: Array<{ name: string; parameters: Record<string, unknown> }> }>('GET', `/rest/workflows/${id}`);
	const ltx = saved.nodes.find((node) => node.name === LTX)!;
	ltx.parameters = { ...ltx.parameters, prompt: `${String(ltx.parameters.prompt)} (edited)`, options: { pollInterval: 1, timeout: 60 } };
	await session.request('PATCH', `/rest/workflows/${id}?forceSave=true`, { nodes: saved.nodes });
}

const errorOf = (execution: Execution) => execution.data.resultData.error;

describe.each(RETRY_KINDS)('the executions list’s Retry with %s', (_kind, loadWorkflow) => {
	test('after the Timeout hit after the create: the retry resumes that generation and outputs its MP4, one accepted create in all', async () => {
		const id = `ltxRetryTimeout${Number(loadWorkflow)}`;
		const failed = await runToEnd(id);
		expect(failed.status).toBe('error');
		expect(errorOf(failed)?.message).toMatch(/did not finish within 3 seconds/);
		if (loadWorkflow) await editSavedWorkflow(id);
		// The user presses Retry a moment later; by then the video is done.
		await new Promise((resolve) => setTimeout(resolve, 2500));

		const retried = await retry(failed, loadWorkflow);

		expect(retried.status).toBe('success');
		const requests = await world.emulator.requests();
		// The emulator may refuse one create per node run while the node learns its audio spelling.
		const accepted = createBodies(requests, 2);
		expect(accepted).toHaveLength(1);
		expect(accepted[0].parameters.prompt).toBe(TIMEOUT_AFTER_CREATE.prompt);
		const [video] = outputOf(retried, LTX);
		expect(video.json).toMatchObject({ status: 'COMPLETE', prompt: TIMEOUT_AFTER_CREATE.prompt });
		expect(video.json.notice).toMatch(new RegExp(`^Resumed generation ${String(video.json.generationId)}, created by an earlier try`));
		// An edited prompt is a changed request: the notice says its new values were not used.
		expect(String(video.json.notice).includes('the new values were NOT used')).toBe(loadWorkflow);
		expect(video.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${String(video.json.generationId)}.mp4` });
		// From n8n's binary store, or inline as base64 (n8n 1.x's default mode keeps binary data in memory).
		const { id: binaryId, data: inline } = video.binary!.data as { id?: string; data?: string };
		const mp4 = binaryId ? await downloadBinary(session, binaryId) : Buffer.from(inline ?? '', 'base64');
		expect(mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');
	});

	test('after a create answered 500 (it may have created): the retry does not send it again and says to look with Get Many', async () => {
		// Both audio spellings accepted, so the faulted create is the valid one: it creates, then answers 500.
		await world.emulator.setOptions({ audioField: 'both' });
		await world.emulator.injectFaults([{ route: 'create', kind: 'status', status: 500, afterHandler: true, times: 1 }]);
		const id = `ltxRetry500Create${Number(loadWorkflow)}`;
		const failed = await runToEnd(id);
		expect(failed.status).toBe('error');
		if (loadWorkflow) await editSavedWorkflow(id);

		const retried = await retry(failed, loadWorkflow);

		expect(retried.status).toBe('error');
		expect(errorOf(retried)?.message).toBe('An earlier try of this node sent the create request for this item and got no clear answer, so it was not sent again');
		expect(errorOf(retried)?.description).toMatch(/Look for it with "Get Many"/);
		// Across both executions: the one create, answered 500 after it created the generation.
		const creates = (await world.emulator.requests()).filter((request) => request.route === 'create');
		expect(creates.map((request) => request.status)).toEqual([500]);
	});
});

test('Retry On Fail with a random seed and {{ $now }} in the prompt: one accepted create over the tries, the MP4, and a notice that the new values were not used', async () => {
	const execution = await runToEnd('ltxRetryOnFailRandom');

	expect(execution.status).toBe('success');
	const accepted = createBodies(await world.emulator.requests(), 3);
	expect(accepted).toHaveLength(1);
	const [video] = outputOf(execution, LTX);
	// The seed and prompt of the generation made, not the ones the retry evaluated.
	expect(video.json).toMatchObject({ status: 'COMPLETE', prompt: accepted[0].parameters.prompt, seed: accepted[0].parameters.seed });
	expect(video.json.notice).toMatch(/^Resumed generation .* the new values were NOT used\. For a video of the current values, run the workflow anew/);
	expect(video.binary?.data).toMatchObject({ mimeType: 'video/mp4' });
});
