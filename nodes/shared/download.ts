/**
 * Streams the finished MP4 from Leonardo's CDN straight into n8n's binary store (filesystem or
 * database): the video never sits whole in the JS heap. No credential is sent to the CDN.
 * A download is safe to repeat, so network errors and 5xx are retried, an expired link is refreshed,
 * and a body cut short (Content-Length) or not an MP4 never becomes output.
 */
import type { IBinaryData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { quoteSafely, recoveryHint } from './errors';
import { freshVideoUrl } from './lookup';
import { backoffMs, pause, throwIfCancelled } from './pacing';
import { credentialSecrets, type NodeContext } from './transport';

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
const MP4_SIGNATURE_BYTES = 12;

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

/** ISO base media files (MP4) start with a box whose type is `ftyp`. */
export const looksLikeMp4 = (head: Buffer) => head.length >= 8 && head.toString('latin1', 4, 8) === 'ftyp';

interface DownloadTarget {
	url: string;
	fileName: string;
	generationId: string;
	itemIndex: number;
	signal?: AbortSignal;
	/** Fetches the generation again for a fresh signed URL (CDN links expire). */
	refreshUrl: () => Promise<string | undefined>;
}

class RetryableDownloadError extends Error {}

async function downloadOnce(ctx: NodeContext, url: string, target: DownloadTarget): Promise<IBinaryData> {
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
	const head = await peek(body, MP4_SIGNATURE_BYTES);
	if (!looksLikeMp4(head)) {
		body.destroy();
		const type = quoteSafely(response.headers['content-type'] ?? 'unknown type', [], 100);
		throw new NodeOperationError(ctx.getNode(), `The downloaded file for generation ${target.generationId} is not an MP4 video (${type})`, {
			itemIndex: target.itemIndex,
			description: `The video link returned something else (often an error page). ${recoveryHint(target.generationId)}`,
		});
	}
	const binary = await ctx.helpers.prepareBinaryData(body as unknown as Buffer, target.fileName, 'video/mp4');
	const expected = Number(response.headers['content-length']);
	if (Number.isFinite(expected) && expected > 0 && binary.bytes !== undefined && binary.bytes !== expected) {
		throw new RetryableDownloadError(`the download stopped after ${binary.bytes} of ${expected} bytes`);
	}
	return binary;
}

async function downloadVideo(ctx: NodeContext, target: DownloadTarget): Promise<IBinaryData> {
	let url = target.url;
	let problem = '';
	for (let attempt = 0; attempt < DOWNLOAD_ATTEMPTS; attempt++) {
		throwIfCancelled(target.signal);
		if (!/^https?:\/\//i.test(url)) {
			throw new NodeOperationError(ctx.getNode(), `The video URL of generation ${target.generationId} is not an http(s) URL`, {
				itemIndex: target.itemIndex,
				description: recoveryHint(target.generationId),
			});
		}
		let failure: unknown;
		try {
			return await downloadOnce(ctx, url, target);
		} catch (error) {
			failure = error;
		}
		throwIfCancelled(target.signal);
		// Not an MP4: final, passed on as it is. Everything else is worth another attempt.
		if (failure instanceof NodeOperationError) throw failure;
		problem = failure instanceof RetryableDownloadError ? failure.message : `the connection failed (${quoteSafely((failure as Error).message, await credentialSecrets(ctx), 200)})`;
		if (attempt + 1 >= DOWNLOAD_ATTEMPTS) break;
		if (/HTTP (401|403|404|410)\b/.test(problem)) {
			// Signed CDN links expire: ask Leonardo for the generation again to get a fresh one.
			url = (await target.refreshUrl()) ?? url;
		} else {
			await pause(backoffMs(attempt), target.signal);
		}
	}
	throw new NodeOperationError(ctx.getNode(), `Downloading the video of generation ${target.generationId} failed: ${problem}`, {
		itemIndex: target.itemIndex,
		description: `Tried ${DOWNLOAD_ATTEMPTS} times. The video is ready on Leonardo; turn off "Download Video" to get its URL, or fetch it later with "Get". ${recoveryHint(target.generationId)}`,
	});
}

/** The MP4 of a finished generation as `<generationId>.mp4`; an expired link is replaced by a fresh one from Leonardo. */
export async function downloadGenerationVideo(
	ctx: NodeContext,
	{ url, generationId, itemIndex, signal, baseUrl }: { url: string; generationId: string; itemIndex: number; signal?: AbortSignal; baseUrl: string },
): Promise<IBinaryData> {
	return await downloadVideo(ctx, {
		url,
		fileName: `${generationId}.mp4`,
		generationId,
		itemIndex,
		signal,
		refreshUrl: async () => await freshVideoUrl(ctx, generationId, { itemIndex, signal, baseUrl }),
	});
}
