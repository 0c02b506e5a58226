import type { INodeProperties } from 'n8n-workflow';

import { operationDisplay } from '../display';

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
