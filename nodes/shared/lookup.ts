/** GET /v1/generations/{id} (leonardo-api.md §2): the one endpoint both nodes call. */
import { NodeApiError } from 'n8n-workflow';

import { pause } from './pacing';
import { type GenerationRecord, readGenerationResponse } from './responses';
import { callApi, type CallOptions, LeonardoApiError, type NodeContext } from './transport';

/** One status lookup, no retries of its own: the polling loop decides what a failure means. */
export async function fetchGeneration(ctx: NodeContext, generationId: string, options: CallOptions, maxAttempts = 1): Promise<unknown> {
	return await callApi(
		ctx,
		{ method: 'GET', path: `/v1/generations/${encodeURIComponent(generationId)}`, retry: 'idempotent', maxAttempts },
		options,
	);
}

/**
 * Whether a failed lookup may answer differently a moment later: 429, 5xx, or no HTTP answer at all
 * (network error, timeout). A 404 is the caller's call (a brand-new ID may not be readable yet).
 */
export function isPassingLookupFailure(error: unknown): boolean {
	if (error instanceof LeonardoApiError) return error.statusCode === 429 || error.statusCode >= 500;
	return error instanceof NodeApiError;
}

/** A brand-new ID can be unknown to the read side for a few seconds (404 or `null`): look again this often. */
const NEW_ID_LOOKUP_WAITS_MS = [2000, 4000];

/**
 * One generation for an operation that looks it up once (Get): 5xx/429/network are retried by callApi,
 * and a 404 or `null` is asked again twice over ~6 s, since an ID just created may not be readable yet.
 * `null` only when Leonardo still does not know the ID after that.
 */
export async function lookUpGeneration(ctx: NodeContext, generationId: string, options: CallOptions): Promise<GenerationRecord | null | undefined> {
	for (const waitMs of [...NEW_ID_LOOKUP_WAITS_MS, undefined]) {
		let body: unknown;
		let failure: unknown;
		try {
			body = await fetchGeneration(ctx, generationId, options, 5);
		} catch (error) {
			failure = error;
		}
		// Decided outside the catch: callApi rejects only with NodeApiError or a cancel, passed on as they are.
		const notFound = failure instanceof LeonardoApiError && failure.statusCode === 404;
		if (failure !== undefined && !notFound) throw failure;
		const record = notFound ? null : readGenerationResponse(body);
		if (record !== null) return record;
		if (waitMs === undefined) {
			if (notFound) throw failure;
			return null;
		}
		await pause(waitMs, options.signal);
	}
	return null;
}

/**
 * A fresh signed link (the MP4's or the poster's) after the CDN refused one (403/404: signed links expire),
 * for every download. Read the way Get reads (lookUpGeneration: 5 attempts for 5xx/429/network errors, a 404
 * or `null` asked again over ~6 s): a failed refresh fails the download, so a brief outage, or a read side
 * still behind a video that just finished, must not cost it. `undefined` when no link comes back (the old one
 * is tried again).
 */
export async function freshLink(ctx: NodeContext, generationId: string, link: 'videoUrl' | 'posterUrl', options: CallOptions): Promise<string | undefined> {
	return (await lookUpGeneration(ctx, generationId, options))?.[link];
}
