/**
 * A streaming multipart/form-data parser: text fields are kept (they are small), file contents are
 * only counted, hashed and their first bytes kept, so an upload of any size uses constant memory.
 */
import { createHash } from 'node:crypto';

export interface FormPart {
	name: string;
	fileName?: string;
	/** The text value, for parts that are not files. */
	value?: string;
	/** Byte length of the part's content. */
	size: number;
	/** The first bytes of the content (enough for magic-number checks). */
	head: Buffer;
	isFile: boolean;
	/** SHA-256 (hex) of a file part's content. */
	sha256?: string;
}

export class MultipartError extends Error {}

const HEAD_BYTES = 16;
const MAX_HEADER_BLOCK_BYTES = 16 * 1024;
const MAX_TEXT_FIELD_BYTES = 64 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_BLOCK_END = Buffer.from('\r\n\r\n');

export function boundaryOf(contentType: string | undefined): string | undefined {
	if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
	const match = /\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
	return match ? (match[1] ?? match[2]) : undefined;
}

/** Consumes the whole source even after a parse error, so the caller can still answer. */
export async function parseMultipart(source: AsyncIterable<Buffer>, boundary: string): Promise<FormPart[]> {
	const parser = new MultipartParser(boundary);
	let failure: unknown;
	for await (const chunk of source) {
		if (failure) continue;
		try {
			parser.write(chunk);
		} catch (error) {
			failure = error;
		}
	}
	if (failure) throw failure;
	return parser.finish();
}

class PartBuilder {
	readonly name: string;
	readonly fileName: string | undefined;
	readonly isFile: boolean;
	private size = 0;
	private head = Buffer.alloc(0);
	private readonly textChunks: Buffer[] = [];
	private readonly hash = createHash('sha256');

	constructor(name: string, fileName: string | undefined) {
		this.name = name;
		this.fileName = fileName;
		// S3 treats the part named `file` as the content whether or not it carries a filename.
		this.isFile = fileName !== undefined || name === 'file';
	}

	append(bytes: Buffer): void {
		if (bytes.length === 0) return;
		this.size += bytes.length;
		if (this.head.length < HEAD_BYTES) {
			this.head = Buffer.concat([this.head, bytes.subarray(0, HEAD_BYTES - this.head.length)]);
		}
		if (this.isFile) {
			this.hash.update(bytes);
			return;
		}
		if (this.size > MAX_TEXT_FIELD_BYTES) throw new MultipartError(`form field '${this.name}' is too large`);
		this.textChunks.push(Buffer.from(bytes));
	}

	build(): FormPart {
		const part: FormPart = { name: this.name, size: this.size, head: this.head, isFile: this.isFile };
		if (this.fileName !== undefined) part.fileName = this.fileName;
		if (!this.isFile) part.value = Buffer.concat(this.textChunks).toString('utf8');
		else part.sha256 = this.hash.digest('hex');
		return part;
	}
}

class MultipartParser {
	private readonly delimiter: Buffer;
	// A leading CRLF lets the first boundary line match the same delimiter as all the others.
	private buffer: Buffer = Buffer.from(CRLF);
	private state: 'preamble' | 'headers' | 'body' | 'done' = 'preamble';
	private current: PartBuilder | undefined;
	private readonly parts: FormPart[] = [];

	constructor(boundary: string) {
		this.delimiter = Buffer.from(`\r\n--${boundary}`);
	}

	write(chunk: Buffer): void {
		if (this.state === 'done') return; // epilogue: ignored
		this.buffer = Buffer.concat([this.buffer, chunk]);
		while (this.step()) {
			// each step consumes a boundary or a header block
		}
	}

	finish(): FormPart[] {
		if (this.state !== 'done') throw new MultipartError('the body ends before the closing boundary');
		return this.parts;
	}

	/** Makes progress if the buffer allows it; false = needs more input. */
	private step(): boolean {
		if (this.state === 'headers') return this.readHeaderBlock();
		if (this.state === 'done') return false;
		return this.readUntilDelimiter();
	}

	private readUntilDelimiter(): boolean {
		const at = this.buffer.indexOf(this.delimiter);
		if (at === -1) {
			// Everything but a possible partial delimiter at the end is content.
			this.consumeContent(this.buffer.length - (this.delimiter.length - 1));
			return false;
		}
		const afterDelimiter = at + this.delimiter.length;
		if (this.buffer.length < afterDelimiter + 2) return false;
		this.consumeContent(at);
		this.closeCurrentPart();
		const marker = this.buffer.toString('latin1', this.delimiter.length, this.delimiter.length + 2);
		if (marker === '--') {
			this.state = 'done';
			return false;
		}
		if (marker !== '\r\n') throw new MultipartError('malformed boundary line');
		// Keep the CRLF: the header block is then "\r\n<headers>\r\n\r\n", even with no headers.
		this.buffer = this.buffer.subarray(this.delimiter.length);
		this.state = 'headers';
		return true;
	}

	private readHeaderBlock(): boolean {
		const end = this.buffer.indexOf(HEADER_BLOCK_END);
		if (end === -1) {
			if (this.buffer.length > MAX_HEADER_BLOCK_BYTES) throw new MultipartError('part headers too large');
			return false;
		}
		const headerText = this.buffer.toString('utf8', CRLF.length, Math.max(end, CRLF.length));
		this.current = partFromHeaders(headerText);
		this.buffer = this.buffer.subarray(end + HEADER_BLOCK_END.length);
		this.state = 'body';
		return true;
	}

	private consumeContent(byteCount: number): void {
		if (byteCount <= 0) return;
		this.current?.append(this.buffer.subarray(0, byteCount)); // no current part = preamble, dropped
		this.buffer = this.buffer.subarray(byteCount);
	}

	private closeCurrentPart(): void {
		if (this.current) this.parts.push(this.current.build());
		this.current = undefined;
	}
}

function partFromHeaders(headerText: string): PartBuilder {
	const disposition = headerText
		.split('\r\n')
		.find((line) => /^content-disposition\s*:/i.test(line));
	if (!disposition || !/:\s*form-data\b/i.test(disposition)) {
		throw new MultipartError('a part has no Content-Disposition: form-data header');
	}
	const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
	if (name === undefined) throw new MultipartError('a part has no name');
	return new PartBuilder(name, /;\s*filename="([^"]*)"/i.exec(disposition)?.[1]);
}
