/**
 * Streams the finished MP4 (and, on request, its poster image) from Leonardo's CDN straight into n8n's
 * binary store (filesystem or database): the video never sits whole in the JS heap. No credential is sent
 * to the CDN. A download is safe to repeat, so network errors and 5xx are retried, an expired link is
 * refreshed, and a body cut short (Content-Length) or of the wrong kind never becomes output.
 */
import type { IBinaryData, IBinaryKeyData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { UPLOAD_IMAGE_FORMATS } from './capabilities';
import { quoteSafely, recoveryHint } from './errors';
import { detectImageFormat, looksLikeMp4 } from './fileTypes';
import { freshLink } from './lookup';
import { backoffMs, pause, throwIfCancelled } from './pacing';
import type { GenerationRecord } from './responses';
import { credentialSecrets, type NodeContext } from './transport';
import { defaultVideoFileName, type OutputSettings, POSTER_BINARY_PROPERTY, posterFileName } from './validation';

/** What the CDN stream looks like to us (a Node.js Readable, typed loosely: no node:stream import). */
interface ByteStream {
	read(size?: number): Buffer | null;
	unshift(chunk: Buffer): void;
	once(event: string, listener: (...args: unknown[]) => void): unknown;
	removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
	destroy(error?: Error): unknown;
	readableEnded?: boolean;
}

interface StreamResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: ByteStream;
}

const DOWNLOAD_ATTEMPTS = 4;
/** Socket idle timeout: a stalled CDN connection fails instead of hanging the execution. */
const DOWNLOAD_IDLE_TIMEOUT_MS = 120_000;
/** Enough of a file's start to tell an MP4 (`ftyp` at 4) or a PNG, JPEG or WebP (12 bytes for WebP). */
const SIGNATURE_BYTES = 12;

/** Resolves with the first `size` bytes (fewer if the stream ends) and puts them back into the stream. */
async function peek(stream: ByteStream, size: number): Promise<Buffer> {
	return await new Promise<Buffer>((resolve, reject) => {
		const cleanup = () => {
			stream.removeListener('readable', tryRead);
			stream.removeListener('end', tryRead);
			stream.removeListener('error', fail);
		};
		const fail = (error: unknown) => {
			cleanup();
			reject(error instanceof Error ? error : new Error(String(error)));
		};
		function tryRead() {
			const chunk = stream.read(size) ?? (stream.readableEnded ? Buffer.alloc(0) : stream.read());
			if (chunk === null) {
				stream.once('readable', tryRead);
				return;
			}
			cleanup();
			if (chunk.length) stream.unshift(chunk);
			resolve(chunk);
		}
		stream.once('end', tryRead);
		stream.once('error', fail);
		tryRead();
	});
}

/** What is being downloaded: what its first bytes must show, and how large it may be. */
interface FileKind {
	/** MIME type and file extension the first bytes show; undefined when they show something else. */
	identify(head: Buffer): { mimeType: string; extension: string } | undefined;
	maxBytes?: number;
}

const MP4_FILE: FileKind = { identify: (head) => (looksLikeMp4(head) ? { mimeType: 'video/mp4', extension: 'mp4' } : undefined) };

/** A still of a video of at most 4K is a few MiB; the frame images' cap keeps a wrong link from filling the binary store. */
const POSTER_MAX_BYTES = 50 * 1024 * 1024;
/** The poster's type is told by its bytes, whatever Content-Type says (or when it says nothing). */
const POSTER_FILE: FileKind = {
	identify: (head) => {
		const extension = detectImageFormat(head);
		return extension && { mimeType: UPLOAD_IMAGE_FORMATS[extension].mimeType, extension };
	},
	maxBytes: POSTER_MAX_BYTES,
};

interface DownloadTarget {
	url: string;
	/** The file name for the extension the bytes show. */
	fileName: (extension: string) => string;
	signal?: AbortSignal;
	/** Fetches the generation again for a fresh signed URL (CDN links expire). */
	refreshUrl: () => Promise<string | undefined>;
}

/** Worth another attempt: an HTTP error, a body cut short. */
class RetryableDownloadError extends Error {}
/** Final: the link is not http(s), or the file is not of the kind asked for (`detail`: its Content-Type) or too large (`detail`: its size). */
class WrongFileError extends Error {
	constructor(
		readonly reason: 'not-http' | 'wrong-type' | 'too-large',
		readonly detail = '',
	) {
		super(reason);
	}
}
/** Every attempt failed; the message is the last attempt's problem. */
class DownloadFailedError extends Error {}

async function downloadOnce(ctx: NodeContext, url: string, kind: FileKind, target: DownloadTarget): Promise<IBinaryData> {
	const response = (await ctx.helpers.httpRequest({
		method: 'GET',
		url,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: DOWNLOAD_IDLE_TIMEOUT_MS,
		abortSignal: target.signal,
	})) as StreamResponse;
	const { statusCode, body } = response;
	if (statusCode !== 200) {
		body.destroy();
		throw new RetryableDownloadError(`the video server answered HTTP ${statusCode}`);
	}
	const expected = Number(response.headers['content-length']);
	const tooLarge = (bytes: number) => kind.maxBytes !== undefined && bytes > kind.maxBytes;
	if (tooLarge(expected)) {
		body.destroy();
		throw new WrongFileError('too-large', `${expected} bytes`);
	}
	const head = await peek(body, SIGNATURE_BYTES);
	const type = kind.identify(head);
	if (!type) {
		body.destroy();
		throw new WrongFileError('wrong-type', quoteSafely(response.headers['content-type'] ?? 'unknown type', [], 100));
	}
	const binary = await ctx.helpers.prepareBinaryData(body as unknown as Buffer, target.fileName(type.extension), type.mimeType);
	if (Number.isFinite(expected) && expected > 0 && binary.bytes !== undefined && binary.bytes !== expected) {
		throw new RetryableDownloadError(`the download stopped after ${binary.bytes} of ${expected} bytes`);
	}
	if (binary.bytes !== undefined && tooLarge(binary.bytes)) throw new WrongFileError('too-large', `${binary.bytes} bytes`);
	return binary;
}

/** Downloads `target` as `kind`, retrying what may pass; throws WrongFileError, DownloadFailedError or a cancel. */
async function downloadFile(ctx: NodeContext, kind: FileKind, target: DownloadTarget): Promise<IBinaryData> {
	let url = target.url;
	let problem = '';
	for (let attempt = 0; attempt < DOWNLOAD_ATTEMPTS; attempt++) {
		throwIfCancelled(target.signal);
		if (!/^https?:\/\//i.test(url)) throw new WrongFileError('not-http');
		let failure: unknown;
		try {
			return await downloadOnce(ctx, url, kind, target);
		} catch (error) {
			failure = error;
		}
		throwIfCancelled(target.signal);
		// The wrong file: final, passed on as it is. Everything else is worth another attempt.
		if (failure instanceof WrongFileError) throw failure;
		problem = failure instanceof RetryableDownloadError ? failure.message : `the connection failed (${quoteSafely((failure as Error).message, await credentialSecrets(ctx), 200)})`;
		if (attempt + 1 >= DOWNLOAD_ATTEMPTS) break;
		if (/HTTP (401|403|404|410)\b/.test(problem)) {
			// Signed CDN links expire: ask Leonardo for the generation again to get a fresh one.
			url = (await target.refreshUrl()) ?? url;
		} else {
			await pause(backoffMs(attempt), target.signal);
		}
	}
	throw new DownloadFailedError(problem);
}

interface GenerationCall {
	generationId: string;
	itemIndex: number;
	signal?: AbortSignal;
	baseUrl: string;
}

const linkTarget = (ctx: NodeContext, url: string, link: 'videoUrl' | 'posterUrl', fileName: DownloadTarget['fileName'], call: GenerationCall): DownloadTarget => ({
	url,
	fileName,
	signal: call.signal,
	refreshUrl: async () => await freshLink(ctx, call.generationId, link, { itemIndex: call.itemIndex, signal: call.signal, baseUrl: call.baseUrl }),
});

/** What a failed MP4 download tells the user; a cancel (or anything unforeseen) passes on as it is. */
function videoDownloadError(ctx: NodeContext, failure: unknown, { generationId, itemIndex }: GenerationCall): unknown {
	if (failure instanceof WrongFileError && failure.reason === 'not-http') {
		return new NodeOperationError(ctx.getNode(), `The video URL of generation ${generationId} is not an http(s) URL`, {
			itemIndex,
			description: recoveryHint(generationId),
		});
	}
	if (failure instanceof WrongFileError) {
		return new NodeOperationError(ctx.getNode(), `The downloaded file for generation ${generationId} is not an MP4 video (${failure.detail})`, {
			itemIndex,
			description: `The video link returned something else (often an error page). ${recoveryHint(generationId)}`,
		});
	}
	if (failure instanceof DownloadFailedError) {
		return new NodeOperationError(ctx.getNode(), `Downloading the video of generation ${generationId} failed: ${failure.message}`, {
			itemIndex,
			description: `Tried ${DOWNLOAD_ATTEMPTS} times. The video is ready on Leonardo; turn off "Download Video" to get its URL, or fetch it later with "Get". ${recoveryHint(generationId)}`,
		});
	}
	return failure;
}

/** The MP4 of a finished generation as `fileName` (default `<generationId>.mp4`); an expired link is replaced by a fresh one from Leonardo. */
export async function downloadGenerationVideo(ctx: NodeContext, { url, fileName, ...call }: GenerationCall & { url: string; fileName?: string }): Promise<IBinaryData> {
	let failure: unknown;
	try {
		return await downloadFile(ctx, MP4_FILE, linkTarget(ctx, url, 'videoUrl', () => fileName ?? defaultVideoFileName(call.generationId), call));
	} catch (error) {
		failure = error;
	}
	// Decided outside the catch (n8n's lint: no raw re-throw in a catch).
	throw videoDownloadError(ctx, failure, call);
}

/** What the output item gets of a finished generation's files: binary data, and a note when the poster is not among it. */
export interface GenerationFiles {
	binary?: IBinaryKeyData;
	notice?: string;
}

const POSTER_PROBLEMS: Record<WrongFileError['reason'], (detail: string) => string> = {
	'not-http': () => 'its link is not an http(s) URL',
	'wrong-type': (contentType) => `it is not a PNG, JPEG or WebP image (${contentType})`,
	'too-large': (size) => `it is larger than ${POSTER_MAX_BYTES / 1024 / 1024} MiB (${size})`,
};

/**
 * The poster image (a PNG, JPEG or WebP, told by its bytes) as `<MP4 name without .mp4>.<jpg|png|webp>`. A
 * poster Leonardo does not report, or one that cannot be downloaded, is a note, never an error: the MP4 the
 * user paid for is delivered either way. Only a stopped execution is thrown.
 */
async function downloadPoster(ctx: NodeContext, record: GenerationRecord, videoFileName: string | undefined, call: GenerationCall): Promise<GenerationFiles> {
	if (!record.posterUrl) return { notice: 'Leonardo reported no poster image for this video, so the output has no "poster" binary.' };
	try {
		const fileName = (extension: string) => posterFileName(videoFileName ?? defaultVideoFileName(record.id), extension);
		return { binary: { [POSTER_BINARY_PROPERTY]: await downloadFile(ctx, POSTER_FILE, linkTarget(ctx, record.posterUrl, 'posterUrl', fileName, call)) } };
	} catch (error) {
		throwIfCancelled(call.signal);
		const problem = error instanceof WrongFileError ? POSTER_PROBLEMS[error.reason](error.detail) : error instanceof DownloadFailedError ? `${error.message} (${DOWNLOAD_ATTEMPTS} tries)` : quoteSafely((error as Error).message, await credentialSecrets(ctx), 200);
		return { notice: `The poster image could not be downloaded: ${problem}. The video is not affected; "posterUrl" has the link.` };
	}
}

/** The MP4 and the poster image of a COMPLETE generation with a video, as `output` asks (either, both or none). */
export async function downloadGenerationFiles(ctx: NodeContext, record: GenerationRecord, output: OutputSettings, call: Omit<GenerationCall, 'generationId'>): Promise<GenerationFiles> {
	const generation = { ...call, generationId: record.id };
	const binary: IBinaryKeyData = {};
	if (output.download) {
		binary[output.binaryPropertyName] = await downloadGenerationVideo(ctx, { ...generation, url: record.videoUrl!, fileName: output.fileName });
	}
	const poster = output.downloadPoster ? await downloadPoster(ctx, record, output.fileName, generation) : {};
	Object.assign(binary, poster.binary);
	return { binary: Object.keys(binary).length ? binary : undefined, notice: poster.notice };
}
