import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { downloadOptions, optionsCollection, waitOptions } from '../shared/descriptions';
import { nothingToRegister } from '../shared/webhookMethods';
import { receiveCallback } from './receive';
import { attachVideos } from './execute';

const [downloadOption, binaryPropertyOption] = downloadOptions();
const [pollIntervalOption, timeoutOption] = waitOptions({
	pollInterval: 'Seconds between lookups while a callback waits for Leonardo to show its generation finished',
	timeout:
		'How long a callback waits for Leonardo to show its generation finished (Leonardo can call before its records say so). After that the workflow starts with an error item naming the generation ID.',
});

export class LtxVideoTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'LTX Video Trigger',
		name: 'ltxVideoTrigger',
		icon: { light: 'file:ltxVideoTrigger.svg', dark: 'file:ltxVideoTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		// A sentence: "When a video is complete", "When a video fails", or both.
		subtitle:
			'={{ "When a video " + ([].concat($parameter["statuses"]).includes("COMPLETE") ? ([].concat($parameter["statuses"]).includes("FAILED") ? "is complete or fails" : "is complete") : "fails") }}',
		description:
			'Starts the workflow when Leonardo.AI finishes a video: receives Leonardo’s webhook callback and outputs the generation with the MP4 as binary data',
		defaults: { name: 'LTX Video Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'leonardoAiApi', required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		triggerPanel: {
			header: 'Leonardo calls this workflow when a video of the API key is finished',
			executionsHelp: {
				inactive:
					'Leonardo calls one URL per API key, set when the key is created. Create a Production API key in the Leonardo web app (API Access) with the <b>Production URL</b> above as its webhook callback URL, then <b>publish</b> this workflow. Test runs use another URL, which Leonardo does not call.',
				active:
					'The workflow is published: each finished video of the API key whose webhook URL is the <b>Production URL</b> above starts an execution.',
			},
			activationHint: 'Publish the workflow, then generate a video with the API key whose webhook URL is the Production URL.',
		},
		properties: [
			{
				displayName:
					'Set up in Leonardo: create a Production API key (web app → API Access) with the Production URL above as "Webhook Callback URL" (it must be https) and a random "Webhook Callback API Key". Put both keys into this node’s credential. Without the callback key anyone who learns the URL can start this workflow with any generation ID.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Trigger On',
				name: 'statuses',
				type: 'multiOptions',
				options: [
					{ name: 'Completed', value: 'COMPLETE', description: 'The video is ready (the MP4 is in the output)' },
					{ name: 'Failed', value: 'FAILED', description: 'Leonardo could not make the video (the output has status FAILED and the reason)' },
				],
				default: ['COMPLETE'],
				description: 'Which finished generations start the workflow',
			},
			optionsCollection([
				downloadOption,
				{
					displayName: 'Only Leonardo’s IP Addresses',
					name: 'leonardoIpsOnly',
					type: 'boolean',
					default: false,
					description:
						'Whether to refuse calls that do not come from Leonardo’s published addresses. Behind a reverse proxy, set N8N_PROXY_HOPS on n8n, or every call is refused.',
				},
				pollIntervalOption,
				binaryPropertyOption,
				timeoutOption,
				{
					displayName: 'Videos Only',
					name: 'videosOnly',
					type: 'boolean',
					default: true,
					description: 'Whether to ignore callbacks for images made with the same API key',
				},
			]),
		],
	};

	/**
	 * Nothing to register on Leonardo: its webhook URL belongs to the API key and is set in the web app
	 * when the key is created (no API exists for it), so publishing and unpublishing only open and
	 * close n8n's own endpoint.
	 */
	webhookMethods = nothingToRegister;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveCallback(this);
	}

	/** Runs in the execution webhook() started, with its item: downloads the MP4 (execute.ts). */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await attachVideos(this);
	}
}
