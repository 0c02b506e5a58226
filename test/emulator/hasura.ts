/**
 * Leonardo's REST layer is Hasura: request variables are typed and checked before any business rule,
 * with the messages and codes of §6.1. These helpers reproduce that first layer.
 */
import type { BufferedReply } from './replies.ts';
import { restError } from './replies.ts';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function jsonTypeName(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	return typeof value;
}

const HASURA_TYPE_OF: Record<string, string> = { string: 'String', boolean: 'Boolean', object: 'jsonb' };

/** A body that is not even JSON. */
export function invalidJson(): BufferedReply {
	return restError(400, 'Error in $: Failed reading: not a valid json value', 'invalid-json');
}

/** The request body must be a JSON object holding only known variables. */
export function checkVariables(body: unknown, allowed: readonly string[]): BufferedReply | undefined {
	if (!isJsonObject(body)) {
		return restError(400, `expected an object for the request variables, but found ${article(jsonTypeName(body))}`, 'bad-request');
	}
	const unexpected = Object.keys(body).find((key) => !allowed.includes(key));
	return unexpected === undefined ? undefined : restError(400, `Unexpected variable ${unexpected}`, 'bad-request');
}

/** A non-nullable variable of a scalar or object type. */
export function checkRequired(
	container: JsonObject,
	key: string,
	type: 'string' | 'boolean' | 'object',
): BufferedReply | undefined {
	const value = container[key];
	if (value === undefined || value === null) {
		return restError(400, `expecting a value for non-nullable variable: "${key}"`, 'validation-failed');
	}
	const actual = jsonTypeName(value);
	if (actual === type) return undefined;
	return restError(
		400,
		`expected ${article(type)} for type '${HASURA_TYPE_OF[type]}', but found ${article(actual)}`,
		'validation-failed',
	);
}

function article(typeName: string): string {
	return /^[aeiou]/.test(typeName) ? `an ${typeName}` : `a ${typeName}`;
}
