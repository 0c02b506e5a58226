/**
 * The example workflows (examples/*.json), and how the E2E tests adapt them to run headless with
 * `n8n execute`, which starts only from a Manual Trigger.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { EXAMPLES_DIR } from './project.ts';

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
	/** Settings → On Error; absent: stop the workflow. */
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
}

export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }>;
	[key: string]: unknown;
}

export interface Example {
	file: string;
	workflow: Workflow;
}

/** Triggers `n8n execute` cannot start from: they wait for a form submission or a point in time. */
const EVENT_TRIGGERS = ['n8n-nodes-base.formTrigger', 'n8n-nodes-base.scheduleTrigger'];
/** Form pages answer the browser that submitted the form; there is none in a headless run. */
const FORM_PAGE = 'n8n-nodes-base.form';
const CLI_TRIGGER_NAME = 'Manual Trigger (headless run)';

export function loadExamples(): Example[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({ file, workflow: JSON.parse(readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as Workflow }));
}

export interface CliAdaptation {
	/** What the event trigger would have output (e.g. the form fields); `{}` when absent. */
	triggerOutput?: Record<string, unknown>;
	/** Shortens every Wait node to this many seconds. */
	waitSeconds?: number;
}

/**
 * A copy of `workflow` that `n8n execute` can run: a Manual Trigger starts it, the event trigger becomes
 * a Set node of the same name that outputs `triggerOutput` (so connections and `$('<trigger>')`
 * references still hold), form pages become No-Ops. Everything else, the file paths included, runs as in
 * the example.
 */
export function adaptForCli(workflow: Workflow, adaptation: CliAdaptation): Workflow {
	const adapted = JSON.parse(JSON.stringify(workflow)) as Workflow;
	const trigger = adapted.nodes.find((node) => EVENT_TRIGGERS.includes(node.type));
	if (trigger) {
		adapted.nodes.push({
			id: `${trigger.id.slice(0, -4)}cli0`,
			name: CLI_TRIGGER_NAME,
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [trigger.position[0] - 220, trigger.position[1]],
			parameters: {},
		});
		adapted.connections[CLI_TRIGGER_NAME] = { main: [[{ node: trigger.name, type: 'main', index: 0 }]] };
		Object.assign(trigger, {
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: { mode: 'raw', jsonOutput: JSON.stringify(adaptation.triggerOutput ?? {}), options: {} },
			webhookId: undefined,
		});
	}
	for (const node of adapted.nodes) {
		if (node.type === FORM_PAGE) Object.assign(node, { type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {}, webhookId: undefined });
		if (node.type === 'n8n-nodes-base.wait' && adaptation.waitSeconds !== undefined) {
			node.parameters = { ...node.parameters, amount: adaptation.waitSeconds, unit: 'seconds' };
		}
	}
	return adapted;
}
