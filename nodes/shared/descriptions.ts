import type { INodeProperties } from 'n8n-workflow';

/** "Download Video" and its field name: the same options in Generate (when waiting), Get, Get Many and the trigger. */
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
