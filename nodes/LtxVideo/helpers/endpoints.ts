/** The account and library endpoints only the LTX Video node calls (leonardo-api.md §4, §5). */
import { type AccountDetails, readAccountResponse } from '../../shared/responses';
import { callApi, type CallOptions, type NodeContext } from '../../shared/transport';

export async function fetchAccount(ctx: NodeContext, options: CallOptions): Promise<AccountDetails> {
	return readAccountResponse(await callApi(ctx, { method: 'GET', path: '/v1/me', retry: 'idempotent' }, options));
}

/** One page of the user's generations, newest first (§5). */
export async function fetchUserGenerations(
	ctx: NodeContext,
	userId: string,
	page: { offset: number; limit: number },
	options: CallOptions,
): Promise<unknown> {
	return await callApi(
		ctx,
		{ method: 'GET', path: `/v1/generations/user/${encodeURIComponent(userId)}`, qs: { offset: page.offset, limit: page.limit }, retry: 'idempotent' },
		options,
	);
}

export async function removeGeneration(ctx: NodeContext, generationId: string, options: CallOptions): Promise<unknown> {
	return await callApi(ctx, { method: 'DELETE', path: `/v1/generations/${encodeURIComponent(generationId)}`, retry: 'idempotent' }, options);
}
