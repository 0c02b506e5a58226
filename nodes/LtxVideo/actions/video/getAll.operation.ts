import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { GENERATION_STATUSES, isGenerationStatus, toOptions } from '../../../shared/capabilities';
import { downloadOptions, optionsCollection } from '../../../shared/descriptions';
import { downloadGenerationVideo } from '../../../shared/download';
import { InvalidInputError } from '../../../shared/errors';
import { generationJson } from '../../../shared/output';
import { type GenerationRecord, readGenerationListResponse } from '../../../shared/responses';
import type { CallOptions } from '../../../shared/transport';
import { type OutputSettings, validateOutputSettings } from '../../../shared/validation';
import type { ItemRun } from '../../helpers/batchRunner';
import { fetchAccount, fetchUserGenerations } from '../../helpers/endpoints';
import { forOperation } from './common.description';

/** Records asked for per request. Leonardo's own default is 10; its maximum is not documented. */
const PAGE_SIZE = 50;

export const description: INodeProperties[] = forOperation('getAll', [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1, numberPrecision: 0 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: toOptions(GENERATION_STATUSES),
				default: 'COMPLETE',
				description: 'Only generations with this status',
			},
			{
				displayName: 'Videos Only',
				name: 'videosOnly',
				type: 'boolean',
				default: true,
				description:
					'Whether to leave out generations whose outputs are images. Generations without any output (pending, failed, or complete without a video) are kept, with "mediaType" "unknown": Leonardo’s record does not say what they would have made.',
			},
		],
	},
	// Listing is for finding videos; downloading every one of them is opt-in.
	optionsCollection(
		downloadOptions().map((option) =>
			option.name === 'download'
				? {
						...option,
						displayName: 'Download Videos',
						default: false,
						description:
							'Whether to put the MP4 of each completed video into its output item’s binary data. Off: only the video URLs; Leonardo’s links may expire (unverified), so download the videos if you need them later.',
					}
				: option,
		),
	),
]);

interface CheckedGetAll {
	/** Undefined: every match. */
	limit?: number;
	status?: string;
	videosOnly: boolean;
	output: OutputSettings;
}

function checkItem(ctx: IExecuteFunctions, itemIndex: number): CheckedGetAll {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false);
	if (typeof returnAll !== 'boolean') {
		throw new InvalidInputError('"Return All" must be true or false', 'Set "Return All" to true or false.');
	}
	let limit: number | undefined;
	if (!returnAll) {
		const raw: unknown = ctx.getNodeParameter('limit', itemIndex, 50);
		limit = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : (raw as number);
		if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
			throw new InvalidInputError(`Limit ${JSON.stringify(raw)} is not a whole number of 1 or more`, 'Set "Limit" to 1 or more, or turn on "Return All".');
		}
	}
	const filters = (ctx.getNodeParameter('filters', itemIndex, {}) ?? {}) as IDataObject;
	const status = filters.status === undefined || filters.status === '' ? undefined : filters.status;
	if (status !== undefined && !isGenerationStatus(status)) {
		throw new InvalidInputError(
			`Status filter ${JSON.stringify(status)} is not a generation status`,
			`Set the "Status" filter to one of ${Object.keys(GENERATION_STATUSES).join(', ')}, or remove it.`,
		);
	}
	const videosOnly = filters.videosOnly ?? true;
	if (typeof videosOnly !== 'boolean') {
		throw new InvalidInputError('"Videos Only" must be true or false', 'Set the "Videos Only" filter to true or false.');
	}
	const options = (ctx.getNodeParameter('options', itemIndex, {}) ?? {}) as IDataObject;
	return { limit, status, videosOnly, output: validateOutputSettings({ ...options, download: options.download ?? false }) };
}

/** `unknown` without outputs (PENDING, FAILED, moderated): Leonardo's record has no field saying what it would have made. */
const mediaType = (record: GenerationRecord) => (record.isVideo === undefined ? 'unknown' : record.isVideo ? 'video' : 'image');

const matches = (record: GenerationRecord, wanted: CheckedGetAll) =>
	(wanted.status === undefined || record.status === wanted.status) && (!wanted.videosOnly || record.isVideo !== false);

/**
 * Pages through GET /v1/generations/user/{id}, newest first, until `limit` records match or a page
 * comes back empty. The offset advances by what each page held, so a server-side cap on the page size
 * cannot end the listing early; records seen twice (new generations push older ones down) are skipped.
 */
async function listMatching(ctx: IExecuteFunctions, userId: string, wanted: CheckedGetAll, call: CallOptions): Promise<GenerationRecord[]> {
	const found: GenerationRecord[] = [];
	const seen = new Set<string>();
	let unreadable = 0;
	for (let offset = 0; wanted.limit === undefined || found.length < wanted.limit; ) {
		const body = await fetchUserGenerations(ctx, userId, { offset, limit: PAGE_SIZE }, call);
		const page = readGenerationListResponse(body);
		if (!page) {
			throw new NodeOperationError(ctx.getNode(), 'Leonardo answered the list of generations with an unexpected body', {
				itemIndex: call.itemIndex,
				description: `The answer for offset ${offset} has no "generations" list. Try again later.`,
			});
		}
		if (page.entryCount === 0) break;
		unreadable += page.unreadable;
		const fresh = page.records.filter((record) => !seen.has(record.id));
		// A page of nothing but repeats means the server ignored the offset: stop rather than loop forever.
		if (page.records.length > 0 && fresh.length === 0) break;
		for (const record of fresh) {
			seen.add(record.id);
			if (matches(record, wanted) && (wanted.limit === undefined || found.length < wanted.limit)) found.push(record);
		}
		offset += page.entryCount;
	}
	if (unreadable) ctx.logger.warn(`LTX Video: left out ${unreadable} listed generation(s) without an id or status`);
	return found;
}

/** Lists the account's generations; one output item per generation (none when nothing matches). */
export function getAllRun(ctx: IExecuteFunctions, baseUrl: string): ItemRun<CheckedGetAll> {
	let userId: Promise<string> | undefined;
	const readUserId = async (call: CallOptions) => {
		const account = await fetchAccount(ctx, call);
		if (!account.userId) {
			throw new NodeOperationError(ctx.getNode(), 'Leonardo’s account details (GET /v1/me) name no user ID', {
				itemIndex: call.itemIndex,
				description: 'The generations cannot be listed without it. Check the credential’s Base URL, then try again.',
			});
		}
		return account.userId;
	};
	return {
		// Pages are read in order; several input items would only compete for the same account's rate limit.
		concurrency: 1,
		check: async (itemIndex) => checkItem(ctx, itemIndex),
		run: async (wanted, itemIndex, _progress, { stopNew: signal }): Promise<INodeExecutionData[]> => {
			const call = { itemIndex, signal, baseUrl };
			// One account lookup per execution; a failed one is tried again by the next item.
			userId ??= readUserId(call).catch((error: unknown) => {
				userId = undefined;
				throw error;
			});
			const records = await listMatching(ctx, await userId, wanted, call);
			const items: INodeExecutionData[] = [];
			for (const record of records) {
				const json = { ...generationJson(record), mediaType: mediaType(record) };
				if (!wanted.output.download || record.status !== 'COMPLETE' || !record.isVideo || !record.videoUrl) {
					items.push({ json });
					continue;
				}
				const binary = await downloadGenerationVideo(ctx, { url: record.videoUrl, generationId: record.id, ...call });
				items.push({ json, binary: { [wanted.output.binaryPropertyName]: binary } });
			}
			return items;
		},
	};
}
