/**
 * What every frame image goes through, from the item's binary data (binaryFrames.ts) or from a link
 * (frameLinks.ts): its bytes read in chunks (hashed, capped at FRAME_MAX_BYTES, kept only for the upload)
 * and its format told by the bytes themselves, which must be PNG, JPEG or WebP (a name, MIME type or
 * Content-Type can lie; S3 would store it anyway).
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

import type { UploadImageExtension } from '../../shared/capabilities';

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
export const FRAME_MAX_MIB = FRAME_MAX_BYTES / 1024 / 1024;
export const SMALLER_IMAGE = 'Use a smaller image (a video frame needs no more than the video’s resolution), e.g. resized with the Edit Image node.';

export const labelOf = (which: string) => which.replace(/\s+/g, '-').toLowerCase();

/** What reading an image's bytes found out; `bytes` only when asked to keep them. */
export interface ReadBytes {
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
export async function readBytes(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer>, keep: boolean, stop: () => void): Promise<ReadBytes | undefined> {
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
