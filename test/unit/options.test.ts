import { InvalidInputError } from '../../nodes/shared/errors';
import {
	validateBaseUrl,
	validateGenerationId,
	validateMaxConcurrency,
	validateOutputSettings,
	validateWaitSettings,
} from '../../nodes/shared/validation';

const fails = (fn: () => unknown, message: RegExp) => {
	expect(fn).toThrow(InvalidInputError);
	expect(fn).toThrow(message);
};

test('wait settings: defaults, bounds', () => {
	expect(validateWaitSettings({})).toEqual({ pollIntervalMs: 5000, timeoutMs: 900000 });
	expect(validateWaitSettings({ pollInterval: 1, timeout: 30 })).toEqual({ pollIntervalMs: 1000, timeoutMs: 30000 });
	fails(() => validateWaitSettings({ pollInterval: 0.5 }), /Poll interval 0.5 is too short/);
	fails(() => validateWaitSettings({ pollInterval: 'often' }), /Poll interval "often"/);
	fails(() => validateWaitSettings({ timeout: 0 }), /Timeout 0 is out of range/);
	fails(() => validateWaitSettings({ timeout: -5 }), /Timeout -5/);
	fails(() => validateWaitSettings({ timeout: 86401 }), /Timeout 86401/);
});

test('output settings', () => {
	expect(validateOutputSettings({})).toEqual({ download: true, binaryPropertyName: 'data' });
	expect(validateOutputSettings({ download: false, binaryPropertyName: 'video' })).toEqual({ download: false, binaryPropertyName: 'video' });
	fails(() => validateOutputSettings({ binaryPropertyName: 'my video' }), /not usable/);
	fails(() => validateOutputSettings({ download: 'yes' }), /Download Video/);
});

test('max concurrency', () => {
	expect(validateMaxConcurrency(undefined)).toBe(4);
	expect(validateMaxConcurrency(20)).toBe(20);
	expect(validateMaxConcurrency(0)).toBe('auto');
	expect(validateMaxConcurrency(' Auto ')).toBe('auto');
	expect(validateMaxConcurrency('0')).toBe('auto');
	fails(() => validateMaxConcurrency(-1), /out of range/);
	fails(() => validateMaxConcurrency(2.5), /out of range/);
	fails(() => validateMaxConcurrency(21), /out of range/);
});

test('generation id', () => {
	expect(validateGenerationId(' 0a1b2c3d-4e5f-6789-abcd-ef0123456789 ')).toBe('0a1b2c3d-4e5f-6789-abcd-ef0123456789');
	fails(() => validateGenerationId(''), /generation ID is empty/);
	fails(() => validateGenerationId(undefined), /generation ID is empty/);
	fails(() => validateGenerationId('abc'), /"abc" is not a Leonardo generation ID/);
});

test('base url', () => {
	expect(validateBaseUrl('https://cloud.leonardo.ai/api/rest/')).toBe('https://cloud.leonardo.ai/api/rest');
	expect(validateBaseUrl('http://127.0.0.1:5680/api/rest')).toBe('http://127.0.0.1:5680/api/rest');
	fails(() => validateBaseUrl('ftp://example.com'), /not an http\(s\) URL/);
	fails(() => validateBaseUrl('cloud.leonardo.ai'), /not an http\(s\) URL/);
	// A password in it is not shown.
	expect(() => validateBaseUrl('ftp://gateway-user:s3cret-pw@example.com')).toThrow(/^The credential's base URL "ftp:\/\/\*\*\*@example\.com" is not/);
	fails(() => validateBaseUrl(''), /not an http\(s\) URL/);
});
