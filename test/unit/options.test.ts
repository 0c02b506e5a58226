import { InvalidInputError } from '../../nodes/shared/errors';
import {
	validateBaseUrl,
	validateGenerationId,
	validateMaxConcurrency,
	posterFileName,
	validateFileName,
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
	expect(validateOutputSettings({})).toEqual({ download: true, binaryPropertyName: 'data', downloadPoster: false, fileName: undefined });
	expect(validateOutputSettings({ download: false, binaryPropertyName: 'video', downloadPoster: true, fileName: 'clip' })).toEqual({
		download: false,
		binaryPropertyName: 'video',
		downloadPoster: true,
		fileName: 'clip.mp4',
	});
	fails(() => validateOutputSettings({ binaryPropertyName: 'my video' }), /not usable/);
	fails(() => validateOutputSettings({ download: 'yes' }), /Download Video/);
	fails(() => validateOutputSettings({ downloadPoster: 'yes' }), /"Download Poster Image" must be true or false, not "yes"/);
	// The poster's field is fixed: the MP4 may not take it when the poster is asked for.
	fails(() => validateOutputSettings({ downloadPoster: true, binaryPropertyName: 'poster' }), /both go into the binary field "poster"/);
	expect(validateOutputSettings({ binaryPropertyName: 'poster' }).binaryPropertyName).toBe('poster');
});

test('file name: as given, .mp4 added when missing, empty = default, unusable names refused', () => {
	expect(validateFileName(undefined)).toBeUndefined();
	expect(validateFileName('')).toBeUndefined();
	expect(validateFileName('   ')).toBeUndefined();
	expect(validateFileName('clip.mp4')).toBe('clip.mp4');
	expect(validateFileName(' Clip.MP4 ')).toBe('Clip.MP4');
	expect(validateFileName('clip')).toBe('clip.mp4');
	expect(validateFileName('clip.v2')).toBe('clip.v2.mp4');
	expect(validateFileName('Größe: 2 €')).toBe('Größe: 2 €.mp4');
	expect(validateFileName(42)).toBe('42.mp4');
	fails(() => validateFileName('videos/clip.mp4'), /The file name "videos\/clip.mp4" cannot be used: it contains "\/" or "\\"/);
	fails(() => validateFileName('C:\\clip.mp4'), /cannot be used: it contains "\/" or "\\"/);
	fails(() => validateFileName('clip\n.mp4'), /cannot be used: it contains a line break, tab or other control character/);
	fails(() => validateFileName('a\u0000b'), /control character/);
	fails(() => validateFileName('..'), /cannot be used: it is only dots/);
	fails(() => validateFileName('x'.repeat(201)), /longer than 200 characters/);
	fails(() => validateFileName({ name: 'clip' }), /cannot be used: it is not text/);
	expect(posterFileName('clip.mp4', 'jpg')).toBe('clip.jpg');
	expect(posterFileName('Clip.MP4', 'png')).toBe('Clip.png');
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
