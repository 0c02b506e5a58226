/**
 * What went wrong, in words a workflow builder can act on. Pure: no n8n context needed, so every
 * message is unit-tested; the node turns these into NodeOperationError / NodeApiError with the item.
 */
import type { INode } from 'n8n-workflow';
import { ExecutionBaseError, NodeOperationError } from 'n8n-workflow';

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

/** n8n's own errors (NodeApiError, NodeOperationError, ...) pass on unchanged; anything else becomes a NodeOperationError. */
export function toNodeError(node: INode, error: unknown): ExecutionBaseError {
	if (error instanceof ExecutionBaseError) return error;
	if (error instanceof InvalidInputError) return new NodeOperationError(node, error.message, { description: error.fix });
	return new NodeOperationError(node, error instanceof Error ? error : String(error));
}

export interface ParsedApiError {
	message: string;
	code?: string;
	/** First field named by a validation error, when the API says which one. */
	field?: string;
	/** Every field named by the error's entries (a validation error may list several issues). */
	fields?: string[];
}

/** The most characters quoted from outside (an answer, a callback): enough to read, never a 1 MB error. */
export const QUOTE_MAX_LENGTH = 500;
export const REDACTED = '***';
/** Shorter values are not redacted: they would turn up by chance in any text and blank it out. */
const MIN_SECRET_LENGTH = 4;

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A secret's spellings that an echo may carry: as is (also inside "Bearer <key>"), JSON-escaped once or
 * twice (a body quoted inside a JSON string), with `\/`, URL-encoded, and base64 (alone or inside a longer
 * base64 text such as a Basic header: each of the three alignments, without the edge characters that
 * depend on the neighbouring bytes).
 */
function spellingsOf(secret: string): string[] {
	const json = JSON.stringify(secret).slice(1, -1);
	const base64 = [0, 1, 2].map((offset) => {
		const encoded = Buffer.from(`${'x'.repeat(offset)}${secret}`).toString('base64').replace(/=+$/, '');
		const partial = (offset + Buffer.byteLength(secret)) % 3;
		const end = partial === 0 ? encoded.length : encoded.length - partial - 1;
		return encoded.slice(offset === 0 ? 0 : 4, end);
	});
	return [secret, json, JSON.stringify(json).slice(1, -1), json.replace(/\//g, '\\/'), encodeURIComponent(secret), ...base64];
}

/** Every spelling of every secret, as one pattern (longest first, case-insensitive: an echo may change case). */
function secretPattern(secrets: readonly string[]): RegExp | undefined {
	const values = secrets.flatMap((secret) => [secret, secret.trim()]).filter((secret) => secret.length >= MIN_SECRET_LENGTH);
	const spellings = [...new Set(values.flatMap(spellingsOf))].filter((spelling) => spelling.length >= MIN_SECRET_LENGTH);
	if (spellings.length === 0) return undefined;
	return new RegExp(spellings.sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'gi');
}

/** `text` with every secret (see spellingsOf) and every password in a URL (`https://user:pass@host`) replaced by ***. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
	const pattern = secretPattern(secrets);
	const redacted = pattern ? text.replace(pattern, REDACTED) : text;
	return redacted.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, `$1${REDACTED}@`);
}

/** Single-line plain text: markup (an HTML error page) removed, whitespace collapsed. */
function plainText(text: string): string {
	return text
		.replace(/<script[\s\S]*?<\/script>/gi, ' ')
		.replace(/<style[\s\S]*?<\/style>/gi, ' ')
		.replace(/<[^>]+>/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
}

/** At most `length` characters, never half of a surrogate pair, with … when cut. */
function capped(text: string, length: number): string {
	if (text.length <= length) return text;
	const cut = /[\uD800-\uDBFF]/.test(text[length - 1]) ? length - 1 : length;
	return `${text.slice(0, cut)}…`;
}

/** Markup is stripped from at most this much of a (redacted) text: its patterns are slow on megabytes of tags. */
const PLAIN_TEXT_SOURCE_LENGTH = 20_000;

/**
 * The one way to quote text that came from outside (an API answer, a storage or CDN answer, a network
 * error, a webhook body) into an error or an output: secrets redacted, single-line, capped. Redacted
 * before anything is cut (a cut could leave half a key) and again after flattening (which joins lines).
 */
export function quoteSafely(text: unknown, secrets: readonly string[] = [], length = QUOTE_MAX_LENGTH): string {
	const redacted = redactSecrets(typeof text === 'string' ? text : String(text ?? ''), secrets);
	const flat = plainText(redacted.slice(0, Math.max(PLAIN_TEXT_SOURCE_LENGTH, length * 4)));
	return capped(redactSecrets(flat, secrets), length);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/** The last name in a JSON path or pointer: `$.parameters.audio`, `/parameters/audio`, `parameters.guidances.end_frame`. */
function lastPathName(path: unknown): string | undefined {
	const names = text(path)?.split(/[./[\]]+/).filter((name) => name && name !== '$' && !/^\d+$/.test(name));
	return names?.[names.length - 1];
}

/**
 * The field one error entry is about. v2 arrays say `extensions.details.field`; JSON-Schema (ajv) errors say
 * `params.additionalProperty` / `params.missingProperty`, else the `instancePath`; REST and GraphQL bodies may
 * only carry a `path`. A path that is just the parameters object names nothing.
 */
function fieldOf(entry: Record<string, unknown>): string | undefined {
	const extensions = isRecord(entry.extensions) ? entry.extensions : {};
	const details = isRecord(extensions.details) ? extensions.details : isRecord(entry.details) ? entry.details : {};
	const params = isRecord(entry.params) ? entry.params : {};
	const named =
		text(details.field) ??
		text(params.additionalProperty) ??
		text(params.missingProperty) ??
		lastPathName(entry.instancePath) ??
		lastPathName(entry.path ?? extensions.path);
	return named === 'parameters' || named === 'body' ? undefined : named;
}

/** One entry's message; an ajv message gets its path in front, as ajv's own errorsText does. */
function messageOf(entry: Record<string, unknown>): string | undefined {
	const message = text(entry.message) ?? text(entry.error);
	if (!message) return undefined;
	const path = text(entry.instancePath)?.replace(/^\//, '').replace(/\//g, '.');
	const property = isRecord(entry.params) ? text(entry.params.additionalProperty) : undefined;
	return [path, message, property && `("${property}")`].filter(Boolean).join(' ');
}

function codeOf(entry: Record<string, unknown>): string | undefined {
	const extensions = isRecord(entry.extensions) ? entry.extensions : {};
	return text(extensions.code) ?? text(entry.code) ?? text(entry.keyword);
}

/** A list of error entries (GraphQL, v2 array, JSON-Schema): the first one's message, every one's field. */
function fromEntries(entries: unknown[], outer?: Record<string, unknown>): ParsedApiError | undefined {
	const records = entries.filter(isRecord);
	const messages = records.map(messageOf).filter((message): message is string => message !== undefined);
	const message = messages[0] ?? text(outer?.message) ?? text(outer?.error);
	if (!message) return undefined;
	const fields = [...new Set(records.map(fieldOf).filter((field): field is string => field !== undefined))];
	const first = records[0] ?? {};
	return {
		message: messages.length > 1 ? `${message} (and ${messages.length - 1} more: ${messages.slice(1, 4).join('; ')})` : message,
		code: codeOf(first) ?? text(outer?.code),
		...(fields.length > 0 ? { field: fields[0], fields } : {}),
	};
}

/** Field names and codes are short; anything longer is not one and is cut like any quote. */
const NAME_MAX_LENGTH = 100;

/**
 * Leonardo's error bodies come in several shapes (leonardo-api.md §6.1), and the validation ones are only
 * partly documented: REST `{error, path, code}`, GraphQL `{errors: [{message, extensions}]}`, a bare array
 * `[{message, extensions: {details: {field}}}]`, and JSON-Schema (ajv) entries `{instancePath, keyword,
 * params, message}`, bare or under `errors` / `details`. All are read here, with the fields they name.
 * Every text taken from the body goes through quoteSafely: an error body (or a proxy's) may echo the
 * request's Authorization header or be megabytes long.
 */
export function parseApiErrorBody(body: unknown, secrets: readonly string[] = []): ParsedApiError | undefined {
	const parsed = readApiErrorBody(body);
	if (!parsed) return undefined;
	const name = (value: string) => quoteSafely(value, secrets, NAME_MAX_LENGTH);
	return {
		message: quoteSafely(parsed.message, secrets),
		code: parsed.code === undefined ? undefined : name(parsed.code),
		...(parsed.field ? { field: name(parsed.field), fields: parsed.fields?.map(name) } : {}),
	};
}

function readApiErrorBody(body: unknown): ParsedApiError | undefined {
	if (typeof body === 'string') {
		const trimmed = body.trim();
		if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
			try {
				return readApiErrorBody(JSON.parse(trimmed));
			} catch {
				// Not JSON after all: quoted as text.
			}
		}
		return trimmed ? { message: trimmed } : undefined;
	}
	if (Array.isArray(body)) return fromEntries(body);
	if (!isRecord(body)) return undefined;
	for (const list of [body.errors, body.details]) {
		if (Array.isArray(list) && list.some(isRecord)) {
			const parsed = fromEntries(list, body);
			// A REST message beside the entries is the headline; the entries still name the fields.
			return parsed && text(body.error) ? { ...parsed, message: `${text(body.error)}: ${parsed.message}` } : parsed;
		}
	}
	if (typeof body.error === 'string' || typeof body.message === 'string') return fromEntries([body]);
	return undefined;
}

/** What to change in the panel when Leonardo refuses a parameter the node sends. */
const FIX_BY_FIELD: Record<string, string> = {
	duration:
		'Choose another "Duration (Seconds)", or a lower "Resolution" (Leonardo may make Fast videos longer than 10 s only at 1080p).',
	width: 'Choose another "Aspect Ratio" or "Resolution" (not every size may be offered at every resolution, e.g. 9:16 or native 4K).',
	height: 'Choose another "Aspect Ratio" or "Resolution" (not every size may be offered at every resolution, e.g. 9:16 or native 4K).',
	mode: 'Choose another "Resolution".',
	prompt_enhance: 'Set "Prompt Enhance" to "Off".',
	prompt: 'Change "Prompt" as the message says.',
	start_frame: 'Check "Start Frame": use an image (binary or an image ID), not the ID of a video.',
	end_frame: 'Check "End Frame": use an image (binary or an image ID), not the ID of a video.',
};

/**
 * How Leonardo answers a create that the balance cannot pay for is not documented (leonardo-api.md §6.2:
 * status and text UNKNOWN). Read as out of credit: 402 Payment Required, or a 400/403 whose text names a
 * balance word and a shortage word (a moderation 403 or a validation 400 names neither pair).
 */
const BALANCE_WORDS = /\b(?:api )?(?:credits?|tokens?|balance|funds)\b/i;
const SHORTAGE_WORDS = /insufficient|(?:not|n['’]t)(?: have)? enough|too low|exhausted|depleted|(?:run|ran) out|out of|top.?up|no (?:more|remaining)/i;

export function isOutOfCredit(status: number, parsed?: ParsedApiError): boolean {
	if (status === 402) return true;
	const said = parsed?.message ?? '';
	return (status === 400 || status === 403) && BALANCE_WORDS.test(said) && SHORTAGE_WORDS.test(said);
}

/** Put before Leonardo's own text in the error message, which may not say it (a bare 402). */
export const OUT_OF_CREDIT = 'your Leonardo account is out of API credit';

/** A refused request (4xx) creates nothing (§6.1), so nothing was made or billed for it. */
const OUT_OF_CREDIT_FIX =
	'Your Leonardo account has run out of API credit (or has too little left for this video). Top up at https://app.leonardo.ai/api-access (Leonardo web app → API Access), then run the workflow again. Leonardo refused the request, so no video was created for it.';

/** The fix to suggest for an HTTP status, where one is known. */
export function fixForStatus(status: number, parsed?: ParsedApiError): string {
	if (isOutOfCredit(status, parsed)) return OUT_OF_CREDIT_FIX;
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
		if (!parsed?.field) return 'Leonardo refused the request. Check the options named in the message.';
		const fix = FIX_BY_FIELD[parsed.field.replace(/^guidances\./, '')];
		return `Leonardo refused the parameter "${parsed.field}". ${fix ?? 'Change or clear that option and run again.'} Nothing was generated or charged.`;
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
	if (parsed.field === field || parsed.fields?.includes(field)) return true;
	return new RegExp(`(^|[^a-z_])${field}([^a-z_]|$)`, 'i').test(parsed.message);
}

/** Added to every error that happens after Leonardo created (and billed) a generation that may still finish. */
export function recoveryHint(generationId: string): string {
	return `Generation ID: ${generationId}. The generation exists on Leonardo and may still finish: fetch it later with the "Get" operation instead of running Generate again (that would pay twice).`;
}

/** Added to an error about a generation that has ended without a video (FAILED, or COMPLETE with no output). */
export function finalHint(generationId: string): string {
	return `Generation ID: ${generationId}. This generation is final: fetching it again with "Get" brings no video. Running Generate again creates (and bills) a new generation.`;
}

/** Get's and the trigger's `message` for a COMPLETE generation without outputs (§2: a reported moderation case, 3P-observed). */
export const COMPLETE_WITHOUT_VIDEO =
	'Leonardo completed the generation without a video and gave no reason (the only reported cause is content moderation removing the output). This generation is final: a new Generate run creates (and bills) a new one.';
