import type { INodeProperties } from 'n8n-workflow';

import { POLLING_LIMITS } from './capabilities';

// Defaults as plain identifiers: n8n's lint rules (node-param-default-missing) read `default` statically.
const DEFAULT_POLL_INTERVAL = POLLING_LIMITS.defaultIntervalSeconds;
const DEFAULT_TIMEOUT = POLLING_LIMITS.defaultTimeoutSeconds;

/** The "Options" collection every operation and the trigger have. */
export const optionsCollection = (options: INodeProperties[]): INodeProperties => ({
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options,
});

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
				'Whether to put the MP4 into the output item’s binary data. Turn off to output only the video URL; Leonardo’s links may expire (unverified), so download the video if you need it later.',
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

/** "Download Poster Image" and "File Name": Generate (when waiting) and Get, the operations that output one video per input item. */
export function videoFileOptions(show?: Record<string, boolean[]>): INodeProperties[] {
	const displayOptions = show ? { displayOptions: { show } } : {};
	return [
		{
			displayName: 'Download Poster Image',
			name: 'downloadPoster',
			type: 'boolean',
			default: false,
			description:
				'Whether to also put the video’s poster image (a still frame, e.g. for a thumbnail) into the binary field "poster", when Leonardo reports one. Without one, or if it cannot be downloaded, the item says so in "notice" and still has the MP4.',
			...displayOptions,
		},
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.title }}.mp4',
			description:
				'Name of the MP4 file in the output, often an expression. Empty: the generation ID, e.g. 0f3c….mp4. ".mp4" is added when the name does not end with it; the poster image gets the same name with its own extension (.jpg).',
			...displayOptions,
		},
	];
}

/**
 * "Poll Interval" and "Timeout" of a wait for a generation's record, with the same defaults in Generate (its
 * poller) and the trigger (a callback waiting for its record): one patience for both.
 */
export function waitOptions(
	descriptions: { pollInterval: string; timeout: string },
	show?: Record<string, boolean[]>,
): [pollInterval: INodeProperties, timeout: INodeProperties] {
	const displayOptions = show ? { displayOptions: { show } } : {};
	return [
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			typeOptions: { minValue: POLLING_LIMITS.minIntervalSeconds },
			default: DEFAULT_POLL_INTERVAL,
			description: descriptions.pollInterval,
			...displayOptions,
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: POLLING_LIMITS.maxTimeoutSeconds },
			default: DEFAULT_TIMEOUT,
			description: descriptions.timeout,
			...displayOptions,
		},
	];
}
