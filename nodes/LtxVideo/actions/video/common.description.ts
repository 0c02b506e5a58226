import type { INodeProperties } from 'n8n-workflow';

import { operationDisplay } from '../display';

/** "Download Video" and its field name: shared by Generate (when waiting) and Get. */
export function downloadOptions(show?: Record<string, boolean[]>): INodeProperties[] {
	const displayOptions = show ? { displayOptions: { show } } : {};
	return [
		{
			displayName: 'Download Video',
			name: 'download',
			type: 'boolean',
			default: true,
			description:
				'Whether to put the MP4 into the output item’s binary data. Turn off to output only the video URL (it expires after a while).',
			...displayOptions,
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			placeholder: 'e.g. data',
			hint: 'The name of the output binary field to put the MP4 in',
			...displayOptions,
		},
	];
}

export const generationIdField = (operation: string, description: string): INodeProperties => ({
	displayName: 'Generation ID',
	name: 'generationId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 0a1b2c3d-4e5f-6789-abcd-ef0123456789',
	description,
	displayOptions: operationDisplay(operation),
});
