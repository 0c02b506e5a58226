/**
 * MP4 helpers: read top-level boxes, and stream an MP4 of any exact size built from the fixture plus
 * trailing top-level `free` padding, so players and ftyp checks still accept it.
 */

export interface Mp4Box {
	type: string;
	offset: number;
	/** Whole box size, header included. */
	size: number;
}

const CHUNK_BYTES = 64 * 1024;
const ZEROES = Buffer.alloc(CHUNK_BYTES);
const MAX_32BIT_BOX = 0xffffffff;

export function readTopLevelBoxes(mp4: Buffer): Mp4Box[] {
	const boxes: Mp4Box[] = [];
	for (let offset = 0; offset < mp4.length; ) {
		if (offset + 8 > mp4.length) throw new Error(`truncated box header at ${offset}`);
		const size32 = mp4.readUInt32BE(offset);
		const type = mp4.toString('latin1', offset + 4, offset + 8);
		const size = size32 === 1 ? Number(mp4.readBigUInt64BE(offset + 8)) : size32 === 0 ? mp4.length - offset : size32;
		if (size < 8 || offset + size > mp4.length) throw new Error(`bad size for box '${type}' at ${offset}`);
		boxes.push({ type, offset, size });
		offset += size;
	}
	return boxes;
}

/** The bytes of an MP4 of exactly `totalBytes`, generated lazily in chunks of at most 64 KiB. */
export function* paddedMp4Chunks(fixture: Buffer, totalBytes: number): Generator<Buffer> {
	const gap = totalBytes - fixture.length;
	if (gap <= 0) {
		// Smaller than the fixture: a truncated, unplayable file, still of the exact size asked.
		yield* sliceIntoChunks(fixture.subarray(0, totalBytes));
		return;
	}
	if (gap < 8) {
		// Too small for a box of its own: grow the last box instead (trailing bytes inside mdat are inert).
		yield* sliceIntoChunks(withGrownLastBox(fixture, gap));
		yield* zeroChunks(gap);
		return;
	}
	yield* sliceIntoChunks(fixture);
	const header = freeBoxHeader(gap);
	yield header;
	yield* zeroChunks(gap - header.length);
}

/** Header of one `free` box spanning `boxBytes`, with a 64-bit size when 32 bits are not enough. */
function freeBoxHeader(boxBytes: number): Buffer {
	if (boxBytes <= MAX_32BIT_BOX) {
		const header = Buffer.alloc(8);
		header.writeUInt32BE(boxBytes, 0);
		header.write('free', 4, 'latin1');
		return header;
	}
	const header = Buffer.alloc(16);
	header.writeUInt32BE(1, 0);
	header.write('free', 4, 'latin1');
	header.writeBigUInt64BE(BigInt(boxBytes), 8);
	return header;
}

function withGrownLastBox(fixture: Buffer, extraBytes: number): Buffer {
	const last = readTopLevelBoxes(fixture).at(-1);
	if (!last) throw new Error('empty MP4 fixture');
	const grown = Buffer.from(fixture);
	if (grown.readUInt32BE(last.offset) === 1) {
		grown.writeBigUInt64BE(BigInt(last.size + extraBytes), last.offset + 8);
	} else {
		grown.writeUInt32BE(last.size + extraBytes, last.offset);
	}
	return grown;
}

function* sliceIntoChunks(bytes: Buffer): Generator<Buffer> {
	for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
		yield bytes.subarray(offset, offset + CHUNK_BYTES);
	}
}

function* zeroChunks(count: number): Generator<Buffer> {
	for (let left = count; left > 0; left -= CHUNK_BYTES) {
		yield ZEROES.subarray(0, Math.min(left, CHUNK_BYTES));
	}
}

/** Stops a chunk sequence after `limit` bytes (for the 'truncate' fault). */
export function* takeBytes(chunks: Iterable<Buffer>, limit: number): Generator<Buffer> {
	let left = limit;
	for (const chunk of chunks) {
		if (left <= 0) return;
		yield chunk.length <= left ? chunk : chunk.subarray(0, left);
		left -= chunk.length;
	}
}
