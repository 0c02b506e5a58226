/**
 * The two n8n internals that Pause Execution relies on, and nothing else. Checked on n8n 2.41.1
 * (n8n-core WorkflowExecute, n8n WaitingWebhooks/WebhookHelpers); test/engine/pause.test.ts fails
 * loudly if a future n8n changes them, and `parkingUnsupported` refuses the option at run time on an n8n
 * whose objects do not have the shape used here.
 *
 * 1. The parked node's input. `execute()` runs with the stack entry that n8n puts back on the execution
 *    stack when the node parks (`getExecuteData()`, the same object): replacing `data.main` there is what
 *    n8n stores with the waiting execution and what `$input` shows to `webhook()` on resume. The parked
 *    input holds one item per input item: its generation (or its error), never a frame or secret.
 * 2. `metadata.resumeError` on that entry. When the wait time passes without a call, n8n resumes the
 *    node by passing its input through, unless `resumeError` is set: then the node fails with it
 *    (or outputs it, with On Error → Continue). A call of the resume URL runs `webhook()` with the same
 *    entry (reachable there only through the context's run data): it must clear the error to let the
 *    items through, or replace it to fail the node.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

interface StackEntry {
	node: { name: string };
	data: { main: Array<INodeExecutionData[] | null> };
	metadata?: IDataObject & { resumeError?: { message: string } };
}

interface RunDataHolder {
	runExecutionData?: { executionData?: { nodeExecutionStack?: unknown } } | null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function isStackEntry(value: unknown, nodeName: string): value is StackEntry {
	if (!isObject(value) || !isObject(value.node) || value.node.name !== nodeName) return false;
	return isObject(value.data) && Array.isArray(value.data.main);
}

/** The execution stack of a node context (ExecuteContext and WebhookContext share the field). */
function executionStack(ctx: IExecuteFunctions | IWebhookFunctions): unknown[] | undefined {
	const stack = (ctx as unknown as RunDataHolder).runExecutionData?.executionData?.nodeExecutionStack;
	return Array.isArray(stack) ? stack : undefined;
}

/**
 * Why this n8n cannot park an execution the way Pause Execution needs, or undefined when it can. Run
 * in `execute()` before any create.
 */
export function parkingUnsupported(ctx: IExecuteFunctions): string | undefined {
	const nodeName = ctx.getNode().name;
	let entry: unknown;
	try {
		entry = ctx.getExecuteData();
	} catch {
		entry = undefined;
	}
	if (!isStackEntry(entry, nodeName)) return 'the node cannot reach its own execution data (getExecuteData)';
	if (entry.data.main[0]?.length !== ctx.getInputData().length) return 'the execution data does not hold the node\'s input items';
	if (!executionStack(ctx)) return 'the execution stack is not where n8n 2.41 keeps it';
	return undefined;
}

/**
 * Parks-to-be: the items `webhook()` will read as its input, and the error n8n raises should the wait end
 * without a call (a plain object: n8n stores it as JSON and wraps it in an Error when it throws it).
 */
export function prepareParkedNode(ctx: IExecuteFunctions, parkedItems: INodeExecutionData[], timeoutMessage: string): void {
	const entry = ctx.getExecuteData() as unknown as StackEntry;
	entry.data.main = [parkedItems];
	entry.metadata = { ...(entry.metadata ?? {}), resumeError: { message: timeoutMessage } };
}

/** The parked node's stack entry during `webhook()`, or undefined when n8n does not offer it. */
function resumingEntry(ctx: IWebhookFunctions): StackEntry | undefined {
	const entry = executionStack(ctx)?.[0];
	return isStackEntry(entry, ctx.getNode().name) ? entry : undefined;
}

/** Whether `webhook()` runs for a parked execution whose entry it can settle (see resumeWith). */
export function canSettleResume(ctx: IWebhookFunctions): boolean {
	return resumingEntry(ctx) !== undefined;
}

/**
 * How the resumed node ends: with the items `webhook()` returns (`failure` undefined: the timeout error is
 * cleared), or failing with `failure` (the items are then ignored by n8n).
 */
export function settleResume(ctx: IWebhookFunctions, failure?: string): void {
	const entry = resumingEntry(ctx);
	if (!entry) return;
	const metadata: IDataObject = { ...(entry.metadata ?? {}) };
	delete metadata.resumeError;
	if (failure !== undefined) metadata.resumeError = { message: failure };
	entry.metadata = metadata;
}
