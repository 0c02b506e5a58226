/** The JSON of output items (workflow-contract.md "Output item"), built in one place for all operations. */
import type { IDataObject } from 'n8n-workflow';

import type { GenerationCost, GenerationRecord } from './responses';

export interface KnownRequestFacts {
	model?: string;
	prompt?: string;
	seed?: number;
	width?: number;
	height?: number;
	cost?: GenerationCost;
}

const defined = (entries: IDataObject): IDataObject =>
	Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));

/**
 * Facts from the API win over what was requested; the request fills gaps. `model` is the requested slug
 * when there is a request (Generate), else the record's, already mapped to the slug (responses.ts).
 */
export function generationJson(record: GenerationRecord, requested: KnownRequestFacts = {}): IDataObject {
	return defined({
		generationId: record.id,
		status: record.status,
		model: requested.model ?? record.model,
		prompt: record.prompt ?? requested.prompt,
		width: record.width ?? requested.width,
		height: record.height ?? requested.height,
		seed: record.seed ?? requested.seed,
		videoUrl: record.videoUrl,
		videoId: record.videoId,
		posterUrl: record.posterUrl,
		nsfw: record.nsfw,
		createdAt: record.createdAt,
		cost: requested.cost as IDataObject | undefined,
	});
}

export function submittedJson(generationId: string, requested: KnownRequestFacts): IDataObject {
	return defined({
		generationId,
		status: 'PENDING',
		model: requested.model,
		prompt: requested.prompt,
		width: requested.width,
		height: requested.height,
		seed: requested.seed,
		cost: requested.cost as IDataObject | undefined,
	});
}
