/**
 * Secrets in error text, in a real n8n with the package installed as n8n installs it. Every endpoint the
 * node calls answers once with the emulator's 'echo-secrets' fault: an error whose message repeats the
 * request's Authorization header ("Bearer <key>"), its headers as JSON and the key's settings (the API key
 * and the Webhook Callback API Key, which the credential also holds); the create's message is 1 MB.
 * One workflow meets them all: each LTX Video node sends its failed item on (On Error: Continue using
 * error output) to the next, and the last one stops the workflow. Neither secret may appear in the node error, its description, an
 * error-output item, what `n8n execute` prints, or the execution n8n saved in its database; the 1 MB
 * message ends up capped.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import type { FaultSpec, RouteName } from '../emulator/types.ts';
import { createWorld, type E2eWorld, nodeOnRow } from './fixtures.ts';
import type { ExecutionResult, OutputItem } from './n8n-instance.ts';
import { CREDENTIAL_TYPE, EXAMPLE_CREDENTIAL, NODE_TYPE } from './project.ts';

const WORKFLOW_ID = 'ltxSecretsEcho01';
const CALLBACK_SECRET = 'callback-secret-e2e-7d41';
const GENERATION_ID = '5f0e9a5c-2b7d-4c1a-9e3f-6a8b7c6d5e4f';
/** quoteSafely's cap (nodes/shared/errors.ts) plus the node's own words around the quote. */
const MAX_MESSAGE_LENGTH = 800;

const node = nodeOnRow(WORKFLOW_ID);
const credentials = { [CREDENTIAL_TYPE]: { id: EXAMPLE_CREDENTIAL.id, name: EXAMPLE_CREDENTIAL.name } };
// Max Concurrent Generations 1: Auto would read GET /v1/me first and meet the fault meant for Get Many.
const generate = { resource: 'video', operation: 'generate', model: 'ltxv-2.3-fast', duration: 6, prompt: 'A kite over a beach', options: { pollInterval: 1, maxConcurrency: 1 } };

/** Each node, the endpoint whose echo it meets, and its parameters; in the order the workflow runs them. */
function steps(imageUrl: string): Array<{ name: string; route: RouteName; parameters: object }> {
	// The image host is on this machine: Allow Private Links, as a user with a local image server sets it.
	const withFrame = { ...generate, startFrame: 'url', startFrameUrl: imageUrl, options: { ...generate.options, allowPrivateLinks: true } };
	return [
		{ name: 'Create', route: 'create', parameters: generate },
		{ name: 'Get', route: 'poll', parameters: { resource: 'video', operation: 'get', generationId: GENERATION_ID, options: {} } },
		{ name: 'Init image', route: 'initImage', parameters: withFrame },
		{ name: 'S3 upload', route: 's3Upload', parameters: withFrame },
		{ name: 'Delete', route: 'delete', parameters: { resource: 'video', operation: 'delete', generationId: GENERATION_ID } },
		{ name: 'Account', route: 'me', parameters: { resource: 'video', operation: 'getAll' } },
		{ name: 'Get Many', route: 'listByUser', parameters: { resource: 'video', operation: 'getAll' } },
	];
}

function workflowOf(chain: ReturnType<typeof steps>) {
	const last = chain.length - 1;
	return {
		id: WORKFLOW_ID,
		name: 'LTX Video errors that echo the key',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, 0, {}),
			// All but the last continue on their error output; the last one stops the workflow with its error.
			...chain.map((step, index) =>
				node(step.name, NODE_TYPE, 1, 200 * (index + 1), step.parameters, { credentials, ...(index < last ? { onError: 'continueErrorOutput' } : {}) }),
			),
		],
		connections: Object.fromEntries([
			['Start', { main: [[{ node: chain[0].name, type: 'main', index: 0 }]] }],
			// Both outputs lead on: n8n 1.x puts these error items (json `error` and `details`) on the main output.
			...chain.slice(0, last).map((step, index) => {
				const next = [{ node: chain[index + 1].name, type: 'main', index: 0 }];
				return [step.name, { main: [next, next] }];
			}),
		]),
	};
}

let world: E2eWorld;
let chain: ReturnType<typeof steps>;

beforeAll(async () => {
	world = await createWorld({ webhookCallbackApiKey: CALLBACK_SECRET });
	chain = steps(`${world.emulator.imagesUrl}/images/frame.png`);
	await world.n8n.importWorkflows([workflowOf(chain)]);
	// Leonardo knows the key's Webhook Callback API Key: the echo repeats it.
	await world.emulator.configureWebhook({ callbackApiKey: CALLBACK_SECRET });
}, 300_000); // n8n boots on a loaded 2-core machine can take minutes.

afterAll(async () => await world?.dispose());

/** What n8n saved of every execution: each row of its execution tables, as text. */
function savedExecutions(userFolder: string): string {
	const database = new DatabaseSync(path.join(userFolder, '.n8n', 'database.sqlite'), { readOnly: true });
	try {
		const tables = ['execution_entity', 'execution_data', 'execution_metadata'];
		return tables.map((table) => JSON.stringify(database.prepare(`SELECT * FROM ${table}`).all())).join('\n');
	} finally {
		database.close();
	}
}

/** The database file itself (and its write-ahead log), as bytes read as text: nothing may sit anywhere in it. */
function databaseBytes(userFolder: string): string {
	const file = path.join(userFolder, '.n8n', 'database.sqlite');
	return ['', '-wal']
		.map((suffix) => {
			try {
				return readFileSync(`${file}${suffix}`).toString('latin1');
			} catch {
				return '';
			}
		})
		.join('\n');
}

/** The failed item a node sent on: on its error output (2.x), or on its main output (1.x). */
function errorItemOf(result: ExecutionResult, nodeName: string): OutputItem {
	const outputs = result.run?.data.resultData.runData[nodeName]?.at(-1)?.data?.main ?? [];
	const item = outputs[1]?.[0] ?? outputs[0]?.[0];
	if (!item?.json.error) throw new Error(`node "${nodeName}" sent no error item on`);
	return item;
}

test('errors echoing the API key and the Webhook Callback API Key from every endpoint: quoted with ***, capped, saved without them', async () => {
	const faults: FaultSpec[] = chain.map(({ route }) => ({ route, kind: 'echo-secrets', ...(route === 'create' ? { messageLength: 1_000_000 } : {}) }));
	await world.emulator.injectFaults(faults);
	const result = await world.n8n.execute(WORKFLOW_ID);

	// Each endpoint answered its echo (401) once: each node met it.
	const requests = await world.emulator.requests();
	const echoes = (route: RouteName) => requests.filter((request) => request.route === route && request.status === 401).length;
	expect(chain.map(({ route }) => [route, echoes(route)])).toEqual(chain.map(({ route }) => [route, 1]));

	const quotes: string[] = [];
	for (const step of chain.slice(0, -1)) {
		const { json } = errorItemOf(result, step.name);
		const details = json.details as { description?: string } | undefined;
		quotes.push(String(json.error), details?.description ?? '');
	}
	const failure = result.run?.data.resultData.error;
	expect(failure?.message).toBeDefined();
	quotes.push(failure?.message ?? '', failure?.description ?? '');
	for (const [index, step] of chain.entries()) {
		const message = quotes[index * 2];
		// Quoted (the gateway's words are there, the secrets replaced) and capped.
		expect([step.name, message]).toEqual([step.name, expect.stringMatching(/The gateway refused .*\*\*\*/)]);
		expect(message.length).toBeLessThan(MAX_MESSAGE_LENGTH);
	}

	const saved = savedExecutions(world.n8n.userFolder);
	expect(saved).toContain('The gateway refused');
	// The 1 MB message was not saved whole, not even once.
	expect(saved.length).toBeLessThan(500_000);
	const everything = [...quotes, result.stdout, result.stderr, saved, databaseBytes(world.n8n.userFolder)].join('\n');
	for (const secret of [world.emulator.apiKey, CALLBACK_SECRET]) expect(everything).not.toContain(secret);
});
