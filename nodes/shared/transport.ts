/**
 * Every call to the Leonardo API goes through here, with n8n's credential helper: the key is attached
 * by n8n (never by us; we read it only to redact it from quoted answers), only to `<baseUrl>/v1|v2/...`,
 * and redirects are refused so the key can never follow one to another host. Retries depend on whether
 * repeating the request is safe.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	INode,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { fixForStatus, isOutOfCredit, OUT_OF_CREDIT, parseApiErrorBody, type ParsedApiError } from './errors';
import { validateBaseUrl } from './validation';
import { backoffMs, pause, retryAfterMs, throwIfCancelled } from './pacing';

export const CREDENTIAL_TYPE = 'leonardoAiApi';

/** Where shared code runs: a node's execution (LTX Video) or a webhook call (LTX Video Trigger). */
export type NodeContext = IExecuteFunctions | IWebhookFunctions;

/**
 * `idempotent`: reads and deletes; repeat on network errors, 429 and 5xx.
 * `create`: POST /v2/generations; repeat ONLY a 429 (rejected before anything was made). After a 5xx,
 * a timeout or a dropped connection a generation may exist and be billed: never send it again.
 */
export type RetryPolicy = 'idempotent' | 'create';

export interface ApiCall {
	method: IHttpRequestMethods;
	/** Path below the base URL, e.g. `/v1/generations/<id>`. */
	path: string;
	body?: IDataObject;
	qs?: IDataObject;
	retry: RetryPolicy;
	/** Attempts in all, including the first. */
	maxAttempts?: number;
}

/** An HTTP error answer from Leonardo, with the parsed message for callers that react to it. */
export class LeonardoApiError extends NodeApiError {
	constructor(
		node: INode,
		readonly statusCode: number,
		readonly parsed: ParsedApiError | undefined,
		itemIndex: number | undefined,
		context: string,
		description = fixForStatus(statusCode, parsed),
		/** The answer's Retry-After, when it had one. */
		readonly retryAfterMs?: number,
	) {
		const said = parsed?.message ?? `HTTP ${statusCode}`;
		// Leonardo's own words for it are unknown (a bare 402 says nothing): the message says it first.
		const reason = isOutOfCredit(statusCode, parsed) ? `${OUT_OF_CREDIT} (${said})` : said;
		super(node, { status: statusCode, message: reason } as JsonObject, {
			message: `${context}: ${reason}`,
			description,
			httpCode: String(statusCode),
			itemIndex,
		});
		// n8n's UI and logs key on the class name; keep it the standard one.
		this.name = 'NodeApiError';
	}
}

const API_TIMEOUT_MS = 60_000;
export const UNKNOWN_OUTCOME =
	'Whether Leonardo created (and billed) the video is unknown, so the request was NOT sent again. Before running this item again, look for it among your latest generations (the "Get Many" operation, or your Leonardo library): if it is there, fetch it with "Get" instead of paying twice.';
const DEFAULT_ATTEMPTS = { idempotent: 5, create: 4 } as const;
/**
 * A 429 without Retry-After (none is promised) is waited out over Leonardo's one-minute rate window:
 * 2 + 4 + 8 + 16 + 30 s, then the error. A 429 created nothing, so even a create may be re-sent.
 */
export const RATE_LIMIT_WAITS_MS = [2000, 4000, 8000, 16_000, 30_000];

interface RawResponse {
	statusCode: number;
	body: unknown;
	headers: Record<string, unknown>;
}

function describeCall(call: ApiCall): string {
	if (call.retry === 'create') return 'Leonardo refused to create the video';
	return `Leonardo API request ${call.method} ${call.path.replace(/[0-9a-f-]{36}/gi, '<id>')} failed`;
}

async function sendOnce(ctx: NodeContext, baseUrl: string, call: ApiCall): Promise<RawResponse> {
	return (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, {
		method: call.method,
		url: `${baseUrl}${call.path}`,
		body: call.body,
		qs: call.qs,
		json: true,
		headers: { accept: 'application/json' },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		sendCredentialsOnCrossOriginRedirect: false,
		timeout: API_TIMEOUT_MS,
	})) as RawResponse;
}

/** The base URL of the node's credential, checked (http/https only). */
export async function apiBaseUrl(ctx: NodeContext): Promise<string> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	return validateBaseUrl(credentials.baseUrl ?? 'https://cloud.leonardo.ai/api/rest');
}

/** The credential's secrets: what must never be quoted from an answer (n8n attaches the key; it is read only for this). */
export function secretsOf(credentials: ICredentialDataDecryptedObject): string[] {
	return [credentials.apiKey, credentials.webhookCallbackApiKey].filter((value): value is string => typeof value === 'string' && value !== '');
}

/** secretsOf the node's credential; none when it cannot be read (the quote is still capped). */
export async function credentialSecrets(ctx: NodeContext): Promise<string[]> {
	try {
		return secretsOf(await ctx.getCredentials(CREDENTIAL_TYPE));
	} catch {
		return [];
	}
}

/** Why a request never got an HTTP answer, without echoing request details (headers hold the key). */
function networkReason(error: unknown): string {
	const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
	const code = typeof cause?.code === 'string' ? cause.code : undefined;
	if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return 'the request timed out';
	if (code) return `network error ${code}`;
	return 'the connection failed';
}

export interface CallOptions {
	itemIndex?: number;
	signal?: AbortSignal;
	baseUrl: string;
}

/**
 * One API call with the retry policy applied. Resolves with the JSON body of a 2xx answer; rejects
 * with LeonardoApiError for an error answer, or NodeApiError when no answer came.
 */
export async function callApi<T = unknown>(ctx: NodeContext, call: ApiCall, options: CallOptions): Promise<T> {
	const node = ctx.getNode();
	const maxAttempts = call.maxAttempts ?? DEFAULT_ATTEMPTS[call.retry];
	let rateLimitWaits = 0;
	for (let attempt = 0; ; attempt++) {
		throwIfCancelled(options.signal);
		const lastAttempt = attempt + 1 >= maxAttempts;
		let response: RawResponse;
		try {
			response = await sendOnce(ctx, options.baseUrl, call);
		} catch (error) {
			throwIfCancelled(options.signal);
			if (call.retry === 'idempotent' && !lastAttempt) {
				await pause(backoffMs(attempt), options.signal);
				continue;
			}
			throw new NodeApiError(node, { message: networkReason(error) } as JsonObject, {
				message: `${describeCall(call)}: ${networkReason(error)}`,
				description:
					call.retry === 'create'
						? `No answer came back. ${UNKNOWN_OUTCOME}`
						: 'Leonardo could not be reached. Check the network and the credential’s Base URL, then try again.',
				itemIndex: options.itemIndex,
			});
		}

		const { statusCode } = response;
		if (statusCode >= 200 && statusCode < 300) return response.body as T;

		const retryAfter = retryAfterMs(response.headers['retry-after']);
		if (statusCode === 429 && retryAfter === undefined && maxAttempts > 1 && rateLimitWaits < RATE_LIMIT_WAITS_MS.length) {
			// Not counted as an attempt: the budget for these is the one-minute window.
			await pause(RATE_LIMIT_WAITS_MS[rateLimitWaits++], options.signal);
			attempt--;
			continue;
		}
		// A 429 without Retry-After has had its minute above; one with it is retried within maxAttempts.
		const retryable = (statusCode === 429 && retryAfter !== undefined) || (call.retry === 'idempotent' && statusCode >= 500);
		if (retryable && !lastAttempt) {
			await pause(retryAfter ?? backoffMs(attempt), options.signal);
			continue;
		}
		// Redacted and capped here, before the text reaches the error, the error output or the execution data.
		const parsed = parseApiErrorBody(response.body, await credentialSecrets(ctx));
		const ambiguous = call.retry === 'create' && statusCode >= 500;
		throw new LeonardoApiError(
			node,
			statusCode,
			parsed,
			options.itemIndex,
			describeCall(call),
			ambiguous ? `${fixForStatus(statusCode, parsed)} ${UNKNOWN_OUTCOME}` : undefined,
			retryAfter,
		);
	}
}
