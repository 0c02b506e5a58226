/** What a file is, told by its own first bytes (a name, MIME type or Content-Type can lie). */
import type { UploadImageExtension } from './capabilities';

/** ISO base media files (MP4) start with a box whose type is `ftyp`. */
export const looksLikeMp4 = (head: Buffer) => head.length >= 8 && head.toString('latin1', 4, 8) === 'ftyp';

/** PNG, JPEG or WebP by signature; undefined for anything else. */
export function detectImageFormat(head: Buffer): UploadImageExtension | undefined {
	if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
	if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpg';
	if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp';
	return undefined;
}
