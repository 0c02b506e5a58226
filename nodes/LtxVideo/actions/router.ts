/**
 * Runs the node's one operation over all input items. Resource and Operation are read once per run, as
 * n8n's own nodes do: both are `noDataExpression`, so the panel keeps them literal (to send items to
 * different operations, a Switch node routes them to one LTX Video node each).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { InvalidInputError, toNodeError } from '../../shared/errors';
import { apiBaseUrl } from '../../shared/transport';
import { type ItemRun, runItems } from '../helpers/batchRunner';
import { deleteRun } from './video/delete.operation';
import { generateRun } from './video/generate.operation';
import { getRun } from './video/get.operation';
import { getAllRun } from './video/getAll.operation';

const operations = { generate: generateRun, get: getRun, getAll: getAllRun, delete: deleteRun } as const;
type Operation = keyof typeof operations;

const LITERAL_ONLY =
	'It cannot be an expression: choose it in the panel. To send items to different operations, route them with a Switch node to one LTX Video node per operation.';

/** The run's operation; a saved expression reaches the node as its text ("{{ $json.op }}") and is refused here. */
function readOperation(ctx: IExecuteFunctions): Operation {
	const resource = ctx.getNodeParameter('resource', 0);
	if (resource !== 'video') throw new InvalidInputError(`Unknown Resource ${JSON.stringify(resource)}`, `Set "Resource" to "video". ${LITERAL_ONLY}`);
	const operation = ctx.getNodeParameter('operation', 0);
	if (typeof operation === 'string' && Object.hasOwn(operations, operation)) return operation as Operation;
	throw new InvalidInputError(
		`Unknown Operation ${JSON.stringify(operation)}`,
		`Set "Operation" to "generate", "get", "getAll" or "delete". ${LITERAL_ONLY}`,
	);
}

export async function route(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	try {
		const run = operations[readOperation(ctx)](ctx, await apiBaseUrl(ctx)) as ItemRun<unknown>;
		const items = await runItems(ctx, run);
		return [run.finish ? await run.finish(items) : items];
	} catch (error) {
		throw toNodeError(ctx.getNode(), error);
	}
}
