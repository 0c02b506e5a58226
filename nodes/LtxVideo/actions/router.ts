/** Sends each operation to its module; the node file only wires description and router. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { ExecutionBaseError, NodeOperationError } from 'n8n-workflow';

import { InvalidInputError } from '../../shared/errors';
import { runItems } from '../helpers/items';
import { apiBaseUrl } from '../../shared/transport';
import { deleteRun } from './video/delete.operation';
import { generateRun } from './video/generate.operation';
import { getRun } from './video/get.operation';
import { getAllRun } from './video/getAll.operation';

const operations = { generate: generateRun, get: getRun, getAll: getAllRun, delete: deleteRun } as const;

/** n8n's own errors (NodeApiError, NodeOperationError, ...) pass on unchanged; anything else becomes a NodeOperationError. */
function toNodeError(ctx: IExecuteFunctions, error: unknown): ExecutionBaseError {
	if (error instanceof ExecutionBaseError) return error;
	if (error instanceof InvalidInputError) {
		return new NodeOperationError(ctx.getNode(), error.message, { description: error.fix });
	}
	return new NodeOperationError(ctx.getNode(), error instanceof Error ? error : String(error));
}

export async function route(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = ctx.getNodeParameter('operation', 0) as string;
	const makeRun = operations[operation as keyof typeof operations];
	if (!makeRun) {
		throw new NodeOperationError(ctx.getNode(), `The operation "${operation}" is not supported`, {
			description: 'Choose Generate, Get, Get Many or Delete.',
		});
	}
	try {
		const baseUrl = await apiBaseUrl(ctx);
		return [await runItems(ctx, makeRun(ctx, baseUrl) as Parameters<typeof runItems>[1])];
	} catch (error) {
		throw toNodeError(ctx, error);
	}
}
