/**
 * The trigger's execute(): n8n runs it as the first step of the execution that webhook() started (on a
 * worker in queue mode), with webhook()'s item as input. Downloading here rather than while the call is
 * handled makes the MP4 part of this execution in n8n's binary store (shown in the editor, pruned with
 * the execution), takes the download off the process that receives webhooks, and lets Stop cancel it.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { downloadGenerationVideo } from '../shared/download';
import { toNodeError } from '../shared/errors';
import { validateOutputSettings } from '../shared/validation';
import { apiBaseUrl } from '../shared/transport';

export async function attachVideos(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	let output;
	try {
		output = validateOutputSettings(ctx.getNodeParameter('options', 0, {}) as IDataObject);
	} catch (error) {
		throw toNodeError(ctx.getNode(), error);
	}
	const items = ctx.getInputData();
	const results: INodeExecutionData[] = [];
	for (const [itemIndex, item] of items.entries()) {
		const { generationId, status, videoUrl, error } = item.json;
		const wanted = output.download && status === 'COMPLETE' && typeof videoUrl === 'string' && typeof generationId === 'string' && !error;
		if (!wanted) {
			results.push({ json: item.json, pairedItem: { item: itemIndex } });
			continue;
		}
		try {
			const baseUrl = await apiBaseUrl(ctx);
			const signal = ctx.getExecutionCancelSignal();
			const binary = await downloadGenerationVideo(ctx, { url: videoUrl, generationId, itemIndex, signal, baseUrl });
			results.push({ json: item.json, binary: { [output.binaryPropertyName]: binary }, pairedItem: { item: itemIndex } });
		} catch (failure) {
			if (!ctx.continueOnFail()) throw toNodeError(ctx.getNode(), failure);
			results.push({ json: { ...item.json, error: (failure as Error).message }, pairedItem: { item: itemIndex } });
		}
	}
	return [results];
}
