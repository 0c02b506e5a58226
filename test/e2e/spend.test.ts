/**
 * Spend guards (issue 22) in a real n8n 2.41.1 with the installed package and the emulator's prices and
 * balance: Max Spend per Run over a 10-row batch (concurrency 4 and Auto), a create without cost, Retry On
 * Fail with a limit, and Keep Account Balance Above reached mid-batch and across 5 executions started at once by a webhook.
 */
import { type E2eWorld, itemsIntoLtxWorkflow, nodeOnRow, startedWorld } from './fixtures.ts';
import type { RestSession } from './n8n-instance.ts';
import { CREDENTIAL_TYPE, EXAMPLE_CREDENTIAL, NODE_TYPE } from './project.ts';
import { type Execution, outputOf, runManually, waitForExecution } from '../queue/executions.ts';
import type { Workflow } from './examples.ts';

const LTX = 'LTX Video';
const HOOK_PATH = 'ltx-spend-form';
const rows = (count: number) => Array.from({ length: count }, (_, n) => ({ prompt: `clip ${n}` }));

/** Rows → LTX Video (Fast, 6 s: $0.24 in the emulator) with `options`, errors as items unless `settings` say otherwise. */
function batch(id: string, count: number, options: Record<string, unknown>, settings: Record<string, unknown> = { onError: 'continueRegularOutput' }): Workflow {
	const workflow = itemsIntoLtxWorkflow({ id, name: id, items: rows(count), ltxParameters: { prompt: '={{ $json.prompt }}', options: { pollInterval: 1, ...options } } });
	Object.assign(workflow.nodes.find((node) => node.name === LTX)!, settings);
	return workflow as unknown as Workflow;
}

/** A public form's shape: POST /webhook/ltx-spend-form {"prompts": [...]} → one item per prompt → LTX Video with a balance floor. */
function formWorkflow(): Workflow {
	const id = 'ltxSpendForm';
	const node = nodeOnRow(id);
	return {
		id,
		name: id,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node('Form', 'n8n-nodes-base.webhook', 2, 0, { httpMethod: 'POST', path: HOOK_PATH, responseMode: 'onReceived', options: {} }, { webhookId: '5a1e0c4e-0000-4000-8000-000000005e4d' }),
			node('One item per prompt', 'n8n-nodes-base.splitOut', 1, 200, { fieldToSplitOut: 'body.prompts', options: {} }),
			node(
				LTX,
				NODE_TYPE,
				1,
				400,
				{ resource: 'video', operation: 'generate', model: 'ltxv-2.3-pro', duration: 8, prompt: '={{ $json.prompt }}', options: { pollInterval: 1, maxConcurrency: 2, keepBalanceAbove: 2280 } },
				{ credentials: { [CREDENTIAL_TYPE]: { id: EXAMPLE_CREDENTIAL.id, name: EXAMPLE_CREDENTIAL.name } }, onError: 'continueRegularOutput' },
			),
		],
		connections: {
			Form: { main: [[{ node: 'One item per prompt', type: 'main', index: 0 }]] },
			'One item per prompt': { main: [[{ node: LTX, type: 'main', index: 0 }]] },
		},
	} as unknown as Workflow;
}

const WORKFLOWS = [
	batch('ltxSpendLimit4', 10, { maxConcurrency: 4, maxSpendPerRun: 1.5 }),
	batch('ltxSpendLimitAuto', 10, { maxConcurrency: 0, maxSpendPerRun: 1.5 }),
	batch('ltxSpendNoCost', 3, { maxConcurrency: 4, maxSpendPerRun: 10 }),
	batch('ltxSpendRetryOnFail', 5, { maxConcurrency: 1, maxSpendPerRun: 0.75 }, { retryOnFail: true, maxTries: 3, waitBetweenTries: 500 }),
	batch('ltxSpendFloorMidBatch', 8, { maxConcurrency: 4, keepBalanceAbove: 1800 }),
	formWorkflow(),
];

let world: E2eWorld;
let session: RestSession;

beforeAll(async () => {
	({ world, session } = await startedWorld(WORKFLOWS));
}, 300_000);

afterAll(async () => await world?.dispose());

beforeEach(async () => {
	await world.emulator.reset();
	// Both audio spellings: every create the node sends is one the emulator accepts (and bills).
	await world.emulator.setOptions({ audioField: 'both', costUnit: 'DOLLARS', reportCost: true, accountBalance: null });
});

const byId = (id: string) => WORKFLOWS.find((workflow) => workflow.id === id)!;
const runToEnd = async (id: string): Promise<Execution> => await waitForExecution(session, await runManually(session, byId(id)));
const creates = async () => (await world.emulator.requests()).filter((request) => request.route === 'create');
const errorsOf = (execution: Execution) => outputOf(execution, LTX).filter((item) => item.json.error !== undefined);
const paidTokens = async () => {
	const me = await fetch(`${world.emulator.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${world.emulator.apiKey}` } });
	return ((await me.json()) as { user_details: Array<{ apiPaidTokens: number }> }).user_details[0].apiPaidTokens;
};
const videosOf = (execution: Execution) => outputOf(execution, LTX).filter((item) => item.json.error === undefined);

test.each([
	['concurrency 4', 'ltxSpendLimit4'],
	['Auto concurrency', 'ltxSpendLimitAuto'],
])('10 rows, a limit that allows 6, %s: exactly 6 creates, 4 clear error items, spentThisRun on each video', async (_name, id) => {
	const execution = await runToEnd(id);

	expect(execution.status).toBe('success');
	expect(await creates()).toHaveLength(6);
	expect(videosOf(execution)).toHaveLength(6);
	expect(errorsOf(execution).map((item) => item.json.error)).toEqual(
		Array.from({ length: 4 }, () => expect.stringMatching(/^Spend limit of 1\.5 DOLLARS reached: 1\.44 DOLLARS spent in this run, this video would cost about 0\.24 DOLLARS/)),
	);
	const totals = videosOf(execution).map((item) => item.json.spentThisRun as number);
	expect(Math.max(...totals)).toBeCloseTo(1.44, 6);
	for (const item of videosOf(execution)) expect(item.json.cost).toEqual({ amount: '0.24', unit: 'DOLLARS' });
});

test('a create that reports no cost: one video with a notice, the others refused while a limit is on', async () => {
	await world.emulator.setOptions({ reportCost: false });
	const execution = await runToEnd('ltxSpendNoCost');

	expect(await creates()).toHaveLength(1);
	expect(videosOf(execution)[0].json.notice).toMatch(/Leonardo reported no cost for this video and none is known from this run/);
	expect(errorsOf(execution).map((item) => item.json.error)).toEqual([
		expect.stringMatching(/^The spend limits cannot be checked: Leonardo reported no cost for generation /),
		expect.stringMatching(/^The spend limits cannot be checked/),
	]);
});

test('Retry On Fail with a limit: the resumed generation counts once and is not created again', async () => {
	// Try 1: row 0's download fails on every attempt. Try 2: row 0 resumed ($0.24 from the record), rows 1
	// and 2 created ($0.72), row 3 refused; try 3 resumes all three and refuses row 3 again at $0.72.
	await world.emulator.injectFaults([{ route: 'download', status: 503, times: 4 }]);
	const execution = await runToEnd('ltxSpendRetryOnFail');

	expect(execution.status).toBe('error');
	expect(await creates()).toHaveLength(3);
	expect(execution.data.resultData.error?.message).toMatch(/^Spend limit of 0\.75 DOLLARS reached: 0\.72 DOLLARS spent in this run, this video would cost about 0\.24 DOLLARS \[item 3\]/);
}, 180_000);

test('Keep Account Balance Above, reached in the middle of a batch: 5 of 8 videos, then clear errors and no more creates', async () => {
	// 3000 credits, floor 1800, Fast 6 s = 240 credits: room for exactly 5 videos.
	await world.emulator.setOptions({ costUnit: 'CREDITS', accountBalance: { subscription: 0, paid: 3000 } });
	const execution = await runToEnd('ltxSpendFloorMidBatch');

	expect(execution.status).toBe('success');
	expect((await creates()).filter((request) => request.status === 200)).toHaveLength(5);
	expect(videosOf(execution)).toHaveLength(5);
	expect(errorsOf(execution).map((item) => item.json.error)).toEqual(Array.from({ length: 3 }, () => expect.stringMatching(/^Account balance floor of 1800 (CREDITS )?reached/)));
	expect(await paidTokens()).toBe(1800);
});

interface ExecutionSummary {
	id: string;
	status: string;
}

async function formExecutions(): Promise<ExecutionSummary[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId: 'ltxSpendForm' }));
	return (await session.request<{ results: ExecutionSummary[] }>('GET', `/rest/executions?filter=${filter}`)).results;
}

async function submitForm(prompts: string[]): Promise<void> {
	const answer = await fetch(`${world.n8n.url}/webhook/${HOOK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompts: prompts.map((prompt) => ({ prompt })) }) });
	expect(answer.status).toBe(200);
}

async function waitForFormExecutions(count: number): Promise<Execution[]> {
	const deadline = Date.now() + 120_000;
	for (;;) {
		const list = await formExecutions();
		if (list.length >= count && list.every((execution) => !['new', 'running'].includes(execution.status))) {
			return await Promise.all(list.map(async (execution) => await waitForExecution(session, execution.id)));
		}
		if (Date.now() > deadline) throw new Error(`form executions: ${JSON.stringify(list)}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}


test('Keep Account Balance Above, 5 form submissions at once (2 videos each): at most one video per execution, then the floor holds', async () => {
	// 3000 credits, floor 2280, Pro 8 s = 480 credits: each execution reads room for 1.5 videos, so it makes
	// at most its first (documented: executions at once go below the floor by at most one video each here).
	await world.emulator.setOptions({ costUnit: 'CREDITS', accountBalance: { subscription: 0, paid: 3000 } });
	const stored = await session.request<{ versionId: string }>('GET', '/rest/workflows/ltxSpendForm');
	await session.request('POST', '/rest/workflows/ltxSpendForm/activate', { versionId: stored.versionId });
	// Published once its webhook stops answering 404; the submission without prompts creates nothing.
	const deadline = Date.now() + 60_000;
	while ((await fetch(`${world.n8n.url}/webhook/${HOOK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompts":[]}' })).status === 404) {
		if (Date.now() > deadline) throw new Error('the form workflow was not published');
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	const warmUp = new Set((await waitForFormExecutions(1)).map((execution) => execution.id));

	await Promise.all(Array.from({ length: 5 }, async (_, n) => await submitForm([`form ${n} a`, `form ${n} b`])));
	const executions = (await waitForFormExecutions(warmUp.size + 5)).filter((execution) => !warmUp.has(execution.id));
	expect(executions).toHaveLength(5);

	const made = (await creates()).filter((request) => request.status === 200).length;
	expect(made).toBeGreaterThanOrEqual(1);
	expect(made).toBeLessThanOrEqual(5);
	for (const execution of executions) expect(videosOf(execution).length).toBeLessThanOrEqual(1);
	expect(await paidTokens()).toBe(3000 - made * 480);

	// Below the floor now: the next submission creates nothing.
	await submitForm(['one more']);
	const [latest] = (await waitForFormExecutions(warmUp.size + 6)).sort((a, b) => Number(b.id) - Number(a.id));
	expect(errorsOf(latest)[0].json.error).toMatch(/^Account balance floor of 2280 CREDITS reached|^Account balance floor of 2280 reached/);
	expect((await creates()).filter((request) => request.status === 200)).toHaveLength(made);
}, 240_000);
