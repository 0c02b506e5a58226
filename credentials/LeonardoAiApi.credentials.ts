import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

export class LeonardoAiApi implements ICredentialType {
	name = 'leonardoAiApi';

	displayName = 'Leonardo.AI API';

	icon = { light: 'file:../nodes/LtxVideo/ltxVideo.svg', dark: 'file:../nodes/LtxVideo/ltxVideo.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-leonardo-ltx/n8n-nodes-leonardo-ltx#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Production API key from the Leonardo web app → API Access (a UUID)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://cloud.leonardo.ai/api/rest',
			description: 'Change only for a proxy, a gateway or local testing. The key is sent to this host only.',
		},
		{
			displayName: 'Webhook Callback API Key',
			name: 'webhookCallbackApiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only for the LTX Video Trigger: the "Webhook Callback API Key" chosen when this API key was created in Leonardo. Leonardo sends it with every callback; the trigger refuses calls without it. Leave empty if the key has none.',
		},
		{
			displayName: 'Trigger URL',
			name: 'triggerUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://n8n.example.com/webhook/1f2e.../webhook',
			description:
				'Only for Generate’s "Pause Execution": the Production URL of the published LTX Video Trigger that receives this API key’s callbacks (the URL given to Leonardo). Paused executions register there, authenticated with the Webhook Callback API Key.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/v1/me',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'Leonardo did not accept this API key. Copy a Production API key from the Leonardo web app → API Access.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 500,
					message: 'Leonardo could not check this API key: make sure it is a complete key (a UUID), or try again in a minute.',
				},
			},
		],
	};
}
