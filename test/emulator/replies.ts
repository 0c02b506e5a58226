/** What handlers return, and builders for the error shapes of leonardo-api.md §6.1 and of S3. */
import { randomUUID } from 'node:crypto';

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
