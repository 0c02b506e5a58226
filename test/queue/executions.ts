/**
 * Executions through the main process's REST API, as the editor drives them: start a manual run,
 * poll its status, read its run data, fetch binary data, stop it.
 */
import { N8N_VERSION, type OutputItem, type RestSession } from '../e2e/n8n-instance.ts';
import type { Workflow } from '../e2e/examples.ts';

export type ExecutionStatus = 'new' | 'running' | 'waiting' | 'success' | 'error' | 'canceled' | 'crashed' | 'unknown';
const FINAL_STATUSES: ExecutionStatus[] = ['success', 'error', 'canceled', 'crashed'];

interface TaskData {
	executionStatus?: string;
	error?: { message: string; description?: string };
	data?: { main: Array<OutputItem[] | null> };
}

export interface RunData {
	resultData: {
		runData: Record<string, TaskData[]>;
		error?: { message: string; description?: string; name?: string };
		lastNodeExecuted?: string;
	};
}

export interface Execution {
	id: string;
	mode: string;
	status: ExecutionStatus;
	finished: boolean;
	startedAt?: string | null;
	stoppedAt?: string | null;
	/** Parsed from the flatted string the REST API returns. */
	data: RunData;
}

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
}

/** The executions list of one workflow (newest first), as the editor's executions tab reads it. */
export async function executionsOf(session: RestSession, workflowId: string): Promise<ExecutionSummary[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	return (await session.request<{ results: ExecutionSummary[] }>('GET', `/rest/executions?filter=${filter}`)).results;
}

/** "Execute workflow" from the workflow's Manual Trigger; returns the execution ID. */
export async function runManually(session: RestSession, workflow: Workflow): Promise<string> {
	const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.manualTrigger');
	if (!trigger) throw new Error(`workflow ${workflow.id} has no Manual Trigger`);
	const result = await session.request<{ executionId?: string; waitingForWebhook?: boolean }>('POST', `/rest/workflows/${workflow.id}/run`, {
		triggerToStartFrom: { name: trigger.name },
		// n8n 1.x's editor sends the workflow itself along (2.x reads the saved one).
		...(N8N_VERSION.startsWith('1.') ? { workflowData: workflow } : {}),
	});
	if (!result?.executionId) throw new Error(`n8n did not start workflow ${workflow.id}: ${JSON.stringify(result)}`);
	return result.executionId;
}

export async function getExecution(session: RestSession, id: string): Promise<Execution> {
	const raw = await session.request<Omit<Execution, 'data'> & { data: string }>('GET', `/rest/executions/${id}`);
	return { ...raw, data: parseFlatted(raw.data) as RunData };
}

/** Polls until the execution reaches one of `statuses` (default: any final status). */
export async function waitForExecution(
	session: RestSession,
	id: string,
	options: { timeoutMs?: number; statuses?: ExecutionStatus[] } = {},
): Promise<Execution> {
	const statuses = options.statuses ?? FINAL_STATUSES;
	const deadline = Date.now() + (options.timeoutMs ?? 120_000);
	let last: Execution | undefined;
	while (Date.now() < deadline) {
		try {
			last = await getExecution(session, id);
			if (statuses.includes(last.status)) return last;
		} catch (error) {
			// Right after the run starts the execution may not be readable yet.
			if (!/HTTP 404/.test((error as Error).message)) throw error;
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`execution ${id} did not reach ${statuses.join('/')} in time (last status: ${last?.status ?? 'unknown'})`);
}

/** Items a node output on its main output in its last (or given) run. */
export function outputOf(execution: Execution, nodeName: string, run = -1): OutputItem[] {
	const runs = execution.data.resultData.runData[nodeName];
	if (!runs?.length) throw new Error(`node "${nodeName}" did not run in execution ${execution.id}`);
	return runs.at(run)?.data?.main[0] ?? [];
}

/** The bytes of a binary data ID (`database:<uuid>` in queue mode), via GET /rest/binary-data. */
export async function downloadBinary(session: RestSession, binaryId: string): Promise<Buffer> {
	const query = new URLSearchParams({ id: binaryId, action: 'download' });
	const response = await fetch(`${session.baseUrl}/rest/binary-data?${query}`, {
		headers: { cookie: `n8n-auth=${session.authCookie}`, 'browser-id': 'ltx-e2e' },
	});
	if (!response.ok) throw new Error(`GET /rest/binary-data?id=${binaryId}: HTTP ${response.status} ${await response.text()}`);
	return Buffer.from(await response.arrayBuffer());
}

/**
 * n8n stores and serves run data in the `flatted` format (circular-safe JSON): an array whose first
 * entry is the root, where every object, array and string inside an entry is replaced by the
 * index (as a string) of the entry that holds it.
 */
export function parseFlatted(text: string): unknown {
	const table = JSON.parse(text) as unknown[];
	const resolved = new Map<number, unknown>();
	const resolve = (index: number): unknown => {
		if (resolved.has(index)) return resolved.get(index);
		const entry = table[index];
		if (typeof entry !== 'object' || entry === null) return entry;
		const copy: Record<string, unknown> | unknown[] = Array.isArray(entry) ? [] : {};
		resolved.set(index, copy);
		for (const [key, value] of Object.entries(entry)) {
			(copy as Record<string, unknown>)[key] = typeof value === 'string' ? resolve(Number(value)) : value;
		}
		return copy;
	};
	return resolve(0);
}
