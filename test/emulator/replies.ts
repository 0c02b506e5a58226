/** What handlers return, and builders for the error shapes of docs/leonardo-api.md §6.1 and of S3. */
import { randomUUID } from 'node:crypto';
import type { ValidationErrorShape } from './types.ts';

export interface BufferedReply {
	status: number;
	headers: Record<string, string>;
	body?: string | Buffer;
}

/** A body produced lazily, chunk by chunk, so its size is not bounded by memory. */
export interface StreamedReply {
	status: number;
	headers: Record<string, string>;
	contentLength: number;
	/** Send no Content-Length (chunked transfer): the size is only known once the body is read. */
	omitContentLength?: boolean;
	chunks: () => Iterable<Buffer>;
	/** Called when the body starts to flow (used to record downloadStartedAt). */
	onStart?: () => void;
}

export type Reply = BufferedReply | StreamedReply;

export function isStreamed(reply: Reply): reply is StreamedReply {
	return 'chunks' in reply;
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): BufferedReply {
	return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value) };
}

export function emptyReply(status: number, headers: Record<string, string> = {}): BufferedReply {
	return { status, headers };
}

/** Hasura's REST error body: `{"error","path","code"}`. */
export function restError(status: number, message: string, code: string, path = '$'): BufferedReply {
	return jsonReply(status, { error: message, path, code });
}

export interface ValidationIssue {
	message: string;
	/** A key the endpoint does not know (JSON Schema: an additional property). */
	unexpected?: boolean;
	/** Always carries `field`, the parameter at fault. */
	details: { field: string } & Record<string, unknown>;
}

/** The v2 validation failure: a bare top-level array, HTTP 400 (§6.1). */
export function v2ValidationError(issues: ValidationIssue[]): BufferedReply {
	return jsonReply(
		400,
		issues.map((issue) => ({ message: issue.message, extensions: { code: 'VALIDATION_ERROR', details: issue.details } })),
	);
}

/** `guidances.end_frame` → `$.parameters.guidances.end_frame` / `/parameters/guidances/end_frame`. */
const jsonPath = (field: string) => `$.parameters.${field}`;
const pointer = (field: string) => `/parameters/${field.replace(/\./g, '/')}`;
/** REST and GraphQL bodies name an unexpected key only in their path, not in the message. */
const withoutKeyName = (issue: ValidationIssue) => (issue.unexpected ? 'Unexpected parameter' : issue.message);

/** An ajv-style entry: an unknown key is `additionalProperties` on its parent object (`additionalProperties: false`). */
function schemaEntry(issue: ValidationIssue): Record<string, unknown> {
	const { field } = issue.details;
	if (issue.unexpected) {
		const parent = field.includes('.') ? field.slice(0, field.lastIndexOf('.')) : '';
		const key = field.slice(field.lastIndexOf('.') + 1);
		return {
			instancePath: parent ? pointer(parent) : '/parameters',
			schemaPath: '#/additionalProperties',
			keyword: 'additionalProperties',
			params: { additionalProperty: key },
			message: 'must NOT have additional properties',
		};
	}
	return { instancePath: pointer(field), schemaPath: `#/properties/${field}`, keyword: 'errorMessage', params: {}, message: issue.message };
}

/** The create's validation failure in the configured shape (options.validationErrorShape), HTTP 400. */
export function validationErrorReply(issues: ValidationIssue[], shape: ValidationErrorShape): BufferedReply {
	switch (shape) {
		case 'array':
			return v2ValidationError(issues);
		case 'graphql':
			return jsonReply(400, {
				errors: issues.map((issue) => ({ message: withoutKeyName(issue), extensions: { path: jsonPath(issue.details.field), code: 'validation-failed' } })),
			});
		case 'schema':
			return jsonReply(400, { error: 'request/body/parameters failed schema validation', code: 'VALIDATION_ERROR', details: issues.map(schemaEntry) });
		case 'rest':
			// Hasura's REST layer reports the first error only.
			return restError(400, withoutKeyName(issues[0]), 'validation-failed', jsonPath(issues[0].details.field));
	}
}

/** An S3 / CloudFront style XML error document. */
export function xmlError(status: number, code: string, message: string): BufferedReply {
	const body =
		'<?xml version="1.0" encoding="UTF-8"?>\n' +
		`<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>` +
		`<RequestId>${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}</RequestId></Error>`;
	return { status, headers: { 'content-type': 'application/xml' }, body };
}

function escapeXml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
