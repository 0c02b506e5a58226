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
}

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

export function validateOutputSettings(options: { download?: unknown; binaryPropertyName?: unknown }): OutputSettings {
	const download = options.download ?? true;
	if (typeof download !== 'boolean') {
		throw new InvalidInputError(`"Download Video" must be true or false, not ${show(download)}`, 'Set "Download Video" to true or false.');
	}
	const binaryPropertyName = options.binaryPropertyName ?? 'data';
	if (typeof binaryPropertyName !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(binaryPropertyName)) {
		throw new InvalidInputError(
			`The binary property name ${show(binaryPropertyName)} is not usable`,
			'Set "Put Output File in Field" to a name made of letters, digits, "_", "-" or ".", e.g. "data".',
		);
	}
	return { download, binaryPropertyName };
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

