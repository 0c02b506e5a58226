/**
 * The S3 bucket behind init-image presigned POSTs (§3.2): multipart/form-data with every presigned
 * field, exact values, the `file` part last, no Authorization header, before the policy expires.
 */
import type { Exchange, ServerApp } from './http.ts';
import { drain } from './http.ts';
import type { FormPart } from './multipart.ts';
import { boundaryOf, MultipartError, parseMultipart } from './multipart.ts';
import type { Reply } from './replies.ts';
import { emptyReply, xmlError } from './replies.ts';
import { policySignatureIsValid } from './signing.ts';
import type { EmulatorState } from './state.ts';
import type { ImageExtension, MultipartSummary, UploadedImage } from './types.ts';

type UploadForm = { kind: 'parts'; parts: FormPart[] } | { kind: 'malformed'; reason: string } | { kind: 'not-multipart' };

const MAGIC_CHECKS: Record<ImageExtension, (head: Buffer) => boolean> = {
	png: (head) => head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
	jpg: isJpeg,
	jpeg: isJpeg,
	webp: (head) => head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP',
};

function extensionOfKey(key: string | undefined): ImageExtension | undefined {
	const extension = key?.split('.').pop();
	return extension !== undefined && Object.hasOwn(MAGIC_CHECKS, extension) ? (extension as ImageExtension) : undefined;
}

function isJpeg(head: Buffer): boolean {
	return head.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]));
}

export function s3ServerApp(state: EmulatorState): ServerApp<UploadForm> {
	return {
		name: 's3',
		classify: (method, path) => (method === 'POST' && path === '/' ? 's3Upload' : 'unknown'),
		readBody: readUploadForm,
		handle: (exchange, form) =>
			exchange.record.route === 's3Upload'
				? handleUpload(state, exchange, form)
				: xmlError(404, 'NoSuchKey', 'The specified key does not exist.'),
	};
}

async function readUploadForm({ req, record }: Exchange): Promise<UploadForm> {
	const boundary = boundaryOf(req.headers['content-type']);
	if (!boundary) {
		await drain(req);
		return { kind: 'not-multipart' };
	}
	try {
		const parts = await parseMultipart(req as AsyncIterable<Buffer>, boundary);
		record.body = summarize(parts);
		return { kind: 'parts', parts };
	} catch (error) {
		if (!(error instanceof MultipartError)) throw error;
		record.body = { fields: [], fileBytes: 0, fileMagicOk: false, parseError: error.message } satisfies MultipartSummary;
		return { kind: 'malformed', reason: error.message };
	}
}

/** What is recorded; the declared extension is the one in the presigned `key` (users/…/<id>.<ext>). */
function summarize(parts: FormPart[]): MultipartSummary {
	const file = parts.find((part) => part.isFile);
	const extension = extensionOfKey(parts.find((part) => part.name === 'key')?.value);
	const summary: MultipartSummary = {
		fields: parts.map((part) => part.name),
		fileBytes: file?.size ?? 0,
		...(file?.sha256 ? { fileSha256: file.sha256 } : {}),
		fileMagicOk: file !== undefined && extension !== undefined && MAGIC_CHECKS[extension](file.head),
	};
	if (file?.fileName !== undefined) summary.fileName = file.fileName;
	return summary;
}

function handleUpload(state: EmulatorState, { req }: Exchange, form: UploadForm): Reply {
	if (req.headers.authorization !== undefined) {
		return xmlError(403, 'AccessDenied', 'Only one auth mechanism allowed; only the X-Amz-Algorithm form field or the Authorization header should be specified');
	}
	// S3 takes no chunked upload (Transfer-Encoding: chunked) on a POST: the length must be declared.
	if (req.headers['content-length'] === undefined) return xmlError(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
	if (form.kind === 'not-multipart') {
		return xmlError(412, 'PreconditionFailed', 'Bucket POST must be of the enclosure-type multipart/form-data');
	}
	if (form.kind === 'malformed') {
		return xmlError(400, 'MalformedPOSTRequest', `The body of your POST request is not well-formed multipart/form-data: ${form.reason}`);
	}
	const structureError = checkFormStructure(form.parts);
	if (structureError) return structureError;
	const fields = textFields(form.parts);
	const upload = state.uploadByKey(fields.key);
	if (!upload) return xmlError(403, 'AccessDenied', `Invalid according to Policy: Policy Condition failed: ["eq", "$key", "${fields.key}"]`);
	const fieldError = checkFields(state, upload, fields);
	if (fieldError) return fieldError;
	if (Date.now() > upload.expiresAt) return xmlError(403, 'AccessDenied', 'Request has expired');

	const summary = summarize(form.parts);
	Object.assign(upload, { uploaded: true, uploadedAt: Date.now(), receivedBytes: summary.fileBytes, magicMatches: summary.fileMagicOk });
	return emptyReply(204);
}

/** Exactly one `file` part, and it is the last; every other part is a text field, once. */
function checkFormStructure(parts: FormPart[]): Reply | undefined {
	const files = parts.filter((part) => part.isFile);
	if (files.length !== 1) return xmlError(400, 'InvalidArgument', 'POST requires exactly one file upload per request.');
	if (parts.at(-1) !== files[0]) return xmlError(400, 'InvalidArgument', 'The file must be the last field in the form.');
	const names = parts.map((part) => part.name);
	const repeated = names.find((name, index) => names.indexOf(name) !== index);
	if (repeated) return xmlError(400, 'InvalidArgument', `Field ${repeated} appears more than once.`);
	if (!names.includes('key')) return xmlError(400, 'InvalidArgument', "Bucket POST must contain a field named 'key'.");
	return undefined;
}

function textFields(parts: FormPart[]): Record<string, string> {
	return Object.fromEntries(parts.filter((part) => !part.isFile).map((part) => [part.name, part.value ?? '']));
}

/** The presigned fields, all present, none extra, values unchanged (the signature covers the policy). */
function checkFields(state: EmulatorState, upload: UploadedImage, fields: Record<string, string>): Reply | undefined {
	const expected = upload.fields;
	const missing = Object.keys(expected).filter((name) => !(name in fields));
	if (missing.length > 0) return xmlError(400, 'InvalidArgument', `Bucket POST must contain the field(s): ${missing.join(', ')}`);
	const extra = Object.keys(fields).filter((name) => !(name in expected));
	if (extra.length > 0) return xmlError(400, 'InvalidArgument', `Invalid according to Policy: Extra input fields: ${extra.join(', ')}`);
	if (!policySignatureIsValid(state.secret, fields.Policy, fields['X-Amz-Signature']) || fields.Policy !== expected.Policy) {
		return xmlError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
	}
	const changed = Object.keys(expected).find((name) => fields[name] !== expected[name]);
	if (changed) {
		return xmlError(403, 'AccessDenied', `Invalid according to Policy: Policy Condition failed: ["eq", "$${changed}", "${expected[changed]}"]`);
	}
	return undefined;
}
