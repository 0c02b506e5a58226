import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { nothingToRegister } from '../shared/webhookMethods';
import { route } from './actions/router';
import { videoDescription } from './actions/video';
import { resumeParkedExecution } from './helpers/resumeWebhook';

export class LtxVideo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'LTX Video',
		name: 'ltxVideo',
		icon: { light: 'file:ltxVideo.svg', dark: 'file:ltxVideo.dark.svg' },
		group: ['transform'],
		version: 1,
		// A sentence on the canvas (a literal: n8n's lint reads it statically; test/unit/capabilities.test.ts keeps it in step with the models and actions).
		subtitle:
			'={{ $parameter["operation"] === "generate" ? "Generate a video with " + ($parameter["model"] === "ltxv-2.3-pro" ? "LTX 2.3 Pro" : $parameter["model"] === "ltxv-2.3-fast" ? "LTX 2.3 Fast" : "LTX 2.3") : $parameter["operation"] === "get" ? "Get a video" : $parameter["operation"] === "getAll" ? "Get many videos" : $parameter["operation"] === "delete" ? "Delete a video" : "" }}',
		description:
			'Generate videos with LTX Video 2.3 (Pro and Fast) on Leonardo.AI from a text prompt, optionally from a start (and end) image. Outputs the video URL, the generation and video IDs, and the MP4 as binary data.',
		defaults: { name: 'LTX Video' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'leonardoAiApi', required: true }],
		// Generate's "Pause Execution": the parked execution's resume URL ($execution.resumeUrl) runs webhook().
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '', restartWebhook: true }],
		waitingNodeTooltip: 'Paused until Leonardo finishes the video(s): the LTX Video Trigger resumes this execution',
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Video', value: 'video' }],
				default: 'video',
			},
			...videoDescription,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route(this);
	}

	/**
	 * Nothing to register anywhere: the only webhook is the resume URL of a paused execution
	 * (`restartWebhook`), which n8n serves for waiting executions and never registers on publishing.
	 */
	webhookMethods = nothingToRegister;

	/** A call of a paused Generate's resume URL (helpers/resumeWebhook.ts). */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await resumeParkedExecution(this);
	}
}
