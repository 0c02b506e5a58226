import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { validateGenerationId } from '../../../shared/validation';
import type { ItemRun } from '../../helpers/batchRunner';
import { removeGeneration } from '../../helpers/endpoints';
import { forOperation, generationIdField } from './common.description';

export const description: INodeProperties[] = forOperation('delete', [generationIdField('ID of the generation to delete from your Leonardo library')]);

export function deleteRun(ctx: IExecuteFunctions, baseUrl: string): ItemRun<string> {
	return {
		concurrency: 4,
		check: async (itemIndex) => validateGenerationId(ctx.getNodeParameter('generationId', itemIndex, '')),
		run: async (generationId, itemIndex, _progress, { stopNew: signal }): Promise<INodeExecutionData> => {
			const body = (await removeGeneration(ctx, generationId, { itemIndex, signal, baseUrl })) as {
				delete_generations_by_pk?: { id?: string } | null;
			};
			if (!body?.delete_generations_by_pk) {
				throw new NodeOperationError(ctx.getNode(), `Leonardo has no generation with ID ${generationId} to delete`, {
					itemIndex,
					description: 'Check the ID; it may have been deleted already.',
				});
			}
			return { json: { generationId, deleted: true } };
		},
	};
}
