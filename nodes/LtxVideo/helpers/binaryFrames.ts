/** A start/end frame from the incoming item's binary data, checked before anything is sent to Leonardo. */
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { InvalidInputError } from '../../shared/errors';
import { detectImageFormat } from '../../shared/fileTypes';
import { type CheckedFrame, FRAME_MAX_BYTES, FRAME_MAX_MIB, labelOf, readBytes, SMALLER_IMAGE } from './frameBytes';

/** The field `propertyName` of the item's binary data: its own fields only (`constructor` is no binary). */
function binaryField(ctx: IExecuteFunctions, itemIndex: number, propertyName: string, which: string): IBinaryData {
	const binary = ctx.getInputData()[itemIndex]?.binary ?? {};
	if (Object.prototype.hasOwnProperty.call(binary, propertyName)) return binary[propertyName];
	const available = Object.keys(binary);
	throw new InvalidInputError(
		`The input item has no binary property "${propertyName}" for the ${which}`,
		available.length
			? `Set "${which} Input Binary Field" to one of: ${available.join(', ')}.`
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
