import { InvalidInputError } from '../../nodes/shared/errors';
import { buildCreateBody } from '../../nodes/LtxVideo/helpers/createGeneration';
import {
	characterCount,
	type RawGenerateParameters,
	validateGenerateRequest,
} from '../../nodes/LtxVideo/helpers/generateRequest';

const IMAGE_ID = '0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const none = { source: 'none' };

const raw = (overrides: Partial<RawGenerateParameters> = {}): RawGenerateParameters => ({
	model: 'ltxv-2.3-pro',
	prompt: 'A fox runs through snow',
	duration: 8,
	resolution: 'RESOLUTION_1080',
	aspectRatio: '16:9',
	generateAudio: true,
	promptEnhance: 'AUTO',
	startFrame: none,
	endFrame: none,
	...overrides,
});

function rejection(overrides: Partial<RawGenerateParameters>): InvalidInputError {
	try {
		validateGenerateRequest(raw(overrides));
	} catch (error) {
		expect(error).toBeInstanceOf(InvalidInputError);
		return error as InvalidInputError;
	}
	throw new Error('expected the input to be rejected');
}

describe('validateGenerateRequest', () => {
	test('accepts the defaults', () => {
		expect(validateGenerateRequest(raw())).toEqual({
			model: 'ltxv-2.3-pro',
			prompt: 'A fox runs through snow',
			duration: 8,
			resolution: 'RESOLUTION_1080',
			aspectRatio: '16:9',
			generateAudio: true,
			promptEnhance: 'AUTO',
			seed: undefined,
			public: false,
			startFrame: undefined,
			endFrame: undefined,
		});
	});

	test.each([
		['Pro with 12 s', { duration: 12 }, /LTX 2.3 Pro cannot make a 12-second video/, /6, 8, 10/],
		['Pro with 7 s', { duration: 7 }, /7-second/, /6, 8, 10/],
		['Fast with 22 s', { model: 'ltxv-2.3-fast', duration: 22 }, /22-second/, /6, 8, 10, 12, 14, 16, 18, 20/],
		['Fast with 9 s', { model: 'ltxv-2.3-fast', duration: 9 }, /9-second/, /Fast/],
		['duration as text', { duration: 'eight' }, /"eight"-second/, /Duration/],
		['unknown model', { model: 'ltxv-2.0-pro' }, /Unknown Model "ltxv-2.0-pro"/, /"ltxv-2.3-pro", "ltxv-2.3-fast"/],
		['empty prompt', { prompt: '' }, /prompt is empty/, /Prompt/],
		['whitespace prompt', { prompt: '  \n\t ' }, /prompt is empty/, /Prompt/],
		['prompt not text', { prompt: 42 }, /prompt is empty/, /Prompt/],
		['over-long prompt', { prompt: 'x'.repeat(5001) }, /5001 characters long; the limit is 5000/, /at most 5000/],
		['unknown resolution', { resolution: '4K' }, /Unknown Resolution "4K"/, /RESOLUTION_2160/],
		['unknown aspect', { aspectRatio: '4:3' }, /Unknown Aspect Ratio "4:3"/, /"16:9", "9:16", "source"/],
		['source aspect without start frame', { aspectRatio: 'source' }, /follows the start image/, /Start Frame/],
		['unknown prompt enhance', { promptEnhance: 'MAYBE' }, /Unknown Prompt Enhance/, /"AUTO", "ON", "OFF"/],
		['audio not boolean', { generateAudio: 'yes' }, /Generate Audio" must be true or false/, /true or false/],
		['seed not integer', { seed: 1.5 }, /seed 1.5 is not a whole number/, /Seed/],
		['seed text', { seed: 'abc' }, /seed "abc"/, /Seed/],
		['seed negative', { seed: -1 }, /seed -1/, /0 to 2147483647/],
		['seed beyond 32 bit', { seed: 2147483648 }, /seed 2147483648/, /2147483647/],
		['end frame without start frame', { endFrame: { source: 'imageId', imageId: IMAGE_ID, imageType: 'GENERATED' } }, /end frame needs a start frame/, /Start Frame/],
		['unknown frame source', { startFrame: { source: 'link' } }, /Unknown Start Frame "link"/, /"none", "binary", "imageId", "url"/],
		['frame URL empty', { startFrame: { source: 'url', url: '  ' } }, /The start frame URL is empty/, /Start Frame URL/],
		['frame URL missing', { startFrame: { source: 'url' } }, /The start frame URL is empty/, /Start Frame URL/],
		['frame URL without scheme', { startFrame: { source: 'url', url: 'example.com/photo.png' } }, /start frame URL "example.com\/photo.png" is not an http\(s\) link/, /https:\/\//],
		['frame URL ftp', { startFrame: { source: 'url', url: 'ftp://example.com/photo.png' } }, /"ftp:\/\/example.com\/photo.png" is not an http\(s\) link/, /Start Frame URL/],
		['frame URL file', { startFrame: { source: 'url', url: 'file:///etc/passwd' } }, /is not an http\(s\) link/, /Start Frame URL/],
		['frame URL data', { startFrame: { source: 'url', url: `data:image/png;base64,${'A'.repeat(5000)}` } }, /is not an http\(s\) link/, /Start Frame URL/],
		['end frame URL not a link', { startFrame: { source: 'url', url: 'https://example.com/a.png' }, endFrame: { source: 'url', url: 42 } }, /The end frame URL is empty/, /End Frame URL/],
		['image id not a uuid', { startFrame: { source: 'imageId', imageId: 'abc', imageType: 'GENERATED' } }, /"abc" is not a Leonardo image ID/, /UUID/],
		['image id empty', { startFrame: { source: 'imageId', imageId: '', imageType: 'GENERATED' } }, /The start frame image ID is empty/, /Start Frame Image ID/],
		['image type unknown', { startFrame: { source: 'imageId', imageId: IMAGE_ID, imageType: 'INIT' } }, /Unknown Start Frame Image Type "INIT"/, /GENERATED/],
		['binary property empty', { startFrame: { source: 'binary', binaryPropertyName: ' ' } }, /No binary property/, /Start Frame Input Binary Field/],
		['public not boolean', { public: 'maybe' }, /Public" must be true or false/, /Public/],
	])('rejects %s', (_name, overrides, message, fix) => {
		const error = rejection(overrides as Partial<RawGenerateParameters>);
		expect(error.message).toMatch(message);
		expect(error.fix).toMatch(fix);
	});

	test('accepts every duration of each model', () => {
		for (const duration of [6, 8, 10]) expect(validateGenerateRequest(raw({ duration })).duration).toBe(duration);
		for (const duration of [6, 8, 10, 12, 14, 16, 18, 20]) {
			expect(validateGenerateRequest(raw({ model: 'ltxv-2.3-fast', duration })).duration).toBe(duration);
		}
		expect(validateGenerateRequest(raw({ duration: '10' })).duration).toBe(10);
	});

	test('trims the prompt and the image id; reads frames', () => {
		const request = validateGenerateRequest(
			raw({
				prompt: '  fog rolls in  ',
				aspectRatio: 'source',
				startFrame: { source: 'binary', binaryPropertyName: 'data' },
				endFrame: { source: 'imageId', imageId: ` ${IMAGE_ID} `, imageType: 'UPLOADED' },
			}),
		);
		expect(request.prompt).toBe('fog rolls in');
		expect(request.startFrame).toEqual({ source: 'binary', binaryPropertyName: 'data' });
		expect(request.endFrame).toEqual({ source: 'imageId', image: { id: IMAGE_ID, type: 'UPLOADED' } });
	});

	test('reads frame links: trimmed, normalised, http and https', () => {
		const request = validateGenerateRequest(
			raw({ startFrame: { source: 'url', url: ' https://Example.com/img/a b.png?sig=1 ' }, endFrame: { source: 'url', url: 'http://127.0.0.1:8080/b.jpg' } }),
		);
		expect(request.startFrame).toEqual({ source: 'url', url: 'https://example.com/img/a%20b.png?sig=1' });
		expect(request.endFrame).toEqual({ source: 'url', url: 'http://127.0.0.1:8080/b.jpg' });
	});

	test('a link that is not http(s) is named without its query', () => {
		const error = rejection({ startFrame: { source: 'url', url: 'www.example.com/a.png?token=s3cr3t' } } as Partial<RawGenerateParameters>);
		expect(error.message).toBe('The start frame URL "www.example.com/a.png?…" is not an http(s) link');
	});

	test('a data: link in an error is cut short', () => {
		const error = rejection({ startFrame: { source: 'url', url: `data:image/png;base64,${'A'.repeat(5000)}` } } as Partial<RawGenerateParameters>);
		expect(error.message.length).toBeLessThan(200);
	});

	test('seed 0 and the maximum are valid; empty means random', () => {
		expect(validateGenerateRequest(raw({ seed: 0 })).seed).toBe(0);
		expect(validateGenerateRequest(raw({ seed: 2147483647 })).seed).toBe(2147483647);
		expect(validateGenerateRequest(raw({ seed: '' })).seed).toBeUndefined();
	});
});

describe('buildCreateBody', () => {
	test('text-to-video: every option in its documented place', () => {
		const request = validateGenerateRequest(
			raw({ model: 'ltxv-2.3-fast', duration: 14, resolution: 'RESOLUTION_1440', aspectRatio: '9:16', generateAudio: false, promptEnhance: 'OFF', seed: 42, public: true }),
		);
		expect(buildCreateBody(request, {})).toEqual({
			model: 'ltxv-2.3-fast',
			public: true,
			parameters: {
				prompt: 'A fox runs through snow',
				mode: 'RESOLUTION_1440',
				prompt_enhance: 'OFF',
				quantity: 1,
				duration: 14,
				width: 1440,
				height: 2560,
				audio: false,
				seed: 42,
			},
		});
	});

	test('seed is left out unless set', () => {
		expect(buildCreateBody(validateGenerateRequest(raw()), {}).parameters).not.toHaveProperty('seed');
	});

	test('start and end frames go into guidances; source aspect sends 0×0', () => {
		const request = validateGenerateRequest(raw({ aspectRatio: 'source', startFrame: { source: 'binary', binaryPropertyName: 'data' } }));
		const body = buildCreateBody(request, {
			start: { id: 'start-id', type: 'UPLOADED' },
			end: { id: 'end-id', type: 'GENERATED' },
		});
		expect(body.parameters).toMatchObject({
			width: 0,
			height: 0,
			guidances: {
				start_frame: [{ image: { id: 'start-id', type: 'UPLOADED' } }],
				end_frame: [{ image: { id: 'end-id', type: 'GENERATED' } }],
			},
		});
	});

	test('the other dialect: motion_has_audio, and no mode', () => {
		const body = buildCreateBody(validateGenerateRequest(raw()), {}, { audioField: 'motion_has_audio', sendMode: false });
		expect(body.parameters).toMatchObject({ motion_has_audio: true, width: 1920, height: 1080 });
		expect(body.parameters).not.toHaveProperty('audio');
		expect(body.parameters).not.toHaveProperty('mode');
	});
});

describe('prompt length in characters as a person counts them (the limit is 5000, docs/leonardo-api.md §7.7)', () => {
	const emoji = '😀'; // two UTF-16 units, one code point, one character
	const family = '👨‍👩‍👧'; // five code points joined by ZWJ, eight UTF-16 units, one character
	const accented = 'e\u0301'; // e + combining acute: two code points, one character

	test('4000 and 5000 emoji are accepted; 5001 are refused as 5001 characters', () => {
		expect(validateGenerateRequest(raw({ prompt: emoji.repeat(4000) })).prompt).toHaveLength(8000);
		expect(validateGenerateRequest(raw({ prompt: emoji.repeat(5000) })).prompt).toHaveLength(10_000);
		const error = rejection({ prompt: emoji.repeat(5001) });
		expect(error.message).toBe('The prompt is 5001 characters long; the limit is 5000');
	});

	test('joined emoji and combining accents count once', () => {
		expect(characterCount(`${family}${accented}a${emoji}`)).toBe(4);
		expect(validateGenerateRequest(raw({ prompt: family.repeat(5000) })).prompt).toHaveLength(40_000);
		expect(rejection({ prompt: accented.repeat(5001) }).message).toMatch(/5001 characters long/);
	});
});
