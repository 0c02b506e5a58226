import { fixForStatus, isOutOfCredit, parseApiErrorBody, QUOTE_MAX_LENGTH, quoteSafely, redactSecrets, validationErrorNames } from '../../nodes/shared/errors';

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

	// The shapes docs/leonardo-api.md §6.1 leaves open; the emulator offers each (validationErrorShape).
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
		expect(parsed.message.length).toBeLessThanOrEqual(QUOTE_MAX_LENGTH + 1);
		expect(parseApiErrorBody('')).toBeUndefined();
		expect(parseApiErrorBody(undefined)).toBeUndefined();
	});
});

test('quoteSafely shortens and flattens', () => {
	expect(quoteSafely('a\n\n b', [], 10)).toBe('a b');
	expect(quoteSafely('x'.repeat(20), [], 5)).toBe('xxxxx…');
	expect(quoteSafely('x'.repeat(2000))).toHaveLength(QUOTE_MAX_LENGTH + 1);
	// Never half of a surrogate pair at the cut.
	expect(quoteSafely(`x${'😀'.repeat(10)}`, [], 4)).toBe('x😀…');
});

describe('secrets in quoted text', () => {
	const KEY = '3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c';
	const SECRET = 'my "callback"/secret';
	const secrets = [KEY, SECRET];
	const leaks = (text: string) => [KEY, SECRET, KEY.toUpperCase()].filter((value) => text.includes(value));
	const base64 = (text: string) => Buffer.from(text).toString('base64');

	test.each([
		['as is', `invalid key ${KEY}`],
		['in an Authorization header', `rejected Authorization: Bearer ${KEY}`],
		['upper-cased', `key ${KEY.toUpperCase()} unknown`],
		['JSON-escaped', JSON.stringify({ headers: { 'x-callback': SECRET } })],
		['JSON-escaped twice', JSON.stringify(JSON.stringify({ secret: SECRET }))],
		['with escaped slashes', JSON.stringify(SECRET).replace(/\//g, '\\/')],
		['URL-encoded', `https://example.com/?k=${encodeURIComponent(SECRET)}`],
		['base64 alone', `token ${base64(KEY)}`],
		['base64 in a Basic header', `Authorization: Basic ${base64(`user:${KEY}`)}`],
		['base64 in a Basic header, other alignment', `Authorization: Basic ${base64(`ab:${SECRET}`)}`],
	])('%s: replaced by ***', (_name, text) => {
		const quoted = quoteSafely(text, secrets);
		expect(quoted).toContain('***');
		expect(leaks(quoted)).toEqual([]);
		// Base64 pieces around the *** decode to no secret either.
		const decoded = quoted.split(/\*\*\*|\s/).map((piece) => Buffer.from(piece, 'base64').toString('latin1'));
		expect(decoded.filter((piece) => secrets.some((secret) => piece.includes(secret)))).toEqual([]);
	});

	test('a password in a URL is redacted, whatever it is', () => {
		expect(redactSecrets('GET https://user:hunter2@proxy.example/api failed', [])).toBe('GET https://***@proxy.example/api failed');
	});

	test('redacted before the cut: a key across the cap never leaves half of itself', () => {
		const text = `${'x'.repeat(QUOTE_MAX_LENGTH - 10)}${KEY}`;
		const quoted = quoteSafely(text, secrets);
		expect(quoted).not.toContain(KEY.slice(0, 10));
		expect(quoted.endsWith('***')).toBe(true);
	});

	test('a 1 MB message with the key at both ends becomes one capped line without it', () => {
		const text = `Bearer ${KEY}\n${'y'.repeat(1_000_000)}\n${KEY}`;
		const quoted = quoteSafely(text, secrets);
		expect(quoted.startsWith('Bearer *** yyy')).toBe(true);
		expect(quoted).toHaveLength(QUOTE_MAX_LENGTH + 1);
	});

	test('values too short to be secrets are left alone (they would blank out any text)', () => {
		expect(quoteSafely('a b c', ['a', ''])).toBe('a b c');
	});

	test('parseApiErrorBody redacts and caps the message, the field and the code it takes from the body', () => {
		const body = {
			error: `Authentication hook unauthorized this request: Bearer ${KEY}${' padding'.repeat(200_000)}`,
			path: `$.parameters.${KEY}`,
			code: `denied-${SECRET}`,
		};
		const parsed = parseApiErrorBody(body, secrets)!;
		expect(leaks(JSON.stringify(parsed))).toEqual([]);
		expect(parsed.message).toMatch(/^Authentication hook unauthorized this request: Bearer \*\*\* padding/);
		expect(parsed.message.length).toBeLessThanOrEqual(QUOTE_MAX_LENGTH + 1);
		expect(parsed).toMatchObject({ field: '***', fields: ['***'], code: 'denied-***' });
		// A text body (an HTML page or plain text) too.
		expect(parseApiErrorBody(`<p>key ${KEY}</p>`, secrets)?.message).toBe('key ***');
	});
});

test('fixForStatus names the fix', () => {
	expect(fixForStatus(401)).toMatch(/API key/);
	expect(fixForStatus(403)).toMatch(/moderation/);
	expect(fixForStatus(429)).toMatch(/rate-limited/);
	expect(fixForStatus(400, { message: 'x', field: 'seed' })).toMatch(/"seed"/);
	expect(fixForStatus(500, { message: 'Invalid response from authorization hook' })).toMatch(/UUID/);
	expect(fixForStatus(503)).toMatch(/server problem/);
});

test('running out of credit gets its own fix: 402, or a 400/403 whose text speaks of a short balance (Leonardo\'s text is unknown)', () => {
	const outOfCredit = /run out of API credit.*app\.leonardo\.ai\/api-access.*no video was created/;
	expect(fixForStatus(402)).toMatch(outOfCredit);
	expect(fixForStatus(402, { message: 'Payment Required' })).toMatch(outOfCredit);
	for (const message of ['Insufficient balance', 'You do not have enough API credits for this request', 'Not enough tokens', 'Your credit balance is too low']) {
		expect({ message, fix: fixForStatus(400, { message }) }).toEqual({ message, fix: expect.stringMatching(outOfCredit) });
		expect(isOutOfCredit(403, { message })).toBe(true);
	}
	// Moderation, validation and a 5xx keep their own fixes, even when a word overlaps.
	expect(fixForStatus(403, { message: 'content moderation filter: token' })).toMatch(/moderation/);
	expect(fixForStatus(400, { message: 'expected a boolean for type \'Boolean\'', field: 'audio' })).toMatch(/"audio"/);
	expect(isOutOfCredit(400, { message: 'Invalid prompt, maximum length of 1500 characters exceeded.' })).toBe(false);
	expect(isOutOfCredit(500, { message: 'Insufficient balance' })).toBe(false);
});

test('validationErrorNames matches the field, not substrings', () => {
	expect(validationErrorNames({ message: 'Unexpected variable audio' }, 'audio')).toBe(true);
	expect(validationErrorNames({ message: 'x', field: 'mode' }, 'mode')).toBe(true);
	expect(validationErrorNames({ message: 'Unexpected variable motion_has_audio' }, 'audio')).toBe(false);
	expect(validationErrorNames({ message: 'invalid model' }, 'mode')).toBe(false);
	expect(validationErrorNames(undefined, 'seed')).toBe(false);
});
