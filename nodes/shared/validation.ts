/** Validators of the settings outside Generate's request (waiting, output, IDs, concurrency, base URL). Pure: no requests, no n8n context. */
import { CONCURRENCY_LIMITS, POLLING_LIMITS } from './capabilities';
import { InvalidInputError, quoteSafely } from './errors';

export interface WaitSettings {
	pollIntervalMs: number;
	timeoutMs: number;
}

export interface OutputSettings {
	download: boolean;
	binaryPropertyName: string;
	/** Also the poster image, into `binary.poster`. */
	downloadPoster: boolean;
	/** The MP4's file name, ending in `.mp4`; undefined: `<generationId>.mp4`. */
	fileName?: string;
}

/** The binary field of the poster image (workflow-contract.md): fixed, so the MP4's field may not take it. */
export const POSTER_BINARY_PROPERTY = 'poster';
const MAX_FILE_NAME_LENGTH = 200;

export const defaultVideoFileName = (generationId: string) => `${generationId}.mp4`;
/** The poster is named after the MP4: `clip.mp4` → `clip.jpg`. */
export const posterFileName = (videoFileName: string, extension: string) => `${videoFileName.replace(/\.mp4$/i, '')}.${extension}`;

const show = (value: unknown) => (typeof value === 'string' ? `"${value}"` : JSON.stringify(value));

/** A finite number, or a numeric string from an expression; undefined otherwise. */
export function toNumber(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
	return undefined;
}

export function validateWaitSettings(options: { timeout?: unknown; pollInterval?: unknown }): WaitSettings {
	const pollInterval = toNumber(options.pollInterval ?? POLLING_LIMITS.defaultIntervalSeconds);
	if (pollInterval === undefined || pollInterval < POLLING_LIMITS.minIntervalSeconds) {
		throw new InvalidInputError(
			`Poll interval ${show(options.pollInterval)} is too short`,
			`Set "Poll Interval" to ${POLLING_LIMITS.minIntervalSeconds} second or more (default ${POLLING_LIMITS.defaultIntervalSeconds}).`,
		);
	}
	const timeout = toNumber(options.timeout ?? POLLING_LIMITS.defaultTimeoutSeconds);
	if (timeout === undefined || timeout <= 0 || timeout > POLLING_LIMITS.maxTimeoutSeconds) {
		throw new InvalidInputError(
			`Timeout ${show(options.timeout)} is out of range`,
			`Set "Timeout" to more than 0 and at most ${POLLING_LIMITS.maxTimeoutSeconds} seconds (default ${POLLING_LIMITS.defaultTimeoutSeconds}). For longer waits, turn off "Wait for Completion" and use "Get" later.`,
		);
	}
	return { pollIntervalMs: pollInterval * 1000, timeoutMs: timeout * 1000 };
}

const FILE_NAME_PROBLEMS: Array<[test: (name: string) => boolean, problem: string]> = [
	[(name) => /[/\\]/.test(name), 'it contains "/" or "\\"; a file name cannot hold a folder'],
	// eslint-disable-next-line no-control-regex
	[(name) => /[\u0000-\u001f\u007f]/.test(name), 'it contains a line break, tab or other control character'],
	[(name) => /^\.+$/.test(name), 'it is only dots'],
	[(name) => name.length > MAX_FILE_NAME_LENGTH, `it is longer than ${MAX_FILE_NAME_LENGTH} characters`],
];

/** What makes `value` unusable as a file name, or undefined. */
function fileNameProblem(value: unknown): string | undefined {
	if (typeof value !== 'string') return 'it is not text';
	return FILE_NAME_PROBLEMS.find(([test]) => test(value))?.[1];
}

/**
 * "File Name": empty (or whitespace) is the default `<generationId>.mp4`; otherwise the name as given, with
 * `.mp4` appended unless it already ends so (the file is an MP4 whatever it is called).
 */
export function validateFileName(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	// A number from an expression ({{ $json.id }}) is a name too.
	const name = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : value;
	if (name === '') return undefined;
	const problem = fileNameProblem(name);
	if (problem !== undefined || typeof name !== 'string') {
		throw new InvalidInputError(
			`The file name ${quoteSafely(show(name), [], 100)} cannot be used: ${problem}`,
			'Set Options → "File Name" to a plain name such as {{ $json.title }}.mp4 (no "/", "\\", line breaks or tabs), or leave it empty for <generation ID>.mp4. The folder is chosen where the file is saved, e.g. in Read/Write Files from Disk.',
		);
	}
	return /\.mp4$/i.test(name) ? name : `${name}.mp4`;
}

/** A switch: true or false, or "true"/"false" from an expression that made text. */
export function toBoolean(value: unknown, label: string): boolean {
	if (typeof value === 'boolean') return value;
	if (value === 'true' || value === 'false') return value === 'true';
	throw new InvalidInputError(`"${label}" must be true or false, not ${show(value)}`, `Set "${label}" to true or false.`);
}

export function validateOutputSettings(options: { download?: unknown; binaryPropertyName?: unknown; downloadPoster?: unknown; fileName?: unknown }): OutputSettings {
	const download = toBoolean(options.download ?? true, 'Download Video');
	const downloadPoster = toBoolean(options.downloadPoster ?? false, 'Download Poster Image');
	const binaryPropertyName = options.binaryPropertyName ?? 'data';
	if (typeof binaryPropertyName !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(binaryPropertyName)) {
		throw new InvalidInputError(
			`The binary property name ${show(binaryPropertyName)} is not usable`,
			'Set "Put Output File in Field" to a name made of letters, digits, "_", "-" or ".", e.g. "data".',
		);
	}
	if (downloadPoster && binaryPropertyName === POSTER_BINARY_PROPERTY) {
		throw new InvalidInputError(
			`The MP4 and the poster image cannot both go into the binary field "${POSTER_BINARY_PROPERTY}"`,
			`The poster image always goes into "${POSTER_BINARY_PROPERTY}": set "Put Output File in Field" to another name, e.g. "data".`,
		);
	}
	return { download, binaryPropertyName, downloadPoster, fileName: validateFileName(options.fileName) };
}

/** A number of items, or `auto` (0, or "auto" from an expression): the plan's concurrency slots. */
export function validateMaxConcurrency(value: unknown): number | 'auto' {
	if (typeof value === 'string' && value.trim().toLowerCase() === 'auto') return 'auto';
	const limit = toNumber(value ?? CONCURRENCY_LIMITS.default);
	if (limit === CONCURRENCY_LIMITS.auto) return 'auto';
	if (limit === undefined || !Number.isInteger(limit) || limit < 1 || limit > CONCURRENCY_LIMITS.max) {
		throw new InvalidInputError(
			`Max concurrent generations ${show(value)} is out of range`,
			`Set "Max Concurrent Generations" to a whole number from 1 to ${CONCURRENCY_LIMITS.max} (default ${CONCURRENCY_LIMITS.default}), or 0 for Auto.`,
		);
	}
	return limit;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function validateGenerationId(value: unknown): string {
	const id = typeof value === 'string' ? value.trim() : '';
	if (!id) {
		throw new InvalidInputError(
			'The generation ID is empty',
			'Set "Generation ID", e.g. to {{ $json.generationId }} from an earlier LTX Video node.',
		);
	}
	if (!UUID_PATTERN.test(id)) {
		throw new InvalidInputError(
			`${show(value)} is not a Leonardo generation ID`,
			'Set "Generation ID" to the UUID that Generate returned in "generationId".',
		);
	}
	return id;
}

/** The credential's base URL without a trailing slash; only http(s). */
export function validateBaseUrl(value: unknown): string {
	const text = typeof value === 'string' ? value.trim().replace(/\/+$/, '') : '';
	let protocol = '';
	try {
		protocol = new URL(text).protocol;
	} catch {
		// Reported below.
	}
	if (protocol !== 'https:' && protocol !== 'http:') {
		throw new InvalidInputError(
			// quoteSafely hides a user:password@ in it.
			`The credential's base URL ${quoteSafely(show(value), [], 100)} is not an http(s) URL`,
			'Open the Leonardo.AI API credential and set "Base URL" to https://cloud.leonardo.ai/api/rest (or your gateway’s http(s) URL).',
		);
	}
	return text;
}

