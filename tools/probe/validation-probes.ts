/**
 * The validation-only probes, one table: each request, what it tests and the key or rule its refusal is
 * read for. Every parameter probe carries the anchor (a start frame that was never uploaded), so no video
 * can be made from it (validation.ts sends them and judges the answers).
 */
import { randomUUID } from 'node:crypto';

import type { LtxSlug } from './schema.ts';

type Json = Record<string, unknown>;

export interface ProbeContext {
	anchorId: string;
}

export interface ValidationProbe {
	id: string;
	/** What this request tests, in one line. */
	purpose: string;
	/** The key or rule the answer is read for (named in a refusal = refused). */
	field: string;
	/**
	 * Whether it tests a key (is it known?) or a value. A "passed" is trusted only when the control of
	 * its kind (an unknown key; a duration that is a word) was refused by name in the same run: a
	 * validator that reports only its first issue could hide the probed one behind the anchor.
	 */
	kind?: 'key' | 'value' | 'combination';
	/** This probe is the control of its kind. */
	control?: boolean;
	/** Hasura-layer probes are refused before parameters are read; they need no anchor. */
	layer: 'envelope' | 'parameters';
	/** A refusal whose message matches this also counts as naming the field (envelope messages name types, not keys). */
	refusedMessage?: RegExp;
	body(context: ProbeContext): unknown;
}

const PROMPT = 'Validation probe: a start frame that does not exist, so no video can be made';

const anchorFrame = (context: ProbeContext) => [{ image: { id: context.anchorId, type: 'UPLOADED' } }];

function parameters(context: ProbeContext, extra: Json = {}): Json {
	return { prompt: PROMPT, duration: 6, width: 1920, height: 1080, guidances: { start_frame: anchorFrame(context) }, ...extra };
}

const create = (model: string, params: Json, envelope: Json = {}) => ({ model, public: false, parameters: params, ...envelope });

function paramProbe(
	id: string,
	purpose: string,
	field: string,
	model: LtxSlug,
	extra: Json,
	more: Pick<ValidationProbe, 'kind' | 'control' | 'refusedMessage'> = {},
): ValidationProbe {
	return { id, purpose, field, layer: 'parameters', kind: 'value', ...more, body: (context) => create(model, parameters(context, extra)) };
}

const keyProbe = (id: string, field: string, value: unknown, more: Pick<ValidationProbe, 'control'> = {}) =>
	paramProbe(id, `\`${field}: ${JSON.stringify(value)}\``, field, FAST, { [field]: value }, { kind: 'key', ...more });

const FAST: LtxSlug = 'ltxv-2.3-fast';
const PRO: LtxSlug = 'ltxv-2.3-pro';
const UNKNOWN_KEY = 'probe_unknown_parameter';

/** In this order; the anchor (canary) before any probe that adds a key. */
export const VALIDATION_PROBES: readonly ValidationProbe[] = [
	{
		id: 'envelope.public-type',
		purpose: '`public` as a string: refused by the envelope layer (its error shape)',
		field: 'public',
		layer: 'envelope',
		refusedMessage: /boolean/i,
		body: (context) => ({ model: FAST, public: 'false', parameters: parameters(context) }),
	},
	{
		id: 'envelope.unknown-model',
		purpose: 'a model slug that does not exist (its error shape and code)',
		field: 'model',
		layer: 'envelope',
		refusedMessage: /not supported|probe-unknown/i,
		body: (context) => create('ltxv-2.3-probe-unknown', parameters(context)),
	},
	{
		id: 'anchor',
		purpose: 'the anchor alone: a start frame whose init image was never uploaded',
		field: 'start_frame',
		layer: 'parameters',
		body: (context) => create(FAST, parameters(context)),
	},
	{
		id: 'envelope.request-wrapper',
		purpose: 'the `{"request": {...}}` wrapper of the DOC-LTX23 sample (§1.1)',
		field: 'request',
		layer: 'envelope',
		body: (context) => ({ request: create(FAST, parameters(context)) }),
	},
	keyProbe('param.unknown-key', UNKNOWN_KEY, true, { control: true }),
	paramProbe('param.value-control', '`duration: "six"`: does the validator name a bad value next to the anchor?', 'duration', FAST, { duration: 'six' }, { control: true }),
	keyProbe('param.audio', 'audio', true),
	keyProbe('param.motion_has_audio', 'motion_has_audio', true),
	keyProbe('param.mode', 'mode', 'RESOLUTION_1080'),
	keyProbe('param.seed', 'seed', 42),
	paramProbe('param.seed-over-int32', '`seed: 2147483648` (one above a signed 32-bit integer)', 'seed', FAST, { seed: 2147483648 }),
	paramProbe('param.seed-string', '`seed: "42"` (a string)', 'seed', FAST, { seed: '42' }),
	paramProbe('param.prompt-enhance-off', '`prompt_enhance: "OFF"` with a start frame', 'prompt_enhance', PRO, { prompt_enhance: 'OFF' }, { kind: 'combination' }),
	paramProbe('param.prompt-enhance-auto', '`prompt_enhance: "AUTO"` with a start frame, on Pro', 'prompt_enhance', PRO, { prompt_enhance: 'AUTO' }, { kind: 'combination' }),
	paramProbe('param.prompt-enhance-on', '`prompt_enhance: "ON"` with a start frame, on Pro', 'prompt_enhance', PRO, { prompt_enhance: 'ON' }, { kind: 'combination' }),
	paramProbe('param.quantity-1', '`quantity: 1`', 'quantity', FAST, { quantity: 1 }),
	paramProbe('param.quantity-2', '`quantity: 2`', 'quantity', FAST, { quantity: 2 }),
	paramProbe('param.duration-7', '`duration: 7` (not a documented length)', 'duration', FAST, { duration: 7 }),
	paramProbe('param.pro-12s', 'Pro at 12 s (documented up to 10)', 'duration', PRO, { duration: 12 }),
	paramProbe('param.portrait-1080', '9:16 at 1080p: 1080×1920', 'width', FAST, { mode: 'RESOLUTION_1080', width: 1080, height: 1920 }, { kind: 'combination' }),
	paramProbe('param.size-1440', '1440p with its native size 2560×1440', 'width', FAST, { mode: 'RESOLUTION_1440', width: 2560, height: 1440 }, { kind: 'combination' }),
	paramProbe('param.portrait-1440', '9:16 at 1440p: 1440×2560', 'width', FAST, { mode: 'RESOLUTION_1440', width: 1440, height: 2560 }, { kind: 'combination' }),
	paramProbe('param.size-2160', '2160p with its native size 3840×2160', 'width', FAST, { mode: 'RESOLUTION_2160', width: 3840, height: 2160 }, { kind: 'combination' }),
	paramProbe('param.portrait-2160', '9:16 at 2160p: 2160×3840', 'width', FAST, { mode: 'RESOLUTION_2160', width: 2160, height: 3840 }, { kind: 'combination' }),
	paramProbe('param.2160-with-1080-size', '2160p with 1920×1080 (the 3P "Leonardo upscales" claim)', 'width', FAST, { mode: 'RESOLUTION_2160', width: 1920, height: 1080 }, { kind: 'combination' }),
	paramProbe('param.size-zero', 'width/height 0 with a start frame (follow the image)', 'width', FAST, { width: 0, height: 0 }, { kind: 'combination' }),
	paramProbe('param.fast-20s-1080', 'Fast at 20 s, 1080p', 'duration', FAST, { duration: 20 }, { kind: 'combination' }),
	paramProbe('param.fast-20s-1440', 'Fast at 20 s, 1440p', 'duration', FAST, { duration: 20, mode: 'RESOLUTION_1440', width: 2560, height: 1440 }, { kind: 'combination' }),
	paramProbe('param.fast-20s-2160', 'Fast at 20 s, 2160p', 'duration', FAST, { duration: 20, mode: 'RESOLUTION_2160', width: 3840, height: 2160 }, { kind: 'combination' }),
	paramProbe('param.prompt-1501', 'a prompt of 1501 characters (the limit of some v1 endpoints is 1500)', 'prompt', FAST, { prompt: 'a'.repeat(1501) }),
	paramProbe('param.prompt-5000', 'a prompt of 5000 characters (the node’s limit)', 'prompt', FAST, { prompt: 'a'.repeat(5000) }),
	paramProbe('param.prompt-5001', 'a prompt of 5001 characters', 'prompt', FAST, { prompt: 'a'.repeat(5001) }),
	{
		id: 'param.end-frame-alone',
		purpose: 'an end frame without a start frame',
		// The anchor sits in end_frame here: only a refusal that names the missing start frame counts.
		field: 'start_frame',
		layer: 'parameters',
		kind: 'value',
		body: (context) => {
			const { guidances: _start, ...rest } = parameters(context);
			return create(FAST, { ...rest, guidances: { end_frame: anchorFrame(context) } });
		},
	},
	paramProbe('param.two-start-frames', 'two start frames (documented: at most 1)', 'more than one frame', FAST, {
		guidances: {
			start_frame: [
				{ image: { id: randomUUID(), type: 'UPLOADED' } },
				{ image: { id: randomUUID(), type: 'UPLOADED' } },
			],
		},
	}, { refusedMessage: /too many|at most|more than|max(imum)? ?items|fewer than/i }),
];
