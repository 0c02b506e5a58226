import type { INodeProperties } from 'n8n-workflow';

/**
 * Scopes fields to one operation, like n8n's updateDisplayOptions, but with Resource and Operation first
 * in `show`: n8n stops reading `show` at the first parameter that holds an expression (and shows the
 * field), so the literal Operation must be read before, say, a Start Frame expression could show a
 * Generate field under Get.
 */
export const forOperation = (operation: string, properties: INodeProperties[]): INodeProperties[] =>
	properties.map((property) => ({
		...property,
		displayOptions: { ...property.displayOptions, show: { resource: ['video'], operation: [operation], ...property.displayOptions?.show } },
	}));

export const generationIdField = (description: string): INodeProperties => ({
	displayName: 'Generation ID',
	name: 'generationId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 0a1b2c3d-4e5f-6789-abcd-ef0123456789',
	description,
});
