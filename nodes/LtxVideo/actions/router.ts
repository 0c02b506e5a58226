/**
 * Sends each item to its operation's module; the node file only wires description and router.
 * Every item uses its own evaluated operation, so one batch may mix Generate, Get, Get Many and Delete: all items
 * are checked before the first request, output keeps input order and pairedItem, and each operation
 * keeps its own concurrency bound.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { ExecutionBaseError, NodeOperationError } from 'n8n-workflow';

import { CONCURRENCY_LIMITS } from '../../shared/capabilities';
import { InvalidInputError } from '../../shared/errors';
import { type ItemRun, runItems } from '../helpers/items';
import { apiBaseUrl } from '../../shared/transport';
import { isExpressionText } from './display';
import { deleteRun } from './video/delete.operation';
import { generateRun } from './video/generate.operation';
import { getRun } from './video/get.operation';
import { getAllRun } from './video/getAll.operation';

const operations = { generate: generateRun, get: getRun, getAll: getAllRun, delete: deleteRun } as const;
type Operation = keyof typeof operations;
const isOperation = (value: unknown): value is Operation => typeof value === 'string' && Object.hasOwn(operations, value);

/** n8n's own errors (NodeApiError, NodeOperationError, ...) pass on unchanged; anything else becomes a NodeOperationError. */
function toNodeError(ctx: IExecuteFunctions, error: unknown): ExecutionBaseError {
	if (error instanceof ExecutionBaseError) return error;
	if (error instanceof InvalidInputError) {
		return new NodeOperationError(ctx.getNode(), error.message, { description: error.fix });
	}
	return new NodeOperationError(ctx.getNode(), error instanceof Error ? error : String(error));
}

/**
 * The operation of one item, or the error that item reports. Operation has `noDataExpression`, so n8n
 * hands a saved expression over as its text ("{{ $json.op }}"): evaluated here for the item.
 */
function itemOperation(ctx: IExecuteFunctions, itemIndex: number): Operation | Error {
	try {
		const raw = ctx.getNodeParameter('operation', itemIndex);
		const value = isExpressionText(raw) ? ctx.evaluateExpression(raw, itemIndex) : raw;
		if (isOperation(value)) return value;
		return new InvalidInputError(
			`Unknown Operation ${JSON.stringify(value)}`,
			'Set "Operation" to "generate", "get", "getAll" or "delete" (an expression must give one of these).',
		);
	} catch (error) {
		return error as Error;
	}
}

/**
 * Counts slots so that items of one operation never exceed that operation's concurrency. A size that
 * must be looked up (Generate's Auto) is asked for by the first item, i.e. after every check passed.
 */
class Slots {
	private free = 0;
	private sized: Promise<void> | undefined;
	private readonly waiting: Array<() => void> = [];

	constructor(private readonly size: number | (() => Promise<number>)) {}

	async take(): Promise<void> {
		this.sized ??= (async () => {
			this.free = typeof this.size === 'number' ? this.size : await this.size();
		})();
		await this.sized;
		if (this.free > 0) {
			this.free--;
			return;
		}
		await new Promise<void>((resolve) => this.waiting.push(resolve));
	}

	give(): void {
		const next = this.waiting.shift();
		if (next) next();
		else this.free++;
	}
}

const upperBound = (concurrency: ItemRun<unknown>['concurrency']) => (typeof concurrency === 'number' ? concurrency : CONCURRENCY_LIMITS.max);

interface RoutedItem {
	operation: Operation;
	checked: unknown;
}

export async function route(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const itemOperations = ctx.getInputData().map((_item, itemIndex) => itemOperation(ctx, itemIndex));
	try {
		const baseUrl = await apiBaseUrl(ctx);
		// One run (session, pacing, settings) per operation the batch uses; node-level settings fail here.
		const used = [...new Set(itemOperations.filter((operation): operation is Operation => typeof operation === 'string'))];
		const runs = new Map(used.map((operation) => [operation, operations[operation](ctx, baseUrl) as ItemRun<unknown>]));
		const slots = new Map(used.map((operation) => [operation, new Slots(runs.get(operation)!.concurrency)]));
		const routed: ItemRun<RoutedItem> = {
			concurrency: Math.max(1, used.reduce((total, operation) => total + upperBound(runs.get(operation)!.concurrency), 0)),
			check: async (itemIndex) => {
				const operation = itemOperations[itemIndex];
				if (typeof operation !== 'string') throw operation;
				return { operation, checked: await runs.get(operation)!.check(itemIndex) };
			},
			run: async ({ operation, checked }, itemIndex, progress, signals) => {
				const operationSlots = slots.get(operation)!;
				await operationSlots.take();
				try {
					return await runs.get(operation)!.run(checked, itemIndex, progress, signals);
				} finally {
					operationSlots.give();
				}
			},
		};
		return [await runItems(ctx, routed)];
	} catch (error) {
		throw toNodeError(ctx, error);
	}
}
