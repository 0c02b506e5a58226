/**
 * Injected faults. A fault answers the next `times` requests of its route, in injection order.
 *
 * Per kind, what the emulator does and whether a faulted create (POST /v2/generations) creates a
 * generation (visible in `emu.generations`, with `createdDuringFault` set to the kind):
 *
 * | kind               | answer                                                        | handler runs / create creates |
 * |--------------------|---------------------------------------------------------------|-------------------------------|
 * | 'status' (default) | `status` (default 500) with `body` (default a §6.1 "Service   | no; yes with `afterHandler`   |
 * |                    | Error" JSON, or S3 XML on the s3/cdn servers) and `headers`   | (if the body was valid)       |
 * | 'html502'          | 502 with an HTML gateway page                                 | no                            |
 * | 'no-generation-id' | 200 `{"generate":{}}` (create route only)                     | no                            |
 * | 'redirect'         | 302 to `location` (required)                                  | no                            |
 * | 'reset'            | the socket is destroyed, nothing is answered                  | yes (if the body was valid)   |
 * | 'hang'             | never answers; the socket is released by `stop()`             | yes (if the body was valid)   |
 * | 'malformed-json'   | `status` (default 200) with the first half of the real JSON   | yes (if the body was valid)   |
 * | 'truncate'         | download only: full headers, about half the body, then the    | (download route only)         |
 * |                    | socket is destroyed                                           |                               |
 * | 'echo-secrets'     | `status` (default 401) with an error whose message echoes the | no                            |
 * |                    | request's Authorization header, all its headers and the key's |                               |
 * |                    | settings (API key, Webhook Callback API Key); `messageLength` |                               |
 * |                    | pads it (JSON on the API, S3 XML elsewhere)                   |                               |
 * | 'out-of-credit'    | API routes: the balance cannot pay. `status` 402 (default)    | no                            |
 * |                    | with "Payment Required" (not saying why), or 400/403 with     |                               |
 * |                    | "You do not have enough API credits…" (REST shape)            |                               |
 *
 * 'reset', 'hang', 'malformed-json' and a 'status' with `afterHandler` on create are the ambiguous cases: the job exists but the
 * client cannot know its id, so a node must never resubmit. `delayMs` delays any kind.
 * 'out-of-credit' is a guess twice over: Leonardo documents neither the status nor the text of a refused
 * balance (leonardo-api.md §6.2, UNKNOWN), so it offers a bare 402 and a 400/403 whose text says it.
 */
import type { BufferedReply, Reply } from './replies.ts';
import { isStreamed, jsonReply, xmlError } from './replies.ts';
import type { FaultKind, FaultSpec, RecordedRequest, RouteName, ServerName } from './types.ts';

/** What an 'echo-secrets' fault repeats back: the request's headers and the key's settings, as Leonardo knows them. */
export interface SecretEcho {
	request: RecordedRequest;
	apiKey: { key: string; webhookCallbackApiKey: string | null };
}

const FAULT_KINDS: readonly FaultKind[] = [
	'status',
	'reset',
	'hang',
	'truncate',
	'html502',
	'malformed-json',
	'no-generation-id',
	'redirect',
	'echo-secrets',
	'out-of-credit',
];

/** Statuses an 'out-of-credit' fault may answer: Payment Required, or a refusal whose text says why. */
const OUT_OF_CREDIT_STATUSES = [402, 400, 403];

const FAULTABLE_ROUTES: readonly RouteName[] = [
	'me',
	'models',
	'initImage',
	's3Upload',
	'create',
	'poll',
	'delete',
	'listByUser',
	'download',
	'poster',
	'imageFile',
	'unknown',
];

/** Kinds that let the real handler run (with its side effects) and then spoil its answer. */
const KINDS_RUNNING_THE_HANDLER: ReadonlySet<FaultKind> = new Set(['reset', 'hang', 'malformed-json', 'truncate']);

const HTML_502 =
	'<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

interface QueuedFault {
	spec: FaultSpec;
	remaining: number;
}

export class FaultQueue {
	private readonly queued: QueuedFault[] = [];

	add(spec: FaultSpec): void {
		assertValidFault(spec);
		this.queued.push({ spec, remaining: spec.times ?? 1 });
	}

	/** The fault answering this request, if any; consumes one of its uses. */
	take(route: RouteName): FaultSpec | undefined {
		const index = this.queued.findIndex((fault) => fault.spec.route === route);
		if (index === -1) return undefined;
		const fault = this.queued[index];
		fault.remaining -= 1;
		if (fault.remaining <= 0) this.queued.splice(index, 1);
		return fault.spec;
	}

	clear(): void {
		this.queued.length = 0;
	}

	get pending(): number {
		return this.queued.reduce((sum, fault) => sum + fault.remaining, 0);
	}
}

export function faultKind(spec: FaultSpec): FaultKind {
	return spec.kind ?? 'status';
}

export function faultRunsHandler(spec: FaultSpec): boolean {
	return KINDS_RUNNING_THE_HANDLER.has(faultKind(spec)) || (faultKind(spec) === 'status' && spec.afterHandler === true);
}

function assertValidFault(spec: FaultSpec): void {
	if (typeof spec !== 'object' || spec === null) throw new Error('a fault must be a FaultSpec object');
	const kind = faultKind(spec);
	if (!FAULTABLE_ROUTES.includes(spec.route)) throw new Error(`fault route must be one of ${FAULTABLE_ROUTES.join(', ')}`);
	if (!FAULT_KINDS.includes(kind)) throw new Error(`fault kind must be one of ${FAULT_KINDS.join(', ')}`);
	if (spec.times !== undefined && !(Number.isInteger(spec.times) && spec.times >= 1)) {
		throw new Error('fault times must be a positive integer');
	}
	if (spec.afterHandler && kind !== 'status') throw new Error("afterHandler applies to kind 'status' only");
	if (kind === 'redirect' && !spec.location) throw new Error("a 'redirect' fault needs a location");
	if (kind === 'truncate' && spec.route !== 'download' && spec.route !== 'imageFile') throw new Error("'truncate' applies to the download and imageFile routes only");
	if (spec.messageLength !== undefined && kind !== 'echo-secrets') throw new Error("messageLength applies to kind 'echo-secrets' only");
	if (kind === 'out-of-credit' && ![undefined, ...OUT_OF_CREDIT_STATUSES].includes(spec.status)) {
		throw new Error(`an 'out-of-credit' fault answers one of ${OUT_OF_CREDIT_STATUSES.join(', ')}`);
	}
	if (kind === 'no-generation-id' && spec.route !== 'create') {
		throw new Error("'no-generation-id' applies to the create route only");
	}
}

/** The answer of a fault whose kind does not run the handler (`echo` feeds 'echo-secrets'). */
export function replyForFault(spec: FaultSpec, server: ServerName, echo?: SecretEcho): BufferedReply {
	const headers = spec.headers ?? {};
	switch (faultKind(spec)) {
		case 'echo-secrets':
			return echoReply(spec, server, echo);
		case 'html502':
			return { status: 502, headers: { 'content-type': 'text/html', ...headers }, body: HTML_502 };
		case 'no-generation-id':
			return jsonReply(200, { generate: {} }, headers);
		case 'out-of-credit':
			return outOfCreditReply(spec);
		case 'redirect':
			return { status: 302, headers: { location: spec.location ?? '/', ...headers } };
		default:
			return statusFaultReply(spec, server);
	}
}

/**
 * An error that repeats the request back, as a misconfigured gateway or a debugging proxy does: the
 * Authorization header verbatim ("Bearer <key>"), every header as JSON (so JSON-escaped) and the key's
 * settings (the webhook envelope's `apiKey` object: the key and its Webhook Callback API Key).
 */
function echoReply(spec: FaultSpec, server: ServerName, echo: SecretEcho | undefined): BufferedReply {
	const status = spec.status ?? 401;
	const headers = echo?.request.headers ?? {};
	const said =
		`The gateway refused ${echo?.request.method ?? ''} ${echo?.request.path ?? ''} with Authorization: ${headers.authorization ?? '(none)'}; ` +
		`key settings ${JSON.stringify(echo?.apiKey ?? {})}; request headers ${JSON.stringify(headers)}`;
	const padding = Math.max(0, (spec.messageLength ?? 0) - 2 * said.length);
	const message = padding > 0 ? `${said} ${'x'.repeat(padding)} ${said}` : said;
	if (server !== 'api') return withHeaders(xmlError(status, 'AccessDenied', message), spec.headers ?? {});
	return jsonReply(status, { error: message, path: '$', code: 'access-denied', request: { headers }, apiKey: echo?.apiKey ?? null }, spec.headers);
}

/** The unkind readings of a balance too low (§6.2: status and text UNKNOWN), in the REST error shape. */
function outOfCreditReply(spec: FaultSpec): BufferedReply {
	const status = spec.status ?? 402;
	const error = status === 402 ? 'Payment Required' : 'You do not have enough API credits to perform this action';
	return jsonReply(status, { error, path: '$', code: 'unexpected' }, spec.headers);
}

function statusFaultReply(spec: FaultSpec, server: ServerName): BufferedReply {
	const status = spec.status ?? 500;
	const headers = spec.headers ?? {};
	if (spec.body === undefined) {
		if (server !== 'api') return withHeaders(xmlError(status, 'InternalError', 'We encountered an internal error. Please try again.'), headers);
		return jsonReply(status, { error: 'Service Error', path: '$', code: 'unexpected' }, headers);
	}
	if (typeof spec.body === 'object') return jsonReply(status, spec.body, headers);
	return { status, headers: { 'content-type': guessContentType(spec.body), ...headers }, body: spec.body };
}

/** 'malformed-json': the real answer cut in half, so it cannot parse. */
export function malformedJsonReply(spec: FaultSpec, realReply: Reply): BufferedReply {
	const text = !isStreamed(realReply) && realReply.body !== undefined ? realReply.body.toString() : '{"generate":{}}';
	const broken = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
	return { status: spec.status ?? 200, headers: { 'content-type': 'application/json; charset=utf-8', ...spec.headers }, body: broken };
}

function withHeaders(reply: BufferedReply, headers: Record<string, string>): BufferedReply {
	return { ...reply, headers: { ...reply.headers, ...headers } };
}

function guessContentType(body: string): string {
	const start = body.trimStart()[0];
	if (start === '{' || start === '[') return 'application/json; charset=utf-8';
	if (start === '<') return 'application/xml';
	return 'text/plain; charset=utf-8';
}
