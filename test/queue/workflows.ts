/**
 * The workflows the queue-mode test imports: the examples (examples/*.json, adapted as for the E2E
 * test: a Manual Trigger; files in `.n8n-files` of the cluster's home, as imported), a batch of five, a production workflow with a
 * Webhook trigger, and small workflows for cancel and timeouts.
 */
import { adaptForCli, loadExamples, type Workflow, type WorkflowNode } from '../e2e/examples.ts';
import { EXAMPLE_CREDENTIAL, NODE_TYPE } from '../e2e/project.ts';

/** What a user would type into the form of example 01. */
export const FORM_SUBMISSION = { prompt: 'A lighthouse at dusk, waves breaking on the rocks', model: 'LTX 2.3 Pro', duration: '8' };

export const BATCH_PROMPTS = [
	'Time-lapse of clouds over a mountain lake',
	'A red kite dancing over a windy beach',
	'Steam rising from a bowl of ramen, close-up',
	'A tram crossing a snowy city square at night',
	'Fireflies over a meadow at dusk, slow pan',
];

export const IDS = {
	form: 'ltxQueueForm0001',
	batch: 'ltxQueueBatch005',
	webhook: 'ltxQueueHook0001',
	cancel: 'ltxQueueCancel01',
	submit: 'ltxQueueSubmit01',
	get: 'ltxQueueGet00001',
	nodeTimeout: 'ltxQueueTimeout1',
	workflowTimeout: 'ltxQueueTimeout2',
	triggerSubmit: 'ltxQueueTrigSub1',
	trigger: 'ltxQueueTrigger1',
	retry: 'ltxQueueRetry001',
	pauseTrigger: 'ltxQueuePauseTr1',
	paused: 'ltxQueuePaused01',
} as const;

/** The webhook ID of the pause test's LTX Video Trigger (its Production URL is the credential's Trigger URL). */
export const PAUSE_TRIGGER_WEBHOOK_ID = '5a1e0c4e-0000-4000-8000-0000000000bb';

export const WEBHOOK_PATH = 'ltx-queue-batch';
/** The form path of example 01. */
export const FORM_PATH = 'ltx-video';
export const NEVER_PROMPT = '[emu:never] A clock that never stops ticking';

/** The examples this test runs (the AI Agent example needs a chat model, which no test here has). */
export const QUEUE_EXAMPLES = ['ltxExampleForm01', 'ltxExampleBatch01', 'ltxExampleImage01', 'ltxExampleAsync01'];

export function examplesForQueue(): Workflow[] {
	const examples = loadExamples().filter(({ workflow }) => QUEUE_EXAMPLES.includes(workflow.id));
	if (examples.length !== QUEUE_EXAMPLES.length) throw new Error(`examples/ lacks one of ${QUEUE_EXAMPLES.join(', ')}`);
	return examples.map(({ workflow }) =>
		adaptForCli(workflow, { waitSeconds: 1, triggerOutput: workflow.id === 'ltxExampleForm01' ? FORM_SUBMISSION : {} }),
	);
}

/**
 * Example 01 as a user publishes it: the form trigger and the form page that hands the MP4 back to the
 * browser kept, with an ID of its own.
 */
export function formExample(): Workflow {
	const example = loadExamples().find(({ workflow }) => workflow.id === 'ltxExampleForm01');
	if (!example) throw new Error('examples/01-form-to-mp4.json is missing');
	return { ...example.workflow, id: IDS.form };
}

/** Example 02 (schedule → prompts → LTX Video → storage) with five prompts instead of three. */
export function batchOfFive(): Workflow {
	const example = loadExamples().find(({ workflow }) => workflow.id === 'ltxExampleBatch01');
	if (!example) throw new Error('examples/02-scheduled-batch.json is missing');
	const workflow = adaptForCli(example.workflow, {});
	const prompts = workflow.nodes.find((node) => node.name === "Today's prompts");
	if (!prompts) throw new Error(`example 02 has no "Today's prompts" node`);
	prompts.parameters = { ...prompts.parameters, jsonOutput: JSON.stringify({ prompts: BATCH_PROMPTS.map((prompt) => ({ prompt })) }) };
	return { ...workflow, id: IDS.batch, name: 'Queue mode: batch of five' };
}

const ltxNode = (name: string, parameters: Record<string, unknown>): WorkflowNode => ({
	id: '5a1e0c4e-0000-4000-8000-000000000010',
	name,
	type: NODE_TYPE,
	typeVersion: 1,
	position: [240, 0],
	parameters: { resource: 'video', operation: 'generate', model: 'ltxv-2.3-fast', duration: 6, ...parameters },
	credentials: { leonardoAiApi: { ...EXAMPLE_CREDENTIAL } },
});

const manualTrigger: WorkflowNode = {
	id: '5a1e0c4e-0000-4000-8000-000000000001',
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

function linear(id: string, name: string, nodes: WorkflowNode[], settings: Record<string, unknown> = {}): Workflow {
	const connections: Workflow['connections'] = {};
	nodes.slice(0, -1).forEach((node, index) => {
		connections[node.name] = { main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]] };
	});
	return { id, name, nodes, connections, active: false, settings: { executionOrder: 'v1', ...settings }, pinData: {}, tags: [] };
}

/**
 * Production: POST /webhook/ltx-queue-batch {"prompts": [...]} answers at once; main enqueues the
 * execution (mode "webhook"), a worker runs one generation per prompt.
 */
export function webhookBatch(): Workflow {
	return linear(IDS.webhook, 'Queue mode: webhook batch', [
		{
			id: '5a1e0c4e-0000-4000-8000-000000000002',
			name: 'Prompts in',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '5a1e0c4e-0000-4000-8000-0000000000aa',
			parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'onReceived', options: {} },
		},
		{
			id: '5a1e0c4e-0000-4000-8000-000000000003',
			name: 'One item per prompt',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [120, 0],
			parameters: { fieldToSplitOut: 'body.prompts', options: {} },
		},
		ltxNode('Generate videos', { prompt: '={{ $json.prompt }}', options: { maxConcurrency: 3, pollInterval: 1 } }),
	]);
}

/** Submit only ("Wait for Completion" off): returns the generation ID at once. */
export function submitOnly(): Workflow {
	return linear(IDS.submit, 'Queue mode: submit', [
		manualTrigger,
		ltxNode('Submit video', { prompt: '[emu:delay=1000] A snail crossing a garden path at dawn', waitForCompletion: false }),
	]);
}

/** Get for one generation ID, created once the ID is known. */
export function getVideo(generationId: string): Workflow {
	return linear(IDS.get, 'Queue mode: get', [
		manualTrigger,
		{ ...ltxNode('Get video', {}), parameters: { resource: 'video', operation: 'get', generationId, options: {} } },
	]);
}

/** A generation that never finishes, polled every second: for stopping it from the main process. */
export function neverEnding(): Workflow {
	return linear(IDS.cancel, 'Queue mode: cancel', [manualTrigger, ltxNode('Generate video', { prompt: NEVER_PROMPT, options: { pollInterval: 1 } })]);
}

/** The node's own Timeout (3 s) ends the wait on the worker with an error naming the generation. */
export function nodeTimeout(): Workflow {
	return linear(IDS.nodeTimeout, 'Queue mode: node timeout', [
		manualTrigger,
		ltxNode('Generate video', { prompt: NEVER_PROMPT, options: { pollInterval: 1, timeout: 3 } }),
	]);
}

/** Retry On Fail (2 tries, 1 s apart) with the node's Timeout (3 s) hit on the first try by a 5 s render. */
export function retryAfterTimeout(): Workflow {
	return linear(IDS.retry, 'Queue mode: retry on fail', [
		manualTrigger,
		// Node settings sit beside the parameters, as the editor saves them.
		Object.assign(ltxNode('Generate video', { prompt: '[emu:delay=5000] A kite over a windy beach', options: { pollInterval: 1, timeout: 3 } }), {
			retryOnFail: true,
			maxTries: 2,
			waitBetweenTries: 1000,
		}),
	]);
}

/** The workflow's Timeout Workflow setting (5 s): the worker cancels the execution, the node stops. */
export function workflowTimeout(): Workflow {
	return linear(
		IDS.workflowTimeout,
		'Queue mode: workflow timeout',
		[manualTrigger, ltxNode('Generate video', { prompt: NEVER_PROMPT, options: { pollInterval: 1 } })],
		{ executionTimeout: 5 },
	);
}

/**
 * Examples 05 (submit, no waiting) and 06 (LTX Video Trigger → save the MP4) with IDs of their own; the trigger's credential has no callback key (the e2e test covers it).
 */
export function triggerPair(): Workflow[] {
	const byId = { ltxExampleSubm01: IDS.triggerSubmit, ltxExampleTrig01: IDS.trigger } as Record<string, string>;
	const pair = loadExamples().filter(({ workflow }) => workflow.id in byId);
	if (pair.length !== 2) throw new Error('examples/ lacks 05-submit-for-trigger.json or 06-trigger-save-video.json');
	return pair.map(({ workflow }) => ({ ...workflow, id: byId[workflow.id] }));
}

/**
 * Generate with Pause Execution (two items) and the LTX Video Trigger that resumes it: the execution parks
 * on a worker, the callback reaches main, the resumed execution runs on a worker.
 */
export function pausePair(): Workflow[] {
	const node = (n: number, name: string, type: string, typeVersion: number, parameters: Record<string, unknown>, extra: Partial<WorkflowNode> = {}): WorkflowNode => ({
		id: `5a1e0c4e-0000-4000-8000-0000000000${10 + n}`,
		name,
		type,
		typeVersion,
		position: [n * 200, 0],
		parameters,
		...extra,
	});
	const credentials = { leonardoAiApi: { id: EXAMPLE_CREDENTIAL.id, name: EXAMPLE_CREDENTIAL.name } };
	const prompts = [{ prompt: '[emu:delay=6000] A paused fox' }, { prompt: '[emu:delay=8000] A paused owl' }];
	return [
		linear(IDS.pauseTrigger, 'Queue mode: pause trigger', [
			node(0, 'When a video is ready', 'n8n-nodes-leonardo-ltx.ltxVideoTrigger', 1, { options: { download: false, pollInterval: 1 } }, { webhookId: PAUSE_TRIGGER_WEBHOOK_ID, credentials }),
			node(1, 'Done', 'n8n-nodes-base.noOp', 1, {}),
		]),
		linear(IDS.paused, 'Queue mode: paused', [
			manualTrigger,
			node(2, 'Prompts', 'n8n-nodes-base.set', 3.4, { mode: 'raw', jsonOutput: JSON.stringify({ prompts }), options: {} }),
			node(3, 'One item per prompt', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'prompts', options: {} }),
			ltxNode('Generate paused', { prompt: '={{ $json.prompt }}', options: { pauseExecution: true, timeout: 600 } }),
		]),
	];
}
