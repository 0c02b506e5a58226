import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { downloadOptions, optionsCollection, videoFileOptions } from '../../../shared/descriptions';
import { downloadGenerationFiles } from '../../../shared/download';
import { COMPLETE_WITHOUT_VIDEO } from '../../../shared/errors';
import { lookUpGeneration } from '../../../shared/lookup';
import { generationJson } from '../../../shared/output';
import { type OutputSettings, validateGenerationId, validateOutputSettings } from '../../../shared/validation';
import type { ItemRun } from '../../helpers/batchRunner';
import { forOperation, generationIdField } from './common.description';

export const description: INodeProperties[] = forOperation('get', [
	generationIdField('ID of the generation to look up, e.g. {{ $json.generationId }} from a Generate node that did not wait'),
	optionsCollection([...downloadOptions(), ...videoFileOptions()]),
]);

interface CheckedGet {
	generationId: string;
	output: OutputSettings;
}

/** Status of a generation and, once COMPLETE, its MP4. PENDING and FAILED are reported, not thrown. */
export function getRun(ctx: IExecuteFunctions, baseUrl: string): ItemRun<CheckedGet> {
	return {
		concurrency: 4,
		check: async (itemIndex) => ({
			generationId: validateGenerationId(ctx.getNodeParameter('generationId', itemIndex, '')),
			output: validateOutputSettings(ctx.getNodeParameter('options', itemIndex, {}) as IDataObject),
		}),
		run: async ({ generationId, output }, itemIndex, progress, { stopNew: signal }): Promise<INodeExecutionData> => {
			const call = { itemIndex, signal, baseUrl };
			const record = await lookUpGeneration(ctx, generationId, call);
			if (record === null) {
				throw new NodeOperationError(ctx.getNode(), `Leonardo has no generation with ID ${generationId}`, {
					itemIndex,
					description: 'Check the ID. Deleted generations cannot be fetched.',
				});
			}
			if (record === undefined) {
				throw new NodeOperationError(ctx.getNode(), `Leonardo answered the lookup of generation ${generationId} with an unexpected body`, {
					itemIndex,
					description: 'Try again later.',
				});
			}
			progress.generationId = generationId;
			progress.videoUrl = record.videoUrl;
			const json = generationJson(record);
			if (record.status === 'COMPLETE' && record.outputCount === 0) {
				json.message = COMPLETE_WITHOUT_VIDEO;
			}
			if (record.status !== 'COMPLETE' || !record.videoUrl) return { json };
			const { binary, notice } = await downloadGenerationFiles(ctx, record, output, call);
			return { json: notice ? { ...json, notice } : json, ...(binary ? { binary } : {}) };
		},
	};
}
