/**
 * Reading an error answer without trusting any one shape (docs/leonardo-api.md §6.1): which shape it is,
 * its messages, and every field name it mentions in a structured place.
 */

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export type ErrorShape = 'rest' | 'graphql' | 'bare-array' | 'json-schema' | 'message' | 'text' | 'empty' | 'other';

export interface ErrorReading {
	shape: ErrorShape;
	messages: string[];
	codes: string[];
	/** Field names from structured places: details.field, params.additionalProperty, instancePath, … */
	fields: string[];
}

const FIELD_KEYS = ['field', 'param', 'parameter', 'property', 'additionalProperty', 'missingProperty', 'propertyName'];

/** `/parameters/audio`, `$.parameters.audio`, `parameters.audio` → `audio`; `guidances.start_frame` stays. */
function fieldOfPath(path: string): string | undefined {
	const parts = path
		.replace(/^\$\.?/, '')
		.split(/[./[\]]+/)
		.filter((part) => part !== '' && !/^\d+$/.test(part) && part !== 'parameters' && part !== 'selectionSet');
	return parts.length > 0 ? parts.join('.') : undefined;
}

function collect(entry: unknown, reading: ErrorReading): void {
	if (Array.isArray(entry)) {
		entry.forEach((item) => collect(item, reading));
		return;
	}
	if (!isObject(entry)) return;
	for (const key of ['message', 'error']) {
		if (typeof entry[key] === 'string') reading.messages.push(entry[key] as string);
	}
	if (typeof entry.code === 'string') reading.codes.push(entry.code);
	for (const key of FIELD_KEYS) if (typeof entry[key] === 'string') reading.fields.push(entry[key] as string);
	for (const key of ['instancePath', 'dataPath', 'path']) {
		const field = typeof entry[key] === 'string' ? fieldOfPath(entry[key] as string) : undefined;
		if (field) reading.fields.push(field);
	}
	for (const nested of ['extensions', 'details', 'params']) collect(entry[nested], reading);
}

export function readErrorBody(body: unknown): ErrorReading {
	const reading: ErrorReading = { shape: 'other', messages: [], codes: [], fields: [] };
	if (body === undefined || body === '') reading.shape = 'empty';
	else if (typeof body === 'string') {
		reading.shape = 'text';
		reading.messages.push(body.slice(0, 300));
	} else if (Array.isArray(body)) {
		reading.shape = 'bare-array';
		body.forEach((entry) => collect(entry, reading));
	} else if (isObject(body)) {
		const list = [body.errors, body.details].find(Array.isArray) as unknown[] | undefined;
		const schemaStyle = list?.some((entry) => isObject(entry) && ('instancePath' in entry || 'keyword' in entry));
		if (schemaStyle) reading.shape = 'json-schema';
		else if (Array.isArray(body.errors)) reading.shape = 'graphql';
		else if (typeof body.error === 'string') reading.shape = 'rest';
		else if (typeof body.message === 'string') reading.shape = 'message';
		// `errors` and `details` are read here too (collect walks nested objects and arrays).
		collect(body, reading);
		if (Array.isArray(body.errors)) body.errors.forEach((entry) => collect(entry, reading));
	}
	reading.fields = [...new Set(reading.fields)];
	return reading;
}

/** Whether the answer names `field`: in a structured place, or as a word of a message. */
export function namesField(reading: ErrorReading, field: string): boolean {
	const leaf = field.split('.').pop() as string;
	if (reading.fields.some((named) => named === field || named.split('.').includes(leaf) || named.endsWith(`.${field}`))) return true;
	const word = new RegExp(`(^|[^a-z_])${leaf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z_]|$)`, 'i');
	return reading.messages.some((message) => word.test(message));
}
