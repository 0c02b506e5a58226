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
