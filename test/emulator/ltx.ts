/**
 * LTX Video 2.3 rules from docs/leonardo-api.md §1.2 / §7, in one place: the create validator and the
 * GET /v2/models schema are both derived from these tables.
 */
import type { CostUnit, ImageExtension, LtxModel, ResolutionMode } from './types.ts';

export const LTX_MODELS: readonly LtxModel[] = ['ltxv-2.3-pro', 'ltxv-2.3-fast'];

export const DURATIONS_BY_MODEL: Record<LtxModel, readonly number[]> = {
	'ltxv-2.3-pro': [6, 8, 10],
	'ltxv-2.3-fast': [6, 8, 10, 12, 14, 16, 18, 20],
};

export const DEFAULT_DURATION_SECONDS = 8;
export const DEFAULT_MODE: ResolutionMode = 'RESOLUTION_1080';
export const PROMPT_ENHANCE_VALUES = ['ON', 'OFF', 'AUTO'] as const;

/** Allowed width×height pairs per tier, landscape (the default) first. */
export const SIZES_BY_MODE: Record<ResolutionMode, ReadonlyArray<readonly [number, number]>> = {
	RESOLUTION_1080: [[1920, 1080], [1080, 1920]],
	RESOLUTION_1440: [[2560, 1440], [1440, 2560]],
	RESOLUTION_2160: [[3840, 2160], [2160, 3840]],
};
export const RESOLUTION_MODES = Object.keys(SIZES_BY_MODE) as ResolutionMode[];

/** No documented LTX limit; 5000 is the highest v2 video limit (Grok) and a 3P gateway's LTX cap. */
export const PROMPT_MAX_CHARS = 5000;

/** Seeds are stored in a Postgres `integer` column behind Hasura: the signed 32-bit range. */
export const SEED_MAX = 2147483647;

export const FRAME_IMAGE_TYPES = ['UPLOADED', 'GENERATED'] as const;
export const FRAME_KEYS = ['start_frame', 'end_frame'] as const;

/** Parameter keys always known to the endpoint; the audio key(s) depend on EmulatorOptions.audioField. */
export const BASE_PARAMETER_KEYS = [
	'prompt',
	'mode',
	'prompt_enhance',
	'quantity',
	'duration',
	'seed',
	'width',
	'height',
	'guidances',
] as const;

export const CONTENT_TYPE_BY_EXTENSION: Record<ImageExtension, string> = {
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	webp: 'image/webp',
};
export const IMAGE_EXTENSIONS = Object.keys(CONTENT_TYPE_BY_EXTENSION) as ImageExtension[];

/**
 * Price per second of video. Leonardo's LTX price is unknown (§7.8): the dollars sit in fal.ai's range for
 * Pro and halve it, roughly, for Fast, so amounts look plausible and grow with tier and length; credits are
 * a made-up 1000 per dollar. Not Leonardo's prices.
 */
const DOLLARS_PER_SECOND: Record<LtxModel, Record<ResolutionMode, number>> = {
	'ltxv-2.3-pro': { RESOLUTION_1080: 0.06, RESOLUTION_1440: 0.12, RESOLUTION_2160: 0.24 },
	'ltxv-2.3-fast': { RESOLUTION_1080: 0.04, RESOLUTION_1440: 0.08, RESOLUTION_2160: 0.16 },
};
const CREDITS_PER_DOLLAR = 1000;

/** `generate.cost.amount`: a decimal string such as "0.48" (dollars) or "480" (credits). */
export function costOf(
	model: LtxModel,
	mode: ResolutionMode,
	durationSeconds: number,
	pricing: { unit: CostUnit; perSecond?: Partial<Record<LtxModel, Partial<Record<ResolutionMode, number>>>> } = { unit: 'DOLLARS' },
): string {
	const builtIn = DOLLARS_PER_SECOND[model][mode] * (pricing.unit === 'CREDITS' ? CREDITS_PER_DOLLAR : 1);
	const amount = (pricing.perSecond?.[model]?.[mode] ?? builtIn) * durationSeconds;
	return String(Number(amount.toFixed(4)));
}

export function isLtxModel(value: string): value is LtxModel {
	return (LTX_MODELS as readonly string[]).includes(value);
}
