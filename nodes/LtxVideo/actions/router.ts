/** Sends each operation to its module; the node file only wires description and router. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InvalidInputError } from '../shared/errors';
import { runItems } from '../shared/items';
import { apiBaseUrl } from '../shared/transport';
import { deleteRun } from './video/delete.operation';
import { generateRun } from './video/generate.operation';
import { getRun } from './video/get.operation';

const operations = { generate: generateRun, get: getRun, delete: deleteRun } as const;

export async function route(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = ctx.getNodeParameter('operation', 0) as string;
	const makeRun = operations[operation as keyof typeof operations];
	if (!makeRun) {
		throw new NodeOperationError(ctx.getNode(), `The operation "${operation}" is not supported`, {
			description: 'Choose Generate, Get or Delete.',
		});
	}
	try {
		const baseUrl = await apiBaseUrl(ctx);
		return [await runItems(ctx, makeRun(ctx, baseUrl) as Parameters<typeof runItems>[1])];
	} catch (error) {
		if (error instanceof InvalidInputError) {
			throw new NodeOperationError(ctx.getNode(), error.message, { description: error.fix });
		}
		throw error;
	}
}
