/** Bytes of files: image formats by signature, the S3 upload form, the MP4 check on downloads. */
import { detectImageFormat, looksLikeMp4 } from '../../nodes/shared/fileTypes';
import { uploadForm } from '../../nodes/LtxVideo/helpers/upload';

describe('images and videos', () => {
	test('detectImageFormat by signature', () => {
		expect(detectImageFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
		expect(detectImageFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpg');
		expect(detectImageFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'))).toBe('webp');
		expect(detectImageFormat(Buffer.from('GIF89a'))).toBeUndefined();
		expect(detectImageFormat(Buffer.from('hello world, not an image'))).toBeUndefined();
	});

	test('upload form: fields in order, file last, raw bytes, image type, safe file name', async () => {
		const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
		const form = uploadForm({ key: 'k', Policy: 'p' }, { bytes: new Blob([bytes]), extension: 'png', fileName: 'a"b\r\n.png' });
		expect([...form.keys()]).toEqual(['key', 'Policy', 'file']);
		expect(form.get('key')).toBe('k');
		const file = form.get('file') as File;
		expect({ name: file.name, type: file.type }).toEqual({ name: 'a_b__.png', type: 'image/png' });
		expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);
	});

	test('looksLikeMp4', () => {
		expect(looksLikeMp4(Buffer.from('\0\0\0\x20ftypisom', 'latin1'))).toBe(true);
		expect(looksLikeMp4(Buffer.from('<html><body>', 'latin1'))).toBe(false);
		expect(looksLikeMp4(Buffer.alloc(3))).toBe(false);
	});
});
