/**
 * Plays n8n's production webhook endpoint for one published LTX Video Trigger, on a real HTTP server on
 * 127.0.0.1, so the emulator can call it as Leonardo would. Each POST runs the node's webhook() in
 * n8n-core's own WebhookContext (real request helpers, the credential applied as n8n applies it), with
 * what Express hands n8n: the parsed JSON body, `ip`, and a response with `status()` and `json()`.
 *
 * As n8n 2.41.1 does for a production webhook: the workflow's static data is loaded when a call starts
 * and saved whole when webhook() returns (so overlapping calls overwrite each other's marks), and
 * `workflowData` starts an execution whose first node is the trigger with that item, run by n8n-core's
 * WorkflowExecute (the trigger's execute() downloads the MP4 there).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BinaryDataService, ExecutionLifecycleHooks, WebhookContext, WorkflowExecute } from 'n8n-core';
import { Container } from '@n8n/di';
import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeExecutionData, INodeParameters, IWebhookData, IWebhookResponseData, IWorkflowBase } from 'n8n-workflow';
import { createRunExecutionData, Workflow } from 'n8n-workflow';

import { engineAdditionalData, ensureBinaryStore, TestNodeTypes, TRIGGER_TYPE } from './engine';

const NODE_NAME = 'LTX Video Trigger';

/** One execution a callback started: the trigger's output, or the error it ended with. */
export interface TriggerExecution {
	items: INodeExecutionData[];
	error?: Error;
}

interface WebhookCall {
	status?: number;
	/** What webhook() returned: whether n8n would start an execution. */
	started: boolean;
}

export class TriggerHost {
	readonly executions: TriggerExecution[] = [];
	readonly calls: WebhookCall[] = [];
	/** The workflow's static data as n8n's database holds it. */
	staticData: IDataObject = {};
	url = '';
	/** A workflow of its own per host: the trigger's in-process memory is per workflow and node. */
	private readonly workflowId = `wf-${randomUUID()}`;
	private readonly node: INode;
	private readonly nodeTypes = new TestNodeTypes();
	private readonly running = new Set<Promise<unknown>>();
	private server: Server | undefined;

	constructor(
		parameters: INodeParameters,
		private readonly credentials: ICredentialDataDecryptedObject,
	) {
		this.node = {
			id: 'trigger',
			name: NODE_NAME,
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0],
			webhookId: randomUUID(),
			parameters,
			credentials: { leonardoAiApi: { id: '1', name: 'Leonardo test' } },
		};
	}

	async start(): Promise<string> {
		await ensureBinaryStore();
		this.server = createServer((req, res) => this.track(this.handle(req, res)));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhook/${this.node.webhookId}/webhook`;
		return this.url;
	}

	async stop(): Promise<void> {
		await this.idle();
		this.server?.closeAllConnections();
		await new Promise((resolve) => this.server?.close(resolve));
	}

	/** Resolves once every call so far has returned from webhook() and every execution it started has ended. */
	async idle(): Promise<void> {
		while (this.running.size > 0) await Promise.allSettled([...this.running]);
	}

	async readBinary(item: INodeExecutionData, property = 'data'): Promise<Buffer> {
		const binary = item.binary?.[property];
		if (!binary) throw new Error(`No binary property ${property}`);
		return await Container.get(BinaryDataService).getAsBuffer(binary);
	}

	private track(work: Promise<unknown>): void {
		this.running.add(work);
		void work.finally(() => this.running.delete(work));
	}

	private workflow(staticData: IDataObject): Workflow {
		return new Workflow({ id: this.workflowId, nodes: [this.node], connections: {}, active: true, nodeTypes: this.nodeTypes, staticData });
	}

	private hooks(): ExecutionLifecycleHooks {
		const workflowData = { id: this.workflowId, name: 'trigger', active: true, activeVersionId: null, isArchived: false, nodes: [this.node], connections: {} };
		return new ExecutionLifecycleHooks('webhook', `exec-${randomUUID()}`, { ...workflowData, createdAt: new Date(), updatedAt: new Date() } as IWorkflowBase);
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const call: WebhookCall = { started: false };
		this.calls.push(call);
		const request = Object.assign(req, { body: await readJson(req), ip: req.socket.remoteAddress });
		const response = Object.assign(res, {
			status: (code: number) => Object.assign(res, { statusCode: code }),
			json: (body: unknown) => res.setHeader('content-type', 'application/json').end(JSON.stringify(body)),
		});
		res.on('finish', () => (call.status = res.statusCode));

		// Loaded now, saved when webhook() returns (n8n: WorkflowStaticDataService.saveStaticData).
		const workflow = this.workflow(structuredClone(this.staticData));
		const additionalData = engineAdditionalData(this.hooks(), this.credentials, { httpRequest: request, httpResponse: response } as never);
		const webhookData: IWebhookData = {
			httpMethod: 'POST',
			node: NODE_NAME,
			path: `${this.node.webhookId}/webhook`,
			webhookDescription: { name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' },
			workflowId: this.workflowId,
			workflowExecuteAdditionalData: additionalData,
		};
		const context = new WebhookContext(workflow, this.node, additionalData, 'webhook', webhookData, [], null);
		const nodeType = this.nodeTypes.getByNameAndVersion(TRIGGER_TYPE);
		let result: IWebhookResponseData;
		try {
			result = await nodeType.webhook!.call(context);
		} catch (error) {
			if (!res.headersSent) res.writeHead(500).end(String(error));
			throw error;
		}
		if (workflow.staticData.__dataChanged) this.staticData = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
		if (!result.noWebhookResponse && !res.headersSent) res.writeHead(200).end();
		if (result.workflowData) {
			call.started = true;
			this.track(this.execute(result.workflowData));
		}
	}

	private async execute(workflowData: INodeExecutionData[][]): Promise<void> {
		const workflow = this.workflow(structuredClone(this.staticData));
		const runExecutionData = createRunExecutionData({
			executionData: { nodeExecutionStack: [{ node: this.node, data: { main: workflowData }, source: null }] },
		});
		const additionalData = engineAdditionalData(this.hooks(), this.credentials);
		const run = await new WorkflowExecute(additionalData, 'webhook', runExecutionData).processRunExecutionData(workflow);
		const task = run.data.resultData.runData[NODE_NAME]?.[0];
		this.executions.push({ items: task?.data?.main[0] ?? [], error: (task?.error ?? run.data.resultData.error) as Error | undefined });
	}
}

async function readJson(req: IncomingMessage): Promise<unknown> {
	let text = '';
	for await (const chunk of req) text += String(chunk);
	try {
		return JSON.parse(text);
	} catch {
		return {};
	}
}
