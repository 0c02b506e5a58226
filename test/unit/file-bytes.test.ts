/** Bytes of files: image formats by signature, the S3 multipart body, the MP4 check on downloads. */
import { detectImageFormat } from '../../nodes/LtxVideo/helpers/frameImages';
import { buildMultipartBody } from '../../nodes/LtxVideo/helpers/upload';
import { looksLikeMp4 } from '../../nodes/shared/download';

describe('images and videos', () => {
	test('detectImageFormat by signature', () => {
		expect(detectImageFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
		expect(detectImageFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpg');
		expect(detectImageFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'))).toBe('webp');
		expect(detectImageFormat(Buffer.from('GIF89a'))).toBeUndefined();
		expect(detectImageFormat(Buffer.from('hello world, not an image'))).toBeUndefined();
	});

	test('multipart: fields in order, file last, raw bytes', () => {
		const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
		const body = buildMultipartBody({ key: 'k', Policy: 'p' }, { bytes, extension: 'png', fileName: 'a"b.png' }, 'BOUNDARY');
		const text = body.toString('latin1');
		expect(text.indexOf('name="key"')).toBeLessThan(text.indexOf('name="Policy"'));
		expect(text.indexOf('name="Policy"')).toBeLessThan(text.indexOf('name="file"'));
		expect(text).toContain('filename="a_b.png"\r\nContent-Type: image/png\r\n\r\n');
		expect(body.includes(bytes)).toBe(true);
		expect(text.endsWith('\r\n--BOUNDARY--\r\n')).toBe(true);
	});

	test('looksLikeMp4', () => {
		expect(looksLikeMp4(Buffer.from('\0\0\0\x20ftypisom', 'latin1'))).toBe(true);
		expect(looksLikeMp4(Buffer.from('<html><body>', 'latin1'))).toBe(false);
		expect(looksLikeMp4(Buffer.alloc(3))).toBe(false);
	});
});
