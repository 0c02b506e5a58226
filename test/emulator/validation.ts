/**
 * Validation of POST /v2/generations (§1). Two layers, as on the real service:
 * 1. the Hasura envelope (top-level variables, their types, the required prompt): REST error shape,
 *    first error only;
 * 2. the model's parameter rules: the v2 bare-array VALIDATION_ERROR shape, every issue at once.
 */
import type { BufferedReply, ValidationIssue } from './replies.ts';
import { restError, validationErrorReply } from './replies.ts';
import type { JsonObject } from './hasura.ts';
import { checkRequired, checkVariables, isJsonObject } from './hasura.ts';
import {
	BASE_PARAMETER_KEYS,
	DEFAULT_DURATION_SECONDS,
	DEFAULT_MODE,
	DURATIONS_BY_MODEL,
	FRAME_IMAGE_TYPES,
	FRAME_KEYS,
	PROMPT_ENHANCE_VALUES,
	PROMPT_MAX_CHARS,
	RESOLUTION_MODES,
	SEED_MAX,
	SIZES_BY_MODE,
	isLtxModel,
} from './ltx.ts';
import type { AudioField, CreateParams, FrameRef, LtxModel, PromptEnhance, RefusalRule, ResolutionMode, ValidationErrorShape } from './types.ts';

export interface CreateValidationContext {
	audioField: AudioField;
	rejectParameters: readonly string[];
	shape: ValidationErrorShape;
	refuse: readonly RefusalRule[];
	/** Why this frame image cannot be used, or undefined when it can. */
	frameProblem(frame: FrameRef): string | undefined;
}

export type CreateValidation = { ok: true; params: CreateParams } | { ok: false; reply: BufferedReply };

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
	return UUID_PATTERN.test(value);
}

/** The parameter keys the endpoint accepts under these options. */
export function acceptedParameterKeys(audioField: AudioField, rejectParameters: readonly string[]): string[] {
	const audioKeys = audioField === 'both' ? ['audio', 'motion_has_audio'] : [audioField];
	return [...BASE_PARAMETER_KEYS, ...audioKeys].filter((key) => !rejectParameters.includes(key));
}

export function validateCreateBody(body: unknown, context: CreateValidationContext): CreateValidation {
	const envelopeError = checkEnvelope(body);
	if (envelopeError) return { ok: false, reply: envelopeError };
	const envelope = body as { model: LtxModel; public: boolean; parameters: JsonObject };
	const issues: ValidationIssue[] = [];
	const params = readParameters(envelope.model, envelope.public, envelope.parameters, context, issues);
	if (issues.length === 0) issues.push(...stricterReadings(params, context.refuse));
	return issues.length > 0 ? { ok: false, reply: validationErrorReply(issues, context.shape) } : { ok: true, params };
}

function checkEnvelope(body: unknown): BufferedReply | undefined {
	const variablesError = checkVariables(body, ['model', 'public', 'parameters']);
	if (variablesError) return variablesError;
	const envelope = body as JsonObject;
	const modelError = checkRequired(envelope, 'model', 'string');
	if (modelError) return modelError;
	if (!isLtxModel(envelope.model as string)) {
		return restError(400, `${String(envelope.model)} is not supported within the Production API`, 'unexpected');
	}
	return (
		checkRequired(envelope, 'public', 'boolean') ??
		checkRequired(envelope, 'parameters', 'object') ??
		checkRequired(envelope.parameters as JsonObject, 'prompt', 'string')
	);
}

function readParameters(
	model: LtxModel,
	isPublic: boolean,
	parameters: JsonObject,
	context: CreateValidationContext,
	issues: ValidationIssue[],
): CreateParams {
	const accepted = acceptedParameterKeys(context.audioField, context.rejectParameters);
	for (const key of Object.keys(parameters)) {
		if (!accepted.includes(key)) issues.push(unexpectedParameter(key));
	}
	const mode = readChoice(parameters, 'mode', RESOLUTION_MODES, issues) ?? DEFAULT_MODE;
	const frames = readGuidances(parameters.guidances, context, issues);
	const size = readSize(parameters, mode, frames.startFrame !== undefined, issues, context.refuse.includes('4k-native-size'));
	const params: CreateParams = {
		model,
		isPublic,
		prompt: readPrompt(parameters.prompt as string, issues),
		mode,
		durationSeconds: readDuration(model, parameters.duration, issues),
		...size,
		...frames,
	};
	const promptEnhance = readChoice<PromptEnhance>(parameters, 'prompt_enhance', PROMPT_ENHANCE_VALUES, issues);
	if (promptEnhance !== undefined) params.promptEnhance = promptEnhance;
	const seed = readSeed(parameters.seed, issues);
	if (seed !== undefined) params.seed = seed;
	const audio = readAudio(parameters, accepted, issues);
	if (audio !== undefined) params.audio = audio;
	readQuantity(parameters.quantity, issues);
	return params;
}

function issue(field: string, message: string, extra: Record<string, unknown> = {}): ValidationIssue {
	return { message, details: { field, ...extra } };
}

function unexpectedParameter(field: string): ValidationIssue {
	return { ...issue(field, `Unexpected parameter: ${field}`), unexpected: true };
}

/** The optional refusals (EmulatorOptions.refuse), checked once the body is otherwise valid. */
function stricterReadings(params: CreateParams, refuse: readonly RefusalRule[]): ValidationIssue[] {
	const issues: ValidationIssue[] = [];
	const { model, mode, durationSeconds, width, height, startFrame, promptEnhance } = params;
	const aboveFullHd = mode !== 'RESOLUTION_1080';
	if (refuse.includes('prompt-enhance-with-frame-on-pro') && model === 'ltxv-2.3-pro' && startFrame && promptEnhance !== undefined && promptEnhance !== 'OFF') {
		issues.push(issue('prompt_enhance', `Invalid prompt_enhance: ${promptEnhance} is not supported with a start_frame, use OFF`));
	}
	if (refuse.includes('fast-long-above-1080') && model === 'ltxv-2.3-fast' && durationSeconds > 10 && aboveFullHd) {
		issues.push(issue('duration', `Invalid duration for ${model} at ${mode}: more than 10 seconds is only available at RESOLUTION_1080`));
	}
	if (refuse.includes('portrait-above-1080') && aboveFullHd && height > width) {
		issues.push(issue('width', `Invalid size ${width}x${height} for ${mode}: portrait is only available at RESOLUTION_1080`));
	}
	if (refuse.includes('4k-native-size') && mode === 'RESOLUTION_2160' && Math.max(width, height) === 3840) {
		issues.push(issue('width', `Invalid size ${width}x${height} for ${mode}: expected 1920x1080 or 1080x1920 (upscaled to 2160p)`));
	}
	return issues;
}

function readPrompt(prompt: string, issues: ValidationIssue[]): string {
	const length = [...prompt].length;
	if (prompt.trim() === '') issues.push(issue('prompt', 'Invalid prompt: the prompt must not be empty.'));
	if (length > PROMPT_MAX_CHARS) {
		issues.push(
			issue('prompt', `Invalid prompt, maximum length of ${PROMPT_MAX_CHARS} characters exceeded.`, {
				maxLength: PROMPT_MAX_CHARS,
				length,
			}),
		);
	}
	return prompt;
}

function readChoice<T extends string>(
	parameters: JsonObject,
	field: string,
	allowed: readonly T[],
	issues: ValidationIssue[],
): T | undefined {
	const value = parameters[field];
	if (value === undefined) return undefined;
	if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
	issues.push(issue(field, `Invalid ${field}: expected one of ${allowed.join(', ')}`, { allowed, received: value }));
	return undefined;
}

function readDuration(model: LtxModel, value: unknown, issues: ValidationIssue[]): number {
	if (value === undefined) return DEFAULT_DURATION_SECONDS;
	const allowed = DURATIONS_BY_MODEL[model];
	if (typeof value === 'number' && allowed.includes(value)) return value;
	issues.push(
		issue('duration', `Invalid duration for ${model}: expected one of ${allowed.join(', ')} seconds`, {
			allowed,
			received: value,
		}),
	);
	return DEFAULT_DURATION_SECONDS;
}

function readSeed(value: unknown, issues: ValidationIssue[]): number | undefined {
	if (value === undefined) return undefined;
	if (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= SEED_MAX) return value as number;
	issues.push(issue('seed', `Invalid seed: expected an integer from 0 to ${SEED_MAX}`, { received: value }));
	return undefined;
}

function readQuantity(value: unknown, issues: ValidationIssue[]): void {
	if (value !== undefined && value !== 1) {
		issues.push(issue('quantity', 'Invalid quantity: this model generates exactly 1 video per request', { received: value }));
	}
}

/** The audio flag under whichever accepted key carries it. */
function readAudio(parameters: JsonObject, accepted: readonly string[], issues: ValidationIssue[]): boolean | undefined {
	let audio: boolean | undefined;
	for (const key of ['audio', 'motion_has_audio'].filter((name) => accepted.includes(name))) {
		const value = parameters[key];
		if (value === undefined) continue;
		if (typeof value === 'boolean') audio = value;
		else issues.push(issue(key, `Invalid ${key}: expected a boolean`, { received: value }));
	}
	return audio;
}

function readSize(
	parameters: JsonObject,
	mode: ResolutionMode,
	hasStartFrame: boolean,
	issues: ValidationIssue[],
	fullHdSizesFor4k: boolean,
): { width: number; height: number } {
	const allowed = mode === 'RESOLUTION_2160' && fullHdSizesFor4k ? [...SIZES_BY_MODE[mode], ...SIZES_BY_MODE.RESOLUTION_1080] : SIZES_BY_MODE[mode];
	const [defaultWidth, defaultHeight] = allowed[0];
	const { width, height } = parameters;
	if (width === undefined && height === undefined) return { width: defaultWidth, height: defaultHeight };
	if (!Number.isInteger(width) || !Number.isInteger(height)) {
		issues.push(issue(width === undefined || !Number.isInteger(width) ? 'width' : 'height', 'Invalid size: width and height must both be integers'));
		return { width: defaultWidth, height: defaultHeight };
	}
	const size = { width: width as number, height: height as number };
	if (size.width === 0 && size.height === 0) {
		if (!hasStartFrame) issues.push(issue('width', 'Invalid size: width/height 0 (follow the image) needs a start_frame'));
		return size;
	}
	if (!allowed.some(([w, h]) => w === size.width && h === size.height)) {
		const choices = allowed.map(([w, h]) => `${w}x${h}`).join(' or ');
		issues.push(issue('width', `Invalid size ${size.width}x${size.height} for ${mode}: expected ${choices}`, { mode, ...size }));
	}
	return size;
}

function readGuidances(
	value: unknown,
	context: CreateValidationContext,
	issues: ValidationIssue[],
): { startFrame?: FrameRef; endFrame?: FrameRef } {
	if (value === undefined) return {};
	if (!isJsonObject(value)) {
		issues.push(issue('guidances', 'Invalid guidances: expected an object with start_frame and/or end_frame'));
		return {};
	}
	for (const key of Object.keys(value)) {
		if (!(FRAME_KEYS as readonly string[]).includes(key)) issues.push(unexpectedParameter(`guidances.${key}`));
	}
	const frames: { startFrame?: FrameRef; endFrame?: FrameRef } = {};
	const startFrame = readFrame(value.start_frame, 'guidances.start_frame', context, issues);
	const endFrame = readFrame(value.end_frame, 'guidances.end_frame', context, issues);
	if (startFrame) frames.startFrame = startFrame;
	if (endFrame) frames.endFrame = endFrame;
	if (value.end_frame !== undefined && value.start_frame === undefined) {
		issues.push(issue('guidances.end_frame', 'Invalid guidances: end_frame requires a start_frame'));
	}
	return frames;
}

/** One `[{ image: { id, type } }]` frame; an empty array means no frame. */
function readFrame(
	value: unknown,
	field: string,
	context: CreateValidationContext,
	issues: ValidationIssue[],
): FrameRef | undefined {
	if (value === undefined) return undefined;
	const shape = `expected an array of at most 1 { "image": { "id": <uuid>, "type": ${FRAME_IMAGE_TYPES.map((t) => `"${t}"`).join(' | ')} } }`;
	if (!Array.isArray(value)) {
		issues.push(issue(field, `Invalid ${field}: ${shape}`));
		return undefined;
	}
	if (value.length === 0) return undefined;
	if (value.length > 1) {
		issues.push(issue(field, `Too many images: ${field} accepts at most 1 image`, { received: value.length }));
		return undefined;
	}
	const frame = frameRefOf(value[0]);
	if (!frame) {
		issues.push(issue(field, `Invalid ${field}: ${shape}`));
		return undefined;
	}
	const problem = context.frameProblem(frame);
	if (problem) issues.push(issue(field, problem, { id: frame.id, type: frame.type }));
	return frame;
}

function frameRefOf(entry: unknown): FrameRef | undefined {
	if (!isJsonObject(entry) || Object.keys(entry).join() !== 'image' || !isJsonObject(entry.image)) return undefined;
	const { id, type, ...rest } = entry.image;
	if (Object.keys(rest).length > 0 || typeof id !== 'string' || !isUuid(id)) return undefined;
	if (!(FRAME_IMAGE_TYPES as readonly unknown[]).includes(type)) return undefined;
	return { id, type: type as FrameRef['type'] };
}
