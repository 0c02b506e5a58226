/**
 * The bad-input matrix: every invalid value that can reach the node, from the panel or from an
 * expression. Each must fail with a NodeOperationError that says what to change, naming the item,
 * before ANY request. The "Bad-input matrix" table of docs/reliability.md lists these cases by `name` (a test checks it).
 */
import type { INodeParameters } from 'n8n-workflow';

import type { InputItem } from '../helpers/engine';
import { generate, IMAGE_ID } from '../helpers/scenario';

export interface BadInputCase {
	name: string;
	parameters: INodeParameters;
	input?: InputItem[];
	/** Credential base URL override. */
	baseUrl?: string;
	/** A setting of the node as a whole (credential, concurrency): the error names no item. */
	nodeLevel?: boolean;
	message: RegExp;
	fix: RegExp;
}

const get = (generationId: string): INodeParameters => ({ resource: 'video', operation: 'get', generationId });
const withStartId = { startFrame: 'imageId', startFrameImageId: IMAGE_ID };

export const BAD_INPUT_CASES: BadInputCase[] = [
	{ name: 'Pro with 12 s', parameters: generate({ duration: 12 }), message: /LTX 2.3 Pro cannot make a 12-second video/, fix: /6, 8, 10 seconds/ },
	{ name: 'Pro with 7 s', parameters: generate({ duration: 7 }), message: /7-second/, fix: /6, 8, 10 seconds/ },
	{ name: 'Fast with 22 s', parameters: generate({ model: 'ltxv-2.3-fast', duration: 22 }), message: /LTX 2.3 Fast cannot make a 22-second/, fix: /6, 8, 10, 12, 14, 16, 18, 20 seconds/ },
	{ name: 'Fast with 5 s', parameters: generate({ model: 'ltxv-2.3-fast', duration: 5 }), message: /5-second/, fix: /Duration/ },
	{ name: 'Duration as text', parameters: generate({ duration: '={{ "eight" }}' }), message: /"eight"-second/, fix: /Duration/ },
	{ name: 'Unknown model', parameters: generate({ model: '={{ "ltxv-2.0-pro" }}' }), message: /Unknown Model "ltxv-2.0-pro"/, fix: /"ltxv-2.3-pro", "ltxv-2.3-fast"/ },
	{ name: 'Unknown resolution', parameters: generate({ resolution: '={{ "4K" }}' }), message: /Unknown Resolution "4K"/, fix: /RESOLUTION_1080/ },
	{ name: 'Unknown aspect ratio', parameters: generate({ aspectRatio: '={{ "4:3" }}' }), message: /Unknown Aspect Ratio "4:3"/, fix: /"16:9", "9:16", "source"/ },
	{ name: 'Aspect "source" without a start frame', parameters: generate({ aspectRatio: '={{ "source" }}' }), message: /follows the start image, but there is no start frame/, fix: /16:9/ },
	{
		name: 'End frame without a start frame',
		parameters: generate({ startFrame: '={{ "none" }}', endFrame: 'imageId', endFrameImageId: IMAGE_ID }),
		message: /An end frame needs a start frame/,
		fix: /Set "Start Frame"/,
	},
	{ name: 'Unknown start frame source', parameters: generate({ startFrame: '={{ "link" }}' }), message: /Unknown Start Frame "link"/, fix: /"none", "binary", "imageId", "url"/ },
	{ name: 'Start frame URL empty (source from an expression)', parameters: generate({ startFrame: '={{ "url" }}' }), message: /The start frame URL is empty/, fix: /Start Frame URL/ },
	{ name: 'Start frame URL without http(s)', parameters: generate({ startFrame: 'url', startFrameUrl: 'www.example.com/photo.png' }), message: /start frame URL "www.example.com\/photo.png" is not an http\(s\) link/, fix: /starts with https:\/\// },
	{ name: 'End frame URL file:', parameters: generate({ ...withStartId, endFrame: 'url', endFrameUrl: '={{ "file:///etc/hosts" }}' }), message: /end frame URL "file:\/\/\/etc\/hosts" is not an http\(s\) link/, fix: /End Frame URL/ },
	{
		name: 'Start frame URL refused (nothing listens there)',
		// A link to this machine: Allow Private Links on, so the node tries it.
		parameters: generate({ startFrame: 'url', startFrameUrl: 'http://127.0.0.1:9/product.png?token=secret' }, { allowPrivateLinks: true }),
		message: /Start Frame link http:\/\/127.0.0.1:9\/product.png\?… refused the connection \(3 tries\)/,
		fix: /Nothing was sent to Leonardo/,
	},
	{ name: 'Start image ID empty (source from an expression)', parameters: generate({ startFrame: '={{ "imageId" }}' }), message: /The start frame image ID is empty/, fix: /Start Frame Image ID/ },
	{ name: 'Start binary property empty (source from an expression)', parameters: generate({ startFrame: '={{ "binary" }}', startFrameBinaryProperty: '' }), input: [{ binary: { data: { file: 'frame.png' } } }], message: /No binary property is named for the start frame/, fix: /Start Frame Input Binary Field/ },
	{ name: 'End image ID empty (source from an expression)', parameters: generate({ ...withStartId, endFrame: '={{ "imageId" }}' }), message: /The end frame image ID is empty/, fix: /End Frame Image ID/ },
	{
		// n8n keeps Operation literal (noDataExpression): an expression in the workflow JSON reaches the node as its text.
		name: 'Operation from an expression',
		parameters: { resource: 'video', operation: '={{ "get" }}', generationId: IMAGE_ID },
		message: /Unknown Operation/,
		fix: /cannot be an expression: choose it in the panel/,
		nodeLevel: true,
	},
	{ name: 'Empty prompt', parameters: generate({ prompt: '={{ $json.missing ?? "" }}' }), message: /The prompt is empty/, fix: /Describe the video/ },
	{ name: 'Whitespace prompt', parameters: generate({ prompt: '   \n ' }), message: /The prompt is empty/, fix: /Describe the video/ },
	{ name: 'Prompt over 5000 characters', parameters: generate({ prompt: `={{ "x".repeat(5001) }}` }), message: /5001 characters long; the limit is 5000/, fix: /at most 5000/ },
	{ name: 'Unknown prompt enhance', parameters: generate({ promptEnhance: '={{ "MAYBE" }}' }), message: /Unknown Prompt Enhance "MAYBE"/, fix: /"AUTO", "ON", "OFF"/ },
	{ name: 'Generate Audio not a boolean', parameters: generate({ generateAudio: '={{ "loud" }}' }), message: /Generate Audio" must be true or false/, fix: /true or false/ },
	{ name: 'Seed not an integer', parameters: generate({}, { seed: 3.7 }), message: /seed 3.7 is not a whole number/, fix: /0 to 2147483647/ },
	{ name: 'Seed as text', parameters: generate({}, { seed: '={{ "lucky" }}' }), message: /seed "lucky"/, fix: /Seed/ },
	{ name: 'Seed negative', parameters: generate({}, { seed: -1 }), message: /seed -1/, fix: /0 to 2147483647/ },
	{ name: 'Seed beyond 32 bits', parameters: generate({}, { seed: 2147483648 }), message: /seed 2147483648/, fix: /0 to 2147483647/ },
	{
		name: 'Missing binary property',
		parameters: generate({ startFrame: 'binary', startFrameBinaryProperty: 'image' }),
		input: [{ binary: { data: { file: 'frame.png' } } }],
		message: /no binary property "image" for the Start Frame/,
		fix: /one of: data/,
	},
	{
		name: 'Item without any binary data',
		parameters: generate({ startFrame: 'binary' }),
		message: /no binary property "data"/,
		fix: /carries no binary data/,
	},
	{
		name: 'Binary that is not an image',
		parameters: generate({ startFrame: 'binary' }),
		input: [{ binary: { data: { file: 'not-an-image.png', mimeType: 'image/png' } } }],
		message: /is not a PNG, JPEG or WebP image/,
		fix: /Convert the file/,
	},
	{
		name: 'Image bytes that do not match an accepted type (GIF named .png)',
		parameters: generate({ startFrame: 'binary' }),
		input: [{ binary: { data: { bytes: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), fileName: 'frame.png', mimeType: 'image/png' } } }],
		message: /"frame.png" \(image\/png\) is not a PNG, JPEG or WebP image/,
		fix: /PNG, JPEG and WebP/,
	},
	{
		name: 'End frame binary that is not an image',
		parameters: generate({ startFrame: 'binary', endFrame: 'binary' }),
		input: [{ binary: { data: { file: 'frame.png' }, endFrame: { bytes: Buffer.from('%PDF-1.7'), fileName: 'end.jpg', mimeType: 'image/jpeg' } } }],
		message: /End Frame "end.jpg"/,
		fix: /PNG, JPEG and WebP/,
	},
	{
		name: 'Empty binary property name',
		parameters: generate({ startFrame: 'binary', startFrameBinaryProperty: '={{ "" }}' }),
		message: /No binary property is named for the start frame/,
		fix: /Start Frame Input Binary Field/,
	},
	{ name: 'Start image ID not a UUID', parameters: generate({ startFrame: 'imageId', startFrameImageId: 'my-image' }), message: /"my-image" is not a Leonardo image ID/, fix: /UUID/ },
	{ name: 'End image ID not a UUID', parameters: generate({ ...withStartId, endFrame: 'imageId', endFrameImageId: '12345' }), message: /end frame image ID "12345"/, fix: /End Frame Image ID/ },
	{ name: 'Unknown image type', parameters: generate({ ...withStartId, startFrameImageType: '={{ "INIT" }}' }), message: /Unknown Start Frame Image Type "INIT"/, fix: /"GENERATED", "UPLOADED"/ },
	{ name: 'Poll interval below 1 s', parameters: generate({}, { pollInterval: 0.5 }), message: /Poll interval 0.5 is too short/, fix: /1 second or more/ },
	{ name: 'Timeout 0', parameters: generate({}, { timeout: 0 }), message: /Timeout 0 is out of range/, fix: /more than 0/ },
	{ name: 'Timeout negative', parameters: generate({}, { timeout: -5 }), message: /Timeout -5/, fix: /more than 0/ },
	{ name: 'Timeout over 24 h', parameters: generate({}, { timeout: 100000 }), message: /Timeout 100000/, fix: /at most 86400/ },
	{ name: 'Max concurrency -1', parameters: generate({}, { maxConcurrency: -1 }), message: /Max concurrent generations -1/, fix: /1 to 20/, nodeLevel: true },
	{ name: 'Max concurrency 50', parameters: generate({}, { maxConcurrency: 50 }), message: /Max concurrent generations 50/, fix: /1 to 20/, nodeLevel: true },
	{ name: 'Output field name with a space', parameters: generate({}, { binaryPropertyName: 'my video' }), message: /"my video" is not usable/, fix: /letters, digits/ },
	{ name: 'Base URL not http(s)', parameters: generate(), baseUrl: 'ftp://127.0.0.1/api/rest', message: /base URL "ftp:\/\/127.0.0.1\/api\/rest" is not an http\(s\) URL/, fix: /Base URL/, nodeLevel: true },
	{ name: 'Base URL not a URL', parameters: generate(), baseUrl: 'cloud.leonardo.ai', message: /is not an http\(s\) URL/, fix: /https:\/\/cloud.leonardo.ai\/api\/rest/, nodeLevel: true },
	{ name: 'Get with an empty generation ID', parameters: get('={{ "" }}'), message: /The generation ID is empty/, fix: /Generation ID/ },
	{ name: 'Get with a generation ID that is not a UUID', parameters: get('gen-42'), message: /"gen-42" is not a Leonardo generation ID/, fix: /UUID/ },
	{ name: 'Delete with an empty generation ID', parameters: { resource: 'video', operation: 'delete', generationId: '={{ " " }}' }, message: /The generation ID is empty/, fix: /Generation ID/ },
];
