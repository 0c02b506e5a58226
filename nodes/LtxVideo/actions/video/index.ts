import type { INodeProperties } from 'n8n-workflow';

import { description as deleteDescription } from './delete.operation';
import { description as generateDescription } from './generate.description';
import { description as getDescription } from './get.operation';
import { description as getAllDescription } from './getAll.operation';

export const videoDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['video'] } },
		options: [
			{
				name: 'Generate',
				value: 'generate',
				action: 'Generate a video',
				description: 'Create a video from a prompt, optionally starting from (and ending on) an image',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a video',
				description: 'Get the status of a generation and, once it is complete, its MP4',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many videos',
				description: 'List the generations of your account, newest first, e.g. to recover the videos of a run that died',
			},
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a video',
				description: 'Delete a generation from your Leonardo library',
			},
		],
		default: 'generate',
	},
	...generateDescription,
	...getDescription,
	...getAllDescription,
	...deleteDescription,
];
