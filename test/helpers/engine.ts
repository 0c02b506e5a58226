/**
 * Runs the LTX Video node inside n8n's real execution engine (n8n-core WorkflowExecute), with real
 * request helpers (axios through @n8n/backend-network), a real filesystem binary-data store and the
 * credential applied the way n8n applies a generic credential. Nothing about the node is mocked.
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BinaryDataService, ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	Workflow as WorkflowType,
} from 'n8n-workflow';
import { createRunExecutionData, ICredentialsHelper, Workflow } from 'n8n-workflow';

import { LeonardoAiApi } from '../../credentials/LeonardoAiApi.credentials';
import { LtxVideo } from '../../nodes/LtxVideo/LtxVideo.node';
import { LtxVideoTrigger } from '../../nodes/LtxVideoTrigger/LtxVideoTrigger.node';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');
const LTX_TYPE = 'n8n-nodes-leonardo-ltx.ltxVideo';
export const TRIGGER_TYPE = 'n8n-nodes-leonardo-ltx.ltxVideoTrigger';
const INPUT_TYPE = 'test.inputItems';

export interface BinaryFixture {
	/** A file in test/fixtures, or raw bytes. */
	file?: string;
	bytes?: Buffer;
	fileName?: string;
	mimeType?: string;
	/**
	 * Held in the item as base64 (no ID), as n8n 1.x's default memory mode stores every binary
	 * (BinaryDataService.store without a manager), instead of in the filesystem store.
	 */
	inMemory?: boolean;
}

export interface InputItem {
	json?: IDataObject;
	binary?: Record<string, BinaryFixture>;
}

/** Emits the test's input items; binaries go through the real prepareBinaryData into the store. */
class InputItemsNode implements INodeType {
	description = {
		displayName: 'Input Items',
		name: INPUT_TYPE,
		group: ['input'],
		version: 1,
		description: 'Test input',
		defaults: { name: 'Input Items' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = JSON.parse(this.getNodeParameter('items', 0) as string) as Array<{
			json?: IDataObject;
			binary?: Record<string, { file?: string; base64?: string; fileName?: string; mimeType?: string; inMemory?: boolean }>;
		}>;
		const output: INodeExecutionData[] = [];
		for (const item of items) {
			const binary: INodeExecutionData['binary'] = {};
			for (const [property, fixture] of Object.entries(item.binary ?? {})) {
				const bytes = fixture.file ? readFileSync(path.join(FIXTURES, fixture.file)) : Buffer.from(fixture.base64 ?? '', 'base64');
				const { id, ...fields } = await this.helpers.prepareBinaryData(bytes, fixture.fileName ?? fixture.file, fixture.mimeType);
				// n8n 1.x's memory mode: the same fields, the bytes as base64 in `data`, no `id`.
				binary[property] = fixture.inMemory ? { ...fields, data: bytes.toString('base64') } : { id, ...fields };
			}
			output.push({ json: item.json ?? {}, ...(Object.keys(binary).length ? { binary } : {}) });
		}
		return [output];
	}
}

export class TestNodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType> = {
		[LTX_TYPE]: new LtxVideo(),
		[TRIGGER_TYPE]: new LtxVideoTrigger(),
		[INPUT_TYPE]: new InputItemsNode(),
	};

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		return this.getByNameAndVersion(nodeType);
	}

	getByNameAndVersion(nodeType: string): INodeType {
		const type = this.types[nodeType];
		if (!type) throw new Error(`Unknown node type ${nodeType}`);
		return type;
	}

	getKnownTypes() {
		return {};
	}
}

/** Applies a `generic` credential like n8n's CredentialsHelper: expressions resolved against $credentials. */
export class TestCredentialsHelper extends ICredentialsHelper {
	private readonly types: Record<string, ICredentialType> = { leonardoAiApi: new LeonardoAiApi() };

	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow: WorkflowType,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const authenticate = this.types[typeName]?.authenticate;
		if (!authenticate || typeof authenticate === 'function' || authenticate.type !== 'generic') return requestOptions;
		const resolve = (value: unknown) =>
			typeof value === 'string' && value.startsWith('=')
				? workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '')
				: value;
		const options = requestOptions as unknown as Record<string, Record<string, unknown>>;
		for (const [target, entries] of Object.entries(authenticate.properties)) {
			options[target] ??= {};
			for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
				options[target][String(resolve(key))] = resolve(value);
			}
		}
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used');
	}

	async getDecrypted(_additionalData: IWorkflowExecuteAdditionalData, _nodeCredentials: unknown, type: string) {
		const credentials = this.data[type];
		if (!credentials) throw new Error(`No test credentials of type ${type}`);
		return { ...credentials };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	isCredentialUsableByNode() {
		return true;
	}

	getCredentialsProperties() {
		return this.types.leonardoAiApi.properties;
	}
}

let binaryStoreDir: string | undefined;

/** A real filesystem binary store, once per test file (as n8n 2.x runs in regular mode). */
export async function ensureBinaryStore(): Promise<string> {
	if (binaryStoreDir) return binaryStoreDir;
	binaryStoreDir = mkdtempSync(path.join(tmpdir(), 'ltx-binary-'));
	const config = {
		mode: 'filesystem',
		availableModes: ['filesystem'],
		localStoragePath: binaryStoreDir,
		signingSecret: 'test-signing-secret',
		dbMaxFileSize: 512,
	};
	const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
	const service = new BinaryDataService(config as never, quiet as never, quiet as never);
	await service.init();
	Container.set(BinaryDataService, service);
	return binaryStoreDir;
}

export function removeBinaryStore(): void {
	if (binaryStoreDir) rmSync(binaryStoreDir, { recursive: true, force: true });
	binaryStoreDir = undefined;
}

export interface RunOptions {
	parameters: INodeParameters;
	input?: InputItem[];
	credentials: { apiKey: string; baseUrl: string; webhookCallbackApiKey?: string };
	/** The legacy Settings flag (workflows saved before "On Error" existed). */
	continueOnFail?: boolean;
	/** Settings → On Error, as n8n 1.x/2.x saves it; unset is n8n's default (stop the workflow). */
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	/** Settings → Retry On Fail, Max. Tries, Wait Between Tries (ms), as n8n saves them on the node. */
	retry?: { maxTries?: number; waitBetweenTries?: number };
	/** Called once the run has started, with a function that stops it (like "Stop execution"). */
	onStarted?: (stop: () => void) => void;
	/**
	 * The executions list's Retry of this failed run: a new execution ID, mode `retry`, the failed
	 * execution's data (see retriedExecutionData). `parameters` are the workflow the retry runs: the same
	 * ones are "Retry with original workflow", others "Retry with currently saved workflow".
	 */
	retryOf?: IRun;
}

export interface RunResult {
	/** Items of the LTX Video node's first (success) output (empty when it failed). */
	items: INodeExecutionData[];
	/** Every main output as n8n recorded it: with onError continueErrorOutput, [success, error]. */
	outputs: INodeExecutionData[][];
	/** The node's error, when the run failed. */
	error?: Error & { description?: string | null; httpCode?: string | null; context?: IDataObject };
	run: IRun;
	/** Bytes of a binary property of an output item, read back from the store. */
	readBinary: (item: INodeExecutionData, property?: string) => Promise<Buffer>;
}

/**
 * What n8n 2.41.1's ExecutionService.retry hands to the new execution: the failed execution's data as
 * the database kept it (JSON), without its error and without the failed run of the node that failed
 * (so that node runs again with the same run index), node context included; the nodes of the execution
 * stack replaced by the workflow's nodes of the same name.
 */
function retriedExecutionData(failed: IRun, nodes: INode[]): IRunExecutionData {
	const data = JSON.parse(JSON.stringify(failed.data)) as IRunExecutionData;
	const { lastNodeExecuted } = data.resultData;
	if (lastNodeExecuted) {
		delete data.resultData.error;
		const runs = data.resultData.runData[lastNodeExecuted];
		if (runs?.length && runs.at(-1)!.error !== undefined) runs.pop();
	}
	for (const entry of data.executionData!.nodeExecutionStack) entry.node = nodes.find((node) => node.name === entry.node.name)!;
	return data;
}

let executions = 0;

/** What n8n hands the engine for one execution: the hooks, the test credential and the URLs. */
export function engineAdditionalData(
	hooks: ExecutionLifecycleHooks,
	credentials: ICredentialDataDecryptedObject,
	extra: Partial<IWorkflowExecuteAdditionalData> = {},
): IWorkflowExecuteAdditionalData {
	return {
		hooks,
		credentialsHelper: new TestCredentialsHelper({ leonardoAiApi: credentials }),
		executionId: hooks.executionId,
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		variables: {},
		currentNodeParameters: undefined,
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		getRunExecutionData: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not used');
		},
		...extra,
	} as unknown as IWorkflowExecuteAdditionalData;
}

export async function runLtxNode(options: RunOptions): Promise<RunResult> {
	await ensureBinaryStore();
	const inputItems = (options.input ?? [{ json: {} }]).map((item) => ({
		json: item.json ?? {},
		binary: Object.fromEntries(
			Object.entries(item.binary ?? {}).map(([property, fixture]) => [
				property,
				{ file: fixture.file, base64: fixture.bytes?.toString('base64'), fileName: fixture.fileName, mimeType: fixture.mimeType, inMemory: fixture.inMemory },
			]),
		),
	}));
	const nodes: INode[] = [
		{ id: 'input', name: 'Input', type: INPUT_TYPE, typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify(inputItems) } },
		{
			id: 'ltx',
			name: 'LTX Video',
			type: LTX_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: options.parameters,
			credentials: { leonardoAiApi: { id: '1', name: 'Leonardo test' } },
			continueOnFail: options.continueOnFail ?? false,
			...(options.onError ? { onError: options.onError } : {}),
			...(options.retry ? { retryOnFail: true, ...options.retry } : {}),
		},
	];
	const connections = { Input: { main: [[{ node: 'LTX Video', type: 'main' as const, index: 0 }]] } };
	const workflow = new Workflow({ id: 'wf', nodes, connections, active: false, nodeTypes: new TestNodeTypes() });

	const executionId = `exec-${++executions}`;
	const mode = options.retryOf ? 'retry' : 'manual';
	const hooks = new ExecutionLifecycleHooks(mode, executionId, {
		id: 'wf',
		name: 'test',
		active: false,
		activeVersionId: null,
		isArchived: false,
		nodes,
		connections,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as never);
	const additionalData = engineAdditionalData(hooks, options.credentials);

	const runExecutionData: IRunExecutionData = options.retryOf
		? retriedExecutionData(options.retryOf, nodes)
		: createRunExecutionData({ executionData: { nodeExecutionStack: [{ node: nodes[0], data: { main: [[{ json: {} }]] }, source: null }] } });

	// n8n-core's own pre-run check (WorkflowExecute.checkForWorkflowIssues → NodeHelpers.getNodeParametersIssues)
	// runs here and throws a WorkflowHasIssuesError before any node runs, as in real n8n (e.g. a `required`
	// field counted as shown because a parameter it depends on is an expression). That is not a node failure:
	// the promise rejects with it, so no test can mistake a refused workflow for an error the node reported.
	const execution = new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow);
	let run: IRun;
	try {
		options.onStarted?.(() => execution.cancel());
		run = await execution;
	} catch (error) {
		// A cancelled run rejects; what the engine recorded so far is in runExecutionData.
		run = { data: runExecutionData, status: 'canceled', finished: false, mode, startedAt: new Date() } as IRun;
		if ((error as Error).name !== 'CancelError') run.data.resultData.error = error as never;
	}

	const taskData = run.data.resultData.runData['LTX Video']?.at(-1);
	const outputs = (taskData?.data?.main ?? []).map((output) => output ?? []);
	const service = Container.get(BinaryDataService);
	return {
		items: outputs[0] ?? [],
		outputs,
		error: (taskData?.error ?? run.data.resultData.error) as RunResult['error'],
		run,
		readBinary: async (item, property = 'data') => {
			const binary = item.binary?.[property];
			if (!binary) throw new Error(`No binary property ${property}`);
			return await service.getAsBuffer(binary);
		},
	};
}

/** Records what n8n's logger (the node's `this.logger`) is asked to log until `stop()` is called. */
export function captureLogs(): { lines: string[]; stop: () => void } {
	const logger = Container.get(Logger) as unknown as Record<string, unknown>;
	const lines: string[] = [];
	// Enabled levels are prototype methods; a disabled level is a frozen own no-op (it logs nothing, so skip it).
	const originals = (['error', 'warn', 'info', 'debug'] as const)
		.filter((level) => Object.getOwnPropertyDescriptor(logger, level)?.configurable !== false)
		.map((level) => {
			const descriptor = Object.getOwnPropertyDescriptor(logger, level);
			Object.defineProperty(logger, level, {
				configurable: true,
				writable: true,
				value: (message: string, meta?: object) => void lines.push(`${level}: ${message} ${meta ? JSON.stringify(meta) : ''}`),
			});
			return { level, descriptor };
		});
	const stop = () => {
		for (const { level, descriptor } of originals) {
			if (descriptor) Object.defineProperty(logger, level, descriptor);
			else delete logger[level];
		}
	};
	return { lines, stop };
}
