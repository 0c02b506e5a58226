/**
 * The probe's HTTP side: Node's fetch, the API key only on requests to the API base URL, no
 * redirects followed with it, and one redaction step that every recorded or printed value passes.
 * Not the node's transport: that one is n8n's request helper, which needs a running n8n.
 */

export interface Answer {
	status: number;
	/** Header names lower-cased. */
	headers: Record<string, string>;
	/** Parsed JSON, or the text when the body is not JSON; undefined when empty. */
	body: unknown;
	ms: number;
	/** Set when no HTTP answer came (network error, timeout). */
	networkError?: string;
}

const API_TIMEOUT_MS = 60_000;

/** The node's redaction of one text (nodes/shared/errors.ts): every spelling of a secret an echo may carry. */
export type RedactText = (text: string, secrets: readonly string[]) => string;

/** A deep copy of `value` in which every string (keys included) went through `redactText`. */
export function redact<T>(value: T, secrets: readonly string[], redactText: RedactText): T {
	const scrub = (item: unknown): unknown => {
		if (typeof item === 'string') return redactText(item, secrets);
		if (Array.isArray(item)) return item.map(scrub);
		if (item !== null && typeof item === 'object') {
			return Object.fromEntries(Object.entries(item).map(([key, entry]) => [scrub(key) as string, scrub(entry)]));
		}
		return item;
	};
	return scrub(value) as T;
}

function headersOf(response: Response): Record<string, string> {
	const headers: Record<string, string> = {};
	response.headers.forEach((value, name) => {
		headers[name.toLowerCase()] = value;
	});
	return headers;
}

async function readBody(response: Response): Promise<unknown> {
	const text = await response.text();
	if (text === '') return undefined;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text.length > 4000 ? `${text.slice(0, 4000)}…` : text;
	}
}

function reasonOf(error: unknown): string {
	const cause = (error as { cause?: { code?: unknown } })?.cause;
	if (typeof cause?.code === 'string') return cause.code;
	if ((error as Error)?.name === 'TimeoutError') return 'timeout';
	return (error as Error)?.message ?? String(error);
}

/** Calls to `<baseUrl>/v1|v2/...` with `authorization: Bearer <key>`. */
export class ApiClient {
	readonly baseUrl: string;
	readonly #key: string;
	/** Every API request sent, in order (method and path only: never headers). */
	readonly sent: Array<{ method: string; path: string; status: number }> = [];

	constructor(baseUrl: string, key: string) {
		this.baseUrl = baseUrl.replace(/\/+$/, '');
		this.#key = key;
	}

	/** `key` replaces the configured key for this one call (the bad-key probes). */
	async call(method: string, path: string, body?: unknown, key: string = this.#key): Promise<Answer> {
		const started = Date.now();
		const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${key}` };
		if (body !== undefined) headers['content-type'] = 'application/json';
		try {
			const response = await fetch(`${this.baseUrl}${path}`, {
				method,
				headers,
				body: body === undefined ? undefined : JSON.stringify(body),
				// A redirect would carry the key elsewhere: it is recorded, never followed.
				redirect: 'manual',
				signal: AbortSignal.timeout(API_TIMEOUT_MS),
			});
			const answer = { status: response.status, headers: headersOf(response), body: await readBody(response), ms: Date.now() - started };
			this.sent.push({ method, path, status: answer.status });
			return answer;
		} catch (error) {
			this.sent.push({ method, path, status: 0 });
			return { status: 0, headers: {}, body: undefined, ms: Date.now() - started, networkError: reasonOf(error) };
		}
	}
}

/** A request to another host (CDN, S3): never with the API key, so a redirect may be followed where asked. */
export async function plainRequest(url: string, init: RequestInit = {}, timeoutMs = API_TIMEOUT_MS): Promise<{ response?: Response; networkError?: string }> {
	try {
		return { response: await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(timeoutMs) }) };
	} catch (error) {
		return { networkError: reasonOf(error) };
	}
}

export { headersOf };
