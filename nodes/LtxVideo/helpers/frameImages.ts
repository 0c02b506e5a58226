/**
 * Start/end frame images as the node reads them before anything is sent to Leonardo: from the incoming
 * item's binary data, or downloaded from an http(s) link. Either way the bytes themselves must be PNG,
 * JPEG or WebP (a name, MIME type or Content-Type can lie; S3 would store it anyway).
 * A link is fetched with n8n's plain request helper: no credential goes there, and n8n's SSRF
 * protection (N8N_SSRF_PROTECTION_ENABLED) applies to it as to n8n's own nodes.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { UploadImageExtension } from '../../shared/capabilities';
import { InvalidInputError, quoteSafely } from '../../shared/errors';
import { backoffMs, pause, throwIfCancelled } from '../../shared/pacing';

export interface FrameImage {
	bytes: Buffer;
	extension: UploadImageExtension;
	fileName: string;
}

/** The largest image a frame link may return: far above any sensible video frame, and bounded memory. */
export const FRAME_URL_MAX_BYTES = 50 * 1024 * 1024;
/** The whole download of one frame link, connection to last byte. */
export const FRAME_URL_TIMEOUT_SECONDS = 30;
const FRAME_URL_ATTEMPTS = 3;

/** The format from the file's own first bytes. */
export function detectImageFormat(head: Buffer): UploadImageExtension | undefined {
	if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
	if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpg';
	if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp';
	return undefined;
}

const labelOf = (which: string) => which.replace(/\s+/g, '-').toLowerCase();

/** Reads and checks the image in `propertyName` of item `itemIndex`. Sends nothing. */
export async function readFrameImage(ctx: IExecuteFunctions, itemIndex: number, propertyName: string, which: string): Promise<FrameImage> {
	const binary = ctx.getInputData()[itemIndex]?.binary ?? {};
	const meta = binary[propertyName];
	if (!meta) {
		const available = Object.keys(binary);
		throw new InvalidInputError(
			`The input item has no binary property "${propertyName}" for the ${which}`,
			available.length
				? `Set "${which} Binary Property" to one of: ${available.join(', ')}.`
				: `The item carries no binary data. Put an image into it first (e.g. Read/Write Files from Disk or HTTP Request with "File" response), or choose another ${which} source.`,
		);
	}
	const bytes = await ctx.helpers.getBinaryDataBuffer(itemIndex, propertyName);
	const extension = detectImageFormat(bytes.subarray(0, 16));
	if (!extension) {
		throw new InvalidInputError(
			`The ${which} "${meta.fileName ?? propertyName}" (${meta.mimeType || 'unknown type'}) is not a PNG, JPEG or WebP image`,
			'Leonardo accepts PNG, JPEG and WebP images only. Convert the file (e.g. with the Edit Image node) or choose another one.',
		);
	}
	return { bytes, extension, fileName: meta.fileName ?? `${labelOf(which)}.${extension}` };
}

/** A link as errors show it: the query (often a signature or token) is left out. */
export function linkForHumans(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
	} catch {
		return url.slice(0, 100);
	}
}

/** What n8n's request helper hands back for `encoding: 'stream'` (typed loosely: no node:stream import). */
interface StreamResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: AsyncIterable<Buffer> & { destroy(): void };
}

/** A failure worth another attempt (connection, 5xx, 429), with its wording for the final error. */
class TransientFrameError extends Error {
	constructor(
		message: string,
		readonly detail = '',
	) {
		super(message);
	}
}

type RequestFailure = Error & { code?: unknown; description?: unknown; cause?: unknown };

/** The errors along `cause` (n8n may wrap the request library's error). */
function causes(error: unknown): RequestFailure[] {
	const chain: RequestFailure[] = [];
	for (let current = error; current instanceof Error && chain.length < 5; current = (current as RequestFailure).cause) chain.push(current);
	return chain;
}

/** n8n's SSRF protection refused the address (@n8n/backend-network: SsrfBlockedIpError, SsrfBlockedHostnameError). */
const ssrfRefusal = (error: unknown) => causes(error).find((cause) => /^SsrfBlocked/.test(cause.name) || /request was blocked because/i.test(cause.message));

/**
 * Why no answer came, in words. Not the library's text: n8n rewrites any error message that contains
 * a network code (ECONNREFUSED, …) into its own generic sentence, which would lose the link.
 */
function connectionProblem(error: unknown): string {
	const code = causes(error).map((cause) => cause.code).find((value) => typeof value === 'string');
	if (code === 'ECONNREFUSED') return 'refused the connection';
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'has a host name that could not be found';
	if (code === 'ECONNRESET' || /socket hang up/i.test((error as Error).message)) return 'dropped the connection';
	if (typeof code === 'string' && /^(CERT_|ERR_TLS|UNABLE_TO_VERIFY|DEPTH_ZERO|SELF_SIGNED)/.test(code)) return 'has a certificate n8n does not trust';
	return 'could not be reached';
}

/** The whole body, or undefined once it passes the size limit (the rest is not read). */
async function readBody(body: StreamResponse['body']): Promise<Buffer | undefined> {
	const chunks: Buffer[] = [];
	let length = 0;
	for await (const chunk of body) {
		length += chunk.length;
		if (length > FRAME_URL_MAX_BYTES) {
			body.destroy();
			return undefined;
		}
		chunks.push(chunk);
	}
	return Buffer.concat(chunks, length);
}

/** What went wrong on the way to the bytes: final (bad input) or worth another try. */
type FrameFailure = InvalidInputError | TransientFrameError;

/** Words for a request that got no usable answer (the error of n8n's request helper). */
function requestFailure(error: unknown, which: string, link: string, deadline: AbortSignal): FrameFailure {
	const refusal = ssrfRefusal(error);
	if (refusal) {
		return new InvalidInputError(
			`The ${which} link ${link} was blocked by n8n's SSRF protection`,
			`${typeof refusal.description === 'string' ? `${refusal.description} ` : ''}Use a public link, or ask your n8n administrator to allow this host (N8N_SSRF_ALLOWED_HOSTNAMES or N8N_SSRF_ALLOWED_IP_RANGES).`,
		);
	}
	if (deadline.aborted || /timeout/i.test((error as Error).message)) {
		return new InvalidInputError(
			`The ${which} link ${link} did not deliver the image within ${FRAME_URL_TIMEOUT_SECONDS} seconds`,
			`Check that the server behind the link is reachable from n8n and answers quickly, or choose another "${which}" source.`,
		);
	}
	return new TransientFrameError(`The ${which} link ${link} ${connectionProblem(error)}`, quoteSafely((error as Error).message, [], 200));
}

async function downloadOnce(ctx: IExecuteFunctions, url: string, which: string, signal: AbortSignal | undefined): Promise<FrameImage | FrameFailure> {
	const link = linkForHumans(url);
	const tooLarge = new InvalidInputError(
		`The ${which} link ${link} returns more than ${FRAME_URL_MAX_BYTES / 1024 / 1024} MiB`,
		'Use a smaller image (a video frame needs no more than the video’s resolution), e.g. resized with the Edit Image node.',
	);
	const deadline = AbortSignal.timeout(FRAME_URL_TIMEOUT_SECONDS * 1000);
	let response: StreamResponse;
	try {
		response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url,
			headers: { accept: 'image/png, image/jpeg, image/webp, image/*;q=0.8' },
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: FRAME_URL_TIMEOUT_SECONDS * 1000,
			abortSignal: signal ? AbortSignal.any([signal, deadline]) : deadline,
		})) as StreamResponse;
	} catch (error) {
		return requestFailure(error, which, link, deadline);
	}
	if (response.statusCode < 200 || response.statusCode > 299) {
		response.body.destroy();
		const problem = `The ${which} link ${link} answered HTTP ${response.statusCode}`;
		if (response.statusCode >= 500 || response.statusCode === 429) return new TransientFrameError(problem);
		return new InvalidInputError(problem, `Check that the link opens the image in a browser without signing in (a shared link may need "anyone with the link"), or choose another "${which}" source.`);
	}
	if (Number(response.headers['content-length']) > FRAME_URL_MAX_BYTES) {
		response.body.destroy();
		return tooLarge;
	}
	let bytes: Buffer | undefined;
	try {
		bytes = await readBody(response.body);
	} catch (error) {
		return requestFailure(error, which, link, deadline);
	}
	if (!bytes) return tooLarge;
	const extension = detectImageFormat(bytes.subarray(0, 16));
	if (!extension) {
		return new InvalidInputError(
			`The ${which} link ${link} did not return a PNG, JPEG or WebP image (${quoteSafely(response.headers['content-type'] ?? 'no content type', [], 100)}, ${bytes.length} bytes)`,
			'Use a direct link to the image file itself, not to a web page that shows it (in a browser, right-click the image → Copy Image Address).',
		);
	}
	const lastSegment = new URL(url).pathname.split('/').pop() ?? '';
	return { bytes, extension, fileName: /\.\w+$/.test(lastSegment) ? lastSegment : `${labelOf(which)}.${extension}` };
}

/** Downloads and checks the image at `url` (validated http(s)). Connection errors, 5xx and 429 are tried again. */
export async function downloadFrameImage(ctx: IExecuteFunctions, url: string, which: string, signal?: AbortSignal): Promise<FrameImage> {
	for (let attempt = 1; ; attempt++) {
		const outcome = await downloadOnce(ctx, url, which, signal);
		throwIfCancelled(signal);
		if (!(outcome instanceof Error)) return outcome;
		if (outcome instanceof InvalidInputError) throw outcome;
		if (attempt >= FRAME_URL_ATTEMPTS) {
			throw new InvalidInputError(
				`${outcome.message} (${FRAME_URL_ATTEMPTS} tries)`,
				`The server behind the link failed${outcome.detail ? ` (${outcome.detail})` : ''}. Nothing was sent to Leonardo. Try again later, or choose another "${which}" source.`,
			);
		}
		await pause(backoffMs(attempt - 1), signal);
	}
}

/**
 * One download per distinct link per execution: a batch whose items all start from the same product
 * photo fetches it once (the upload is shared too: FrameUploads). A failed link fails every item using it.
 */
export class FrameImageDownloads {
	private readonly downloads = new Map<string, Promise<FrameImage>>();

	constructor(private readonly ctx: IExecuteFunctions) {}

	async fetch(url: string, which: string): Promise<FrameImage> {
		// Keyed by frame too, so a failed link's error names the field it came from.
		const key = `${which}\n${url}`;
		let download = this.downloads.get(key);
		if (!download) {
			download = downloadFrameImage(this.ctx, url, which, this.ctx.getExecutionCancelSignal());
			this.downloads.set(key, download);
		}
		return await download;
	}
}
