import { excerpt, fixForStatus, parseApiErrorBody, validationErrorNames } from '../../nodes/shared/errors';

describe('parseApiErrorBody', () => {
	test('REST shape', () => {
		expect(parseApiErrorBody({ error: 'Authentication hook unauthorized this request', path: '$', code: 'access-denied' })).toEqual({
			message: 'Authentication hook unauthorized this request',
			code: 'access-denied',
		});
	});

	test('GraphQL errors array', () => {
		expect(parseApiErrorBody({ errors: [{ message: 'Too many images', extensions: { path: '$', code: 'unexpected' } }] })).toEqual({
			message: 'Too many images',
			code: 'unexpected',
		});
	});

	test('bare v2 validation array with the field', () => {
		expect(
			parseApiErrorBody([{ message: 'Unexpected parameter: audio', extensions: { code: 'VALIDATION_ERROR', details: { field: 'audio' } } }]),
		).toEqual({ message: 'Unexpected parameter: audio', code: 'VALIDATION_ERROR', field: 'audio', fields: ['audio'] });
	});

	// The shapes leonardo-api.md §6.1 leaves open; the emulator offers each (validationErrorShape).
	test('JSON-Schema (ajv) entries: the field comes from params or instancePath, every entry counts', () => {
		const body = {
			errors: [
				{ instancePath: '/parameters', schemaPath: '#/properties/parameters/additionalProperties', keyword: 'additionalProperties', params: { additionalProperty: 'audio' }, message: 'must NOT have additional properties' },
				{ instancePath: '/parameters/duration', schemaPath: '#/properties/parameters/properties/duration/enum', keyword: 'enum', params: { allowedValues: [6, 8, 10] }, message: 'must be equal to one of the allowed values' },
			],
		};
		const parsed = parseApiErrorBody(body)!;
		expect(parsed).toMatchObject({ code: 'additionalProperties', field: 'audio', fields: ['audio', 'duration'] });
		expect(parsed.message).toBe('parameters must NOT have additional properties ("audio") (and 1 more: parameters.duration must be equal to one of the allowed values)');
		expect(validationErrorNames(parsed, 'duration')).toBe(true);
		expect(validationErrorNames(parsed, 'mode')).toBe(false);
		expect(parseApiErrorBody(body.errors)).toMatchObject({ fields: ['audio', 'duration'] });
		expect(parseApiErrorBody({ error: 'Bad Request', details: body.errors })).toMatchObject({ message: expect.stringMatching(/^Bad Request: parameters must NOT/), field: 'audio' });
	});

	test('REST and GraphQL bodies that name the field only in a path', () => {
		expect(parseApiErrorBody({ error: 'Unexpected parameter', path: '$.parameters.mode', code: 'validation-failed' })).toEqual({
			message: 'Unexpected parameter',
			code: 'validation-failed',
			field: 'mode',
			fields: ['mode'],
		});
		expect(parseApiErrorBody({ errors: [{ message: 'Unexpected parameter', extensions: { path: '$.parameters.guidances.end_frame', code: 'validation-failed' } }] })).toMatchObject({
			field: 'end_frame',
		});
		// The path of the whole body or of the parameters object names no field.
		expect(parseApiErrorBody({ error: 'invalid parameters', path: '$.parameters', code: 'validation-failed' })?.field).toBeUndefined();
	});

	test('JSON inside a string, HTML, empty', () => {
		expect(parseApiErrorBody('{"error":"Service Error"}')).toEqual({ message: 'Service Error', code: undefined });
		const html = `<html><head><style>x{}</style></head><body><h1>502 Bad Gateway</h1>${'<p>padding</p>'.repeat(200)}</body></html>`;
		const parsed = parseApiErrorBody(html)!;
		expect(parsed.message.startsWith('502 Bad Gateway')).toBe(true);
		expect(parsed.message.length).toBeLessThanOrEqual(301);
		expect(parseApiErrorBody('')).toBeUndefined();
		expect(parseApiErrorBody(undefined)).toBeUndefined();
	});
});

test('excerpt shortens and flattens', () => {
	expect(excerpt('a\n\n b', 10)).toBe('a b');
	expect(excerpt('x'.repeat(20), 5)).toBe('xxxxx…');
});

test('fixForStatus names the fix', () => {
	expect(fixForStatus(401)).toMatch(/API key/);
	expect(fixForStatus(403)).toMatch(/moderation/);
	expect(fixForStatus(429)).toMatch(/rate-limited/);
	expect(fixForStatus(400, { message: 'x', field: 'seed' })).toMatch(/"seed"/);
	expect(fixForStatus(500, { message: 'Invalid response from authorization hook' })).toMatch(/UUID/);
	expect(fixForStatus(503)).toMatch(/server problem/);
});

test('validationErrorNames matches the field, not substrings', () => {
	expect(validationErrorNames({ message: 'Unexpected variable audio' }, 'audio')).toBe(true);
	expect(validationErrorNames({ message: 'x', field: 'mode' }, 'mode')).toBe(true);
	expect(validationErrorNames({ message: 'Unexpected variable motion_has_audio' }, 'audio')).toBe(false);
	expect(validationErrorNames({ message: 'invalid model' }, 'mode')).toBe(false);
	expect(validationErrorNames(undefined, 'seed')).toBe(false);
});
