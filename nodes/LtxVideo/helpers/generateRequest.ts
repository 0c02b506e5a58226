/**
 * Turns the Generate parameters of one item into a checked request (the body it becomes is built in
 * createGeneration.ts). Pure (no HTTP, no n8n context), so every rule is unit-tested directly.
 */
import {
	ASPECT_RATIOS,
	type AspectRatio,
	FRAME_SOURCES,
	IMAGE_REFERENCE_TYPES,
	type ImageReferenceType,
	isAspectRatio,
	isFrameSource,
	isImageReferenceType,
	isModelSlug,
	isPromptEnhance,
	isResolutionMode,
	MODELS,
	type ModelSlug,
	PROMPT_ENHANCE_MODES,
	PROMPT_MAX_LENGTH,
	type PromptEnhance,
	RESOLUTIONS,
	type ResolutionMode,
	SEED_MAX,
} from '../../shared/capabilities';
import { InvalidInputError, quoteSafely } from '../../shared/errors';
import { toBoolean, UUID_PATTERN } from '../../shared/validation';

/** Where a start or end image comes from, after validation. */
export type FrameInput =
	| { source: 'binary'; binaryPropertyName: string }
	| { source: 'imageId'; image: ImageReference }
	| { source: 'url'; url: string };

export interface ImageReference {
	id: string;
	type: ImageReferenceType;
}

export interface GenerateRequest {
	model: ModelSlug;
	prompt: string;
	duration: number;
	resolution: ResolutionMode;
	aspectRatio: AspectRatio;
	generateAudio: boolean;
	promptEnhance: PromptEnhance;
	seed?: number;
	public: boolean;
	startFrame?: FrameInput;
	endFrame?: FrameInput;
}

/** Parameter values as n8n hands them over (possibly from expressions, so anything goes). */
export interface RawFrameParameters {
	source: unknown;
	binaryPropertyName?: unknown;
	imageId?: unknown;
	imageType?: unknown;
	url?: unknown;
}

export interface RawGenerateParameters {
	model: unknown;
	prompt: unknown;
	duration: unknown;
	resolution: unknown;
	aspectRatio: unknown;
	generateAudio: unknown;
	promptEnhance: unknown;
	startFrame: RawFrameParameters;
	endFrame: RawFrameParameters;
	seed?: unknown;
	public?: unknown;
}


const listOf = (values: readonly (string | number)[]) => values.map((value) => `"${value}"`).join(', ');
const show = (value: unknown) => (typeof value === 'string' ? `"${value}"` : JSON.stringify(value));

function requireOneOf<T extends string>(
	value: unknown,
	isValid: (candidate: unknown) => candidate is T,
	allowed: readonly string[],
	label: string,
): T {
	if (isValid(value)) return value;
	throw new InvalidInputError(
		`Unknown ${label} ${show(value)}`,
		`Set "${label}" to one of ${listOf(allowed)}.`,
	);
}

function toInteger(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
	if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
	return undefined;
}

export function validateModel(value: unknown): ModelSlug {
	return requireOneOf(value, isModelSlug, Object.keys(MODELS), 'Model');
}

/**
 * Characters as a person counts them: grapheme clusters (an emoji, a flag, a letter with its accents is
 * one), code points where Intl.Segmenter is missing. Leonardo's own unit is unknown (leonardo-api.md
 * §7.7); graphemes are never more than code points or UTF-16 units, so this never refuses a prompt that
 * Leonardo would accept under any of them; one that Leonardo counts as longer gets its validation error (nothing charged).
 */
export function characterCount(text: string): number {
	if (typeof Intl.Segmenter !== 'function') return [...text].length;
	return [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].length;
}

function validatePrompt(value: unknown): string {
	const prompt = typeof value === 'string' ? value.trim() : '';
	if (!prompt) {
		throw new InvalidInputError('The prompt is empty', 'Describe the video in "Prompt", e.g. "A slow dolly-in on a neon street at night".');
	}
	// UTF-16 units are never fewer than characters: a prompt within the limit in units needs no count.
	const length = prompt.length > PROMPT_MAX_LENGTH ? characterCount(prompt) : prompt.length;
	if (length > PROMPT_MAX_LENGTH) {
		throw new InvalidInputError(
			`The prompt is ${length} characters long; the limit is ${PROMPT_MAX_LENGTH}`,
			`Shorten "Prompt" to at most ${PROMPT_MAX_LENGTH} characters.`,
		);
	}
	return prompt;
}

function validateDuration(value: unknown, model: ModelSlug): number {
	const capability = MODELS[model];
	const duration = toInteger(value);
	if (duration !== undefined && (capability.durations as readonly number[]).includes(duration)) return duration;
	throw new InvalidInputError(
		`${capability.displayName} cannot make a ${show(value)}-second video`,
		`Set "Duration" to one of ${capability.durations.join(', ')} seconds for ${capability.displayName}.`,
	);
}

function validateSeed(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const seed = toInteger(value);
	if (seed === undefined || seed < 0 || seed > SEED_MAX) {
		throw new InvalidInputError(
			`The seed ${show(value)} is not a whole number from 0 to ${SEED_MAX}`,
			`Set "Seed" to a whole number from 0 to ${SEED_MAX}, or remove the option for a random seed.`,
		);
	}
	return seed;
}

/** A frame link: absolute http(s), nothing else (no file:, ftp:, data:). */
function validateImageUrl(raw: unknown, which: 'Start Frame' | 'End Frame'): string {
	const text = typeof raw === 'string' ? raw.trim() : '';
	if (!text) {
		throw new InvalidInputError(
			`The ${which.toLowerCase()} URL is empty`,
			`Set "${which} URL" to the http(s) link of a PNG, JPEG or WebP image, or choose another "${which}" source.`,
		);
	}
	let url: URL | undefined;
	try {
		url = new URL(text);
	} catch {
		url = undefined;
	}
	if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
		throw new InvalidInputError(
			// Without its query and its user:password@ part (with or without a scheme): they often carry a token or a password.
			`The ${which.toLowerCase()} URL "${quoteSafely(text.replace(/\?.*$/s, '?…').replace(/^([^/?#]*\/\/)?[^/?#]*@/, '$1***@'), [], 100)}" is not an http(s) link`,
			`Set "${which} URL" to a full link that starts with https:// (or http://), e.g. https://example.com/photo.png.`,
		);
	}
	return url.href;
}

function validateFrame(raw: RawFrameParameters, which: 'Start Frame' | 'End Frame'): FrameInput | undefined {
	const source = requireOneOf(raw.source, isFrameSource, Object.keys(FRAME_SOURCES), which);
	if (source === 'none') return undefined;
	if (source === 'binary') {
		const name = typeof raw.binaryPropertyName === 'string' ? raw.binaryPropertyName.trim() : '';
		if (!name) {
			throw new InvalidInputError(
				`No binary property is named for the ${which.toLowerCase()}`,
				`Set "${which} Input Binary Field" to the name of the binary field that holds the image, e.g. "data".`,
			);
		}
		return { source, binaryPropertyName: name };
	}
	if (source === 'url') return { source, url: validateImageUrl(raw.url, which) };
	const id = typeof raw.imageId === 'string' ? raw.imageId.trim() : '';
	if (!id) {
		throw new InvalidInputError(
			`The ${which.toLowerCase()} image ID is empty`,
			`Set "${which} Image ID" to a Leonardo image ID (a UUID), e.g. the "videoId" of an earlier generation, or choose another "${which}" source.`,
		);
	}
	if (!UUID_PATTERN.test(id)) {
		throw new InvalidInputError(
			`The ${which.toLowerCase()} image ID ${show(raw.imageId)} is not a Leonardo image ID`,
			`Set "${which} Image ID" to a Leonardo image ID (a UUID such as 0a1b2c3d-4e5f-6789-abcd-ef0123456789), e.g. the "videoId" of an earlier generation.`,
		);
	}
	const type = requireOneOf(raw.imageType, isImageReferenceType, Object.keys(IMAGE_REFERENCE_TYPES), `${which} Image Type`);
	return { source, image: { id, type } };
}

/** Checks every Generate rule; throws InvalidInputError saying what to change. Sends nothing. */
export function validateGenerateRequest(raw: RawGenerateParameters): GenerateRequest {
	const model = validateModel(raw.model);
	const prompt = validatePrompt(raw.prompt);
	const duration = validateDuration(raw.duration, model);
	const resolution = requireOneOf(raw.resolution, isResolutionMode, Object.keys(RESOLUTIONS), 'Resolution');
	const aspectRatio = requireOneOf(raw.aspectRatio, isAspectRatio, Object.keys(ASPECT_RATIOS), 'Aspect Ratio');
	const promptEnhance = requireOneOf(raw.promptEnhance, isPromptEnhance, Object.keys(PROMPT_ENHANCE_MODES), 'Prompt Enhance');
	const generateAudio = toBoolean(raw.generateAudio, 'Generate Audio');
	const startFrame = validateFrame(raw.startFrame, 'Start Frame');
	const endFrame = validateFrame(raw.endFrame, 'End Frame');

	if (endFrame && !startFrame) {
		throw new InvalidInputError(
			'An end frame needs a start frame',
			'Set "Start Frame" too (the video goes from the start image to the end image), or set "End Frame" to "None".',
		);
	}
	if (ASPECT_RATIOS[aspectRatio].needsStartFrame && !startFrame) {
		throw new InvalidInputError(
			`Aspect ratio "${aspectRatio}" follows the start image, but there is no start frame`,
			'Choose "16:9" or "9:16" for "Aspect Ratio", or set a "Start Frame".',
		);
	}

	return {
		model,
		prompt,
		duration,
		resolution,
		aspectRatio,
		generateAudio,
		promptEnhance,
		seed: validateSeed(raw.seed),
		public: raw.public === undefined ? false : toBoolean(raw.public, 'Public'),
		startFrame,
		endFrame,
	};
}
