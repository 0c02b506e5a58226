/**
 * Start/end frame images as the node reads them before anything is sent to Leonardo: from the incoming
 * item's binary data, or downloaded from an http(s) link. Either way the bytes themselves must be PNG,
 * JPEG or WebP (a name, MIME type or Content-Type can lie; S3 would store it anyway).
 * A link is fetched with n8n's plain request helper: no credential goes there, and n8n's SSRF
 * protection (N8N_SSRF_PROTECTION_ENABLED) applies to it as to n8n's own nodes. On top of that the node
 * itself refuses links to the user's own network (privateAddresses.ts), at every redirect hop, unless
 * the user allows them (Options → Allow Private Links).
 *
 * Memory: every item is checked before the first create, but the check keeps no bytes, only what the
 * image is (format, size, SHA-256). The bytes are read again for the upload, just before the item's
 * create, into one Blob (copied chunk by chunk as they arrive, so no second whole copy is ever built),
 * which the upload streams as it is and which nothing references once the upload is done. So a batch
 * holds about (items in flight) × FRAME_MAX_BYTES, not every item's frames. The binary store (n8n's
 * other place for bytes) was not used for this: in n8n 1.x's default memory mode it keeps them in
 * memory anyway, as base64.
 */
import { createHash } from 'crypto';
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import type { UploadImageExtension } from '../../shared/capabilities';
import { InvalidInputError, quoteSafely } from '../../shared/errors';
import { backoffMs, pause, throwIfCancelled } from '../../shared/pacing';
import { privateHostKind } from './privateAddresses';

/** The bytes of a frame image, read for its upload. */
export interface FrameImage {
	bytes: Blob;
	extension: UploadImageExtension;
	fileName: string;
}

/** What the check keeps of a frame image: what it is, not its bytes; `read` gets them for the upload. */
export interface CheckedFrame {
	extension: UploadImageExtension;
	fileName: string;
	sha256: string;
	read(): Promise<FrameImage>;
}

/** The largest frame image (link or binary): far above any sensible video frame, and bounded memory. */
export const FRAME_MAX_BYTES = 50 * 1024 * 1024;
const FRAME_MAX_MIB = FRAME_MAX_BYTES / 1024 / 1024;
/** The whole download of one frame link, connection to last byte. */
export const FRAME_URL_TIMEOUT_SECONDS = 30;
const FRAME_URL_ATTEMPTS = 3;
/** Redirects followed (by the node itself, so that every hop's host is checked). */
const FRAME_URL_MAX_REDIRECTS = 5;
const SMALLER_IMAGE = 'Use a smaller image (a video frame needs no more than the video’s resolution), e.g. resized with the Edit Image node.';

/** The format from the file's own first bytes. */
export function detectImageFormat(head: Buffer): UploadImageExtension | undefined {
	if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
	if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpg';
	if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp';
	return undefined;
}

const labelOf = (which: string) => which.replace(/\s+/g, '-').toLowerCase();

/** What reading an image's bytes found out; `bytes` only when asked to keep them. */
interface ReadBytes {
	size: number;
	sha256: string;
	head: Buffer;
	bytes?: Blob;
}

/**
 * Reads `chunks` whole (hashing them; kept only with `keep`), or undefined once past FRAME_MAX_BYTES (the
 * rest is not read). Kept chunks are copied into small Blobs one by one and joined at the end (a Blob
 * made of Blobs shares their memory): a Buffer.concat would hold every chunk and the whole copy at once.
 */
async function readBytes(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer>, keep: boolean, stop: () => void): Promise<ReadBytes | undefined> {
	const hash = createHash('sha256');
	const kept: Blob[] = [];
	let head = Buffer.alloc(0);
	let size = 0;
	for await (const chunk of chunks) {
		const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		size += buffer.length;
		if (size > FRAME_MAX_BYTES) {
			stop();
			return undefined;
		}
		hash.update(buffer);
		if (head.length < 16) head = Buffer.concat([head, buffer.subarray(0, 16)]);
		if (keep) kept.push(new Blob([buffer]));
	}
	return { size, sha256: hash.digest('hex'), head, bytes: keep ? new Blob(kept) : undefined };
}

/** The field `propertyName` of the item's binary data: its own fields only (`constructor` is no binary). */
function binaryField(ctx: IExecuteFunctions, itemIndex: number, propertyName: string, which: string): IBinaryData {
	const binary = ctx.getInputData()[itemIndex]?.binary ?? {};
	if (Object.prototype.hasOwnProperty.call(binary, propertyName)) return binary[propertyName];
	const available = Object.keys(binary);
	throw new InvalidInputError(
		`The input item has no binary property "${propertyName}" for the ${which}`,
		available.length
			? `Set "${which} Binary Property" to one of: ${available.join(', ')}.`
			: `The item carries no binary data. Put an image into it first (e.g. Read/Write Files from Disk or HTTP Request with "File" response), or choose another ${which} source.`,
	);
}

/**
 * The binary's size without reading it: from n8n's binary store (filesystem, database, S3 modes) or
 * from the base64 text held in the item (n8n 1.x memory mode). Undefined when the store does not say.
 */
async function binarySize(ctx: IExecuteFunctions, meta: IBinaryData): Promise<number | undefined> {
	if (meta.id) {
		const { fileSize } = await ctx.helpers.getBinaryMetadata(meta.id).catch(() => ({ fileSize: undefined }));
		return typeof fileSize === 'number' ? fileSize : undefined;
	}
	const base64 = meta.data.replace(/=+$/, '');
	return Math.floor((base64.length * 3) / 4);
}

/** Base64 text per slice (a multiple of 4 characters): decoded a slice at a time, never whole. */
const BASE64_SLICE = 4 * 256 * 1024;

function* decodeBase64(text: string): Iterable<Buffer> {
	for (let start = 0; start < text.length; start += BASE64_SLICE) yield Buffer.from(text.slice(start, start + BASE64_SLICE), 'base64');
}

/** The binary's bytes as chunks: streamed from the store, or decoded from the item (memory mode). */
async function binaryChunks(ctx: IExecuteFunctions, meta: IBinaryData): Promise<(AsyncIterable<Buffer> | Iterable<Buffer>) & { destroy?(): void }> {
	if (meta.id) return (await ctx.helpers.getBinaryStream(meta.id)) as AsyncIterable<Buffer> & { destroy(): void };
	return decodeBase64(meta.data);
}

/**
 * Checks the image in `propertyName` of item `itemIndex`: its size (from the metadata, before reading),
 * then its format. Sends nothing; keeps no bytes (`read` reads them again for the upload).
 */
export async function checkBinaryFrame(ctx: IExecuteFunctions, itemIndex: number, propertyName: string, which: string): Promise<CheckedFrame> {
	const meta = binaryField(ctx, itemIndex, propertyName, which);
	const name = meta.fileName ?? propertyName;
	const tooLarge = (size?: number) => {
		const bytes = size === undefined ? '' : ` (${size} bytes)`;
		return new InvalidInputError(`The ${which} "${name}" is larger than the ${FRAME_MAX_MIB} MiB limit for frame images${bytes}`, SMALLER_IMAGE);
	};
	const size = await binarySize(ctx, meta);
	if (size !== undefined && size > FRAME_MAX_BYTES) throw tooLarge(size);
	const readBinary = async (keep: boolean) => {
		const chunks = await binaryChunks(ctx, meta);
		// A store that gave no size: counted while reading.
		const facts = await readBytes(chunks, keep, () => chunks.destroy?.());
		if (!facts) throw tooLarge();
		return facts;
	};
	const facts = await readBinary(false);
	const extension = detectImageFormat(facts.head);
	if (!extension) {
		throw new InvalidInputError(
			`The ${which} "${name}" (${meta.mimeType || 'unknown type'}) is not a PNG, JPEG or WebP image`,
			'Leonardo accepts PNG, JPEG and WebP images only. Convert the file (e.g. with the Edit Image node) or choose another one.',
		);
	}
	const fileName = meta.fileName ?? `${labelOf(which)}.${extension}`;
	return {
		extension,
		fileName,
		sha256: facts.sha256,
		read: async () => ({ bytes: (await readBinary(true)).bytes!, extension, fileName }),
	};
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

/** How a frame link is fetched: whether the user allows their own network, whether the bytes are kept. */
export interface FrameLinkSettings {
	allowPrivateLinks: boolean;
	keepBytes: boolean;
}

/**
 * Refuses `url` (the link, or a redirect hop `from` it) when its host is on the user's own network and
 * private links are not allowed. Sends nothing.
 */
export function refusePrivateLink(url: string, which: string, from?: string): void {
	const kind = privateHostKind(new URL(url).hostname);
	if (!kind) return;
	const where = from ? `${linkForHumans(from)} redirects to ${linkForHumans(url)}, ${kind}` : `${linkForHumans(url)} points to ${kind}`;
	throw new InvalidInputError(
		`The ${which} link ${where}, which the node does not fetch`,
		`Links to loopback, private, link-local or unspecified addresses (your own machine or network) are refused, so that a link from a form or an AI agent cannot read internal services. Use a public link; if the image is on your network on purpose, turn on Options → "Allow Private Links".`,
	);
}

const isRedirect = (status: number) => [301, 302, 303, 307, 308].includes(status);

/** The answer at the end of `url`'s redirects, each hop's host checked before it is requested. */
async function requestFollowingRedirects(
	ctx: IExecuteFunctions,
	url: string,
	which: string,
	settings: FrameLinkSettings,
	abortSignal: AbortSignal,
): Promise<{ response: StreamResponse; finalUrl: string } | FrameFailure> {
	let current = url;
	for (let redirects = 0; ; redirects++) {
		const response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url: current,
			headers: { accept: 'image/png, image/jpeg, image/webp, image/*;q=0.8' },
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			// Followed below instead, so that no hop reaches a host the check would refuse.
			disableFollowRedirect: true,
			timeout: FRAME_URL_TIMEOUT_SECONDS * 1000,
			abortSignal,
		})) as StreamResponse;
		const location = response.headers.location;
		if (!isRedirect(response.statusCode) || typeof location !== 'string') return { response, finalUrl: current };
		response.body.destroy();
		const next = URL.canParse(location, current) ? new URL(location, current) : undefined;
		if (!next || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
			return new InvalidInputError(`The ${which} link ${linkForHumans(url)} redirects to a link that is not http(s)`, `Use a direct link to the image file itself, or choose another "${which}" source.`);
		}
		if (redirects >= FRAME_URL_MAX_REDIRECTS) {
			return new InvalidInputError(`The ${which} link ${linkForHumans(url)} redirects more than ${FRAME_URL_MAX_REDIRECTS} times`, `Use the final, direct link to the image file, or choose another "${which}" source.`);
		}
		if (!settings.allowPrivateLinks) refusePrivateLink(next.href, which, current);
		current = next.href;
	}
}

interface DownloadedFrame {
	extension: UploadImageExtension;
	fileName: string;
	facts: ReadBytes;
}

async function downloadOnce(ctx: IExecuteFunctions, url: string, which: string, settings: FrameLinkSettings, signal: AbortSignal | undefined): Promise<DownloadedFrame | FrameFailure> {
	const link = linkForHumans(url);
	const tooLarge = new InvalidInputError(`The ${which} link ${link} returns more than ${FRAME_MAX_MIB} MiB`, SMALLER_IMAGE);
	const deadline = AbortSignal.timeout(FRAME_URL_TIMEOUT_SECONDS * 1000);
	let answer: Awaited<ReturnType<typeof requestFollowingRedirects>>;
	try {
		answer = await requestFollowingRedirects(ctx, url, which, settings, signal ? AbortSignal.any([signal, deadline]) : deadline);
	} catch (error) {
		if (error instanceof InvalidInputError) return error;
		return requestFailure(error, which, link, deadline);
	}
	if (answer instanceof Error) return answer;
	const { response, finalUrl } = answer;
	if (response.statusCode < 200 || response.statusCode > 299) {
		response.body.destroy();
		const problem = `The ${which} link ${link} answered HTTP ${response.statusCode}`;
		if (response.statusCode >= 500 || response.statusCode === 429) return new TransientFrameError(problem);
		return new InvalidInputError(problem, `Check that the link opens the image in a browser without signing in (a shared link may need "anyone with the link"), or choose another "${which}" source.`);
	}
	if (Number(response.headers['content-length']) > FRAME_MAX_BYTES) {
		response.body.destroy();
		return tooLarge;
	}
	let facts: ReadBytes | undefined;
	try {
		facts = await readBytes(response.body, settings.keepBytes, () => response.body.destroy());
	} catch (error) {
		return requestFailure(error, which, link, deadline);
	}
	if (!facts) return tooLarge;
	const extension = detectImageFormat(facts.head);
	if (!extension) {
		return new InvalidInputError(
			`The ${which} link ${link} did not return a PNG, JPEG or WebP image (${quoteSafely(response.headers['content-type'] ?? 'no content type', [], 100)}, ${facts.size} bytes)`,
			'Use a direct link to the image file itself, not to a web page that shows it (in a browser, right-click the image → Copy Image Address).',
		);
	}
	const lastSegment = new URL(finalUrl === url ? url : finalUrl).pathname.split('/').pop() ?? '';
	return { extension, fileName: /\.\w+$/.test(lastSegment) ? lastSegment : `${labelOf(which)}.${extension}`, facts };
}

/**
 * Downloads and checks the image at `url` (validated http(s)). Connection errors, 5xx and 429 are tried
 * again; a link to the user's own network is refused before any request unless allowed.
 */
export async function downloadFrameImage(ctx: IExecuteFunctions, url: string, which: string, settings: FrameLinkSettings, signal?: AbortSignal): Promise<DownloadedFrame> {
	if (!settings.allowPrivateLinks) refusePrivateLink(url, which);
	for (let attempt = 1; ; attempt++) {
		const outcome = await downloadOnce(ctx, url, which, settings, signal);
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
 * Frame links, checked once per distinct link per execution (a batch whose items all start from the
 * same product photo fetches it once to check it; a failed link fails every item using it). The check
 * keeps no bytes: the upload downloads the link a second time (once per distinct image, FrameUploads),
 * just before the first create that needs it. So a link must still work then; if it no longer does,
 * that item fails before its create, and nothing is paid.
 */
export class FrameLinks {
	private readonly checks = new Map<string, Promise<CheckedFrame>>();

	constructor(private readonly ctx: IExecuteFunctions) {}

	async check(url: string, which: string, allowPrivateLinks: boolean): Promise<CheckedFrame> {
		// Keyed by frame too, so a failed link's error names the field it came from.
		const key = `${which}\n${allowPrivateLinks}\n${url}`;
		let check = this.checks.get(key);
		if (!check) {
			check = this.checkOnce(url, which, allowPrivateLinks);
			this.checks.set(key, check);
		}
		return await check;
	}

	private async checkOnce(url: string, which: string, allowPrivateLinks: boolean): Promise<CheckedFrame> {
		const signal = this.ctx.getExecutionCancelSignal();
		const { extension, fileName, facts } = await downloadFrameImage(this.ctx, url, which, { allowPrivateLinks, keepBytes: false }, signal);
		const read = async (): Promise<FrameImage> => {
			const again = await downloadFrameImage(this.ctx, url, which, { allowPrivateLinks, keepBytes: true }, signal).catch((error: unknown) => {
				if (!(error instanceof InvalidInputError)) throw error;
				throw new InvalidInputError(
					error.message,
					`${error.fix} The link worked when the node checked the items; it is downloaded again just before the upload, so it must stay valid until then (a signed link may have expired). Nothing was created for this item.`,
				);
			});
			return { bytes: again.facts.bytes!, extension: again.extension, fileName: again.fileName };
		};
		return { extension, fileName, sha256: facts.sha256, read };
	}
}
