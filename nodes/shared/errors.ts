/**
 * What went wrong, in words a workflow builder can act on. Pure: no n8n context needed, so every
 * message is unit-tested; the node turns these into NodeOperationError / NodeApiError with the item.
 */

/** Bad input found before any request was sent (nothing was paid for). */
export class InvalidInputError extends Error {
	constructor(
		message: string,
		readonly fix: string,
	) {
		super(message);
		this.name = 'InvalidInputError';
	}
}

export interface ParsedApiError {
	message: string;
	code?: string;
	/** Field named by a v2 validation error, when the API says which one. */
	field?: string;
}

const EXCERPT_LENGTH = 300;

/** A short, single-line excerpt: never echo a whole response body (it may be a large HTML page). */
export function excerpt(text: string, length = EXCERPT_LENGTH): string {
	const plain = text
		.replace(/<script[\s\S]*?<\/script>/gi, ' ')
		.replace(/<style[\s\S]*?<\/style>/gi, ' ')
		.replace(/<[^>]+>/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
	return plain.length > length ? `${plain.slice(0, length)}…` : plain;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

function fromGraphqlError(entry: unknown): ParsedApiError | undefined {
	if (!isRecord(entry) || typeof entry.message !== 'string') return undefined;
	const extensions = isRecord(entry.extensions) ? entry.extensions : {};
	const details = isRecord(extensions.details) ? extensions.details : {};
	return {
		message: entry.message,
		code: typeof extensions.code === 'string' ? extensions.code : undefined,
		field: typeof details.field === 'string' ? details.field : undefined,
	};
}

/**
 * Leonardo answers errors in three shapes (leonardo-api.md §6.1): REST `{error, path, code}`,
 * GraphQL `{errors: [{message, extensions}]}`, and a bare array `[{message, extensions}]`.
 */
export function parseApiErrorBody(body: unknown): ParsedApiError | undefined {
	if (typeof body === 'string') {
		const trimmed = body.trim();
		if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
			try {
				return parseApiErrorBody(JSON.parse(trimmed));
			} catch {
				// Not JSON after all: fall through to the excerpt.
			}
		}
		return trimmed ? { message: excerpt(trimmed) } : undefined;
	}
	if (Array.isArray(body)) return fromGraphqlError(body[0]);
	if (!isRecord(body)) return undefined;
	if (typeof body.error === 'string') {
		return { message: body.error, code: typeof body.code === 'string' ? body.code : undefined };
	}
	if (Array.isArray(body.errors)) return fromGraphqlError(body.errors[0]);
	if (typeof body.message === 'string') return { message: body.message };
	return undefined;
}

/** The fix to suggest for an HTTP status, where one is known. */
export function fixForStatus(status: number, parsed?: ParsedApiError): string {
	if (status === 401) {
		return 'Check the API key in the Leonardo.AI API credential (Leonardo web app → API Access). The key is a UUID.';
	}
	if (status === 403) {
		return 'Leonardo’s content moderation refused the request. Rephrase the prompt or use another image.';
	}
	if (status === 429) {
		return 'Leonardo rate-limited the account. Lower "Max Concurrent Generations" or run fewer items at once, then try again.';
	}
	if (status === 400 || status === 422) {
		return parsed?.field
			? `Leonardo refused the parameter "${parsed.field}". Change or clear that option and run again.`
			: 'Leonardo refused the request. Check the options named in the message.';
	}
	if (status === 500 && /authorization hook/i.test(parsed?.message ?? '')) {
		return 'Leonardo could not check the API key. Make sure the key in the credential is complete (a UUID), or try again in a minute.';
	}
	if (status >= 500) return 'Leonardo had a server problem. Try again later.';
	return 'Check the request options and try again.';
}

/** Whether a 400 validation error says that `field` is not accepted (so a corrected re-send is safe). */
export function validationErrorNames(parsed: ParsedApiError | undefined, field: string): boolean {
	if (!parsed) return false;
	if (parsed.field === field) return true;
	return new RegExp(`(^|[^a-z_])${field}([^a-z_]|$)`, 'i').test(parsed.message);
}

/** Added to every error that happens after Leonardo created (and billed) a generation. */
export function recoveryHint(generationId: string): string {
	return `Generation ID: ${generationId}. The generation exists on Leonardo and may still finish: fetch it later with the "Get" operation instead of running Generate again (that would pay twice).`;
}
