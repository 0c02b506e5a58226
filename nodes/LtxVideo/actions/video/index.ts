import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { MODELS } from '../../../shared/capabilities';
import { description as deleteDescription } from './delete.operation';
import { description as generateDescription } from './generate.description';
import { description as getDescription } from './get.operation';
import { description as getAllDescription } from './getAll.operation';

const OPERATIONS: Array<INodePropertyOptions & { value: string; action: string }> = [
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
];

/**
 * An n8n expression choosing a text by a parameter's value: chained conditionals over JSON-quoted
 * texts (an object literal could hold `}}`, which ends n8n's expression early).
 */
const chooseBy = (parameter: string, texts: Array<[value: string, expression: string]>, otherwise: string) =>
	texts.reduceRight((rest, [value, text]) => `$parameter[${JSON.stringify(parameter)}] === ${JSON.stringify(value)} ? ${text} : ${rest}`, otherwise);

const modelName = chooseBy(
	'model',
	Object.values(MODELS).map((model) => [model.slug, JSON.stringify(model.displayName)]),
	JSON.stringify('LTX 2.3'),
);

/** The node's subtitle on the canvas, as a sentence: "Generate a video with LTX 2.3 Pro", "Get a video", ... */
export const videoSubtitle = `={{ ${chooseBy(
	'operation',
	OPERATIONS.map(({ value, action }) => [value, value === 'generate' ? `"Generate a video with " + (${modelName})` : JSON.stringify(action)]),
	JSON.stringify(''),
)} }}`;

export const videoDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['video'] } },
		options: OPERATIONS,
		default: 'generate',
	},
	...generateDescription,
	...getDescription,
	...getAllDescription,
	...deleteDescription,
];
