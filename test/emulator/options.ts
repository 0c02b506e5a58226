/** Emulator options: defaults, and checked merging (used by the constructor, setOptions and the control route). */
import { randomInt } from 'node:crypto';
import { DEFAULT_API_KEY } from './types.ts';
import type { AudioField, BeyondSlots, CostUnit, EmulatorOptions, ModelsListVariant, MotionModelSpelling, PosterVariant, RefusalRule, ValidationErrorShape } from './types.ts';

export const DEFAULT_OPTIONS: Readonly<EmulatorOptions> = {
	apiKey: DEFAULT_API_KEY,
	generationDelayMs: 1500,
	videoBytes: undefined,
	presignExpiryMs: 120_000,
	cdnUrlExpiryMs: 3_600_000,
	// The unkind readings by default, so every suite (e2e and queue included) meets them:
	audioField: 'alternate',
	validationErrorShape: 'schema',
	retryAfterHeader: false,
	freshReadWindowMs: 10_000,
	// Kind by default, since each would make every test about it; switch them on per test:
	refuse: [],
	initImageSettleMs: 0,
	sparseRecords: false,
	concurrencySlots: 0,
	costUnit: 'DOLLARS',
	costPerSecond: {},
	reportCost: true,
	accountBalance: null,
	beyondSlots: 'queue',
	rejectParameters: [],
	initImagesSingleUse: false,
	modelsListVariant: 'objects',
	motionModelSpelling: 'enum',
	posterVariant: 'jpg',
	createRatePerMinute: 100,
	ports: {},
	imagesHost: '127.0.0.1',
	quiet: true,
};

const MODELS_LIST_VARIANTS: readonly ModelsListVariant[] = ['objects', 'string-parameters', 'slug-names', 'no-ltx'];
const MOTION_MODEL_SPELLINGS: readonly MotionModelSpelling[] = ['enum', 'snake', 'display', 'slug', 'null', 'missing'];
const POSTER_VARIANTS: readonly PosterVariant[] = ['jpg', 'none', 'mp4-link', 'missing'];
const AUDIO_FIELDS: readonly AudioField[] = ['audio', 'motion_has_audio', 'both', 'alternate'];
const SHAPES: readonly ValidationErrorShape[] = ['array', 'graphql', 'schema', 'rest'];
const RULES: readonly RefusalRule[] = ['prompt-enhance-with-frame-on-pro', 'video-id-as-frame', 'fast-long-above-1080', 'portrait-above-1080', '4k-native-size'];
const BEYOND: readonly BeyondSlots[] = ['queue', 'refuse'];
const NON_NEGATIVE_NUMBERS = [
	'generationDelayMs',
	'presignExpiryMs',
	'cdnUrlExpiryMs',
	'createRatePerMinute',
	'initImageSettleMs',
	'freshReadWindowMs',
	'concurrencySlots',
] as const;

/**
 * 'alternate' picks one spelling per emulator (options object), the other one for the next: the first
 * pick of a process is random, so over runs every suite meets both the direct and the fallback path.
 */
let nextAlternate = randomInt(2);
function resolveAudioField(field: AudioField): AudioField {
	if (field !== 'alternate') return field;
	return (['audio', 'motion_has_audio'] as const)[nextAlternate++ % 2];
}

const COST_UNITS: readonly CostUnit[] = ['DOLLARS', 'CREDITS'];
const isAmount = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;

function checkCostOptions({ costUnit, costPerSecond, reportCost, accountBalance }: EmulatorOptions): void {
	if (!COST_UNITS.includes(costUnit)) throw new Error(`option costUnit must be one of ${COST_UNITS.join(', ')}`);
	const prices = typeof costPerSecond === 'object' && costPerSecond !== null ? Object.values(costPerSecond).flatMap((tiers) => Object.values(tiers ?? {})) : [null];
	if (!prices.every(isAmount)) throw new Error('option costPerSecond must map models to tiers to amounts >= 0');
	if (typeof reportCost !== 'boolean') throw new Error('option reportCost must be true or false');
	if (accountBalance !== null && !(isAmount(accountBalance?.subscription) && isAmount(accountBalance?.paid))) {
		throw new Error('option accountBalance must be null or {subscription, paid} with amounts >= 0');
	}
}

/** `current` with `changes` applied; throws on an unknown key or a wrong value. */
export function mergeOptions(current: EmulatorOptions, changes: Partial<EmulatorOptions>): EmulatorOptions {
	for (const key of Object.keys(changes)) {
		if (!(key in DEFAULT_OPTIONS)) throw new Error(`unknown emulator option '${key}'`);
	}
	const merged: EmulatorOptions = { ...current, ...changes, ports: { ...current.ports, ...changes.ports } };
	merged.audioField = resolveAudioField(merged.audioField);
	for (const key of NON_NEGATIVE_NUMBERS) {
		if (!(typeof merged[key] === 'number' && merged[key] >= 0)) throw new Error(`option ${key} must be a number >= 0`);
	}
	if (merged.videoBytes !== undefined && !(Number.isSafeInteger(merged.videoBytes) && merged.videoBytes > 0)) {
		throw new Error('option videoBytes must be a positive integer');
	}
	if (!AUDIO_FIELDS.includes(merged.audioField)) throw new Error(`option audioField must be one of ${AUDIO_FIELDS.join(', ')}`);
	if (!MODELS_LIST_VARIANTS.includes(merged.modelsListVariant)) {
		throw new Error(`option modelsListVariant must be one of ${MODELS_LIST_VARIANTS.join(', ')}`);
	}
	if (!MOTION_MODEL_SPELLINGS.includes(merged.motionModelSpelling)) {
		throw new Error(`option motionModelSpelling must be one of ${MOTION_MODEL_SPELLINGS.join(', ')}`);
	}
	if (!POSTER_VARIANTS.includes(merged.posterVariant)) throw new Error(`option posterVariant must be one of ${POSTER_VARIANTS.join(', ')}`);
	if (!SHAPES.includes(merged.validationErrorShape)) throw new Error(`option validationErrorShape must be one of ${SHAPES.join(', ')}`);
	if (!Array.isArray(merged.refuse) || merged.refuse.some((rule) => !RULES.includes(rule))) {
		throw new Error(`option refuse must be an array of ${RULES.join(', ')}`);
	}
	if (!BEYOND.includes(merged.beyondSlots)) throw new Error(`option beyondSlots must be one of ${BEYOND.join(', ')}`);
	for (const key of ['retryAfterHeader', 'sparseRecords'] as const) {
		if (typeof merged[key] !== 'boolean') throw new Error(`option ${key} must be true or false`);
	}
	if (!Array.isArray(merged.rejectParameters)) throw new Error('option rejectParameters must be an array of parameter keys');
	if (typeof merged.initImagesSingleUse !== 'boolean') throw new Error('option initImagesSingleUse must be true or false');
	checkCostOptions(merged);
	if (typeof merged.apiKey !== 'string' || merged.apiKey === '') throw new Error('option apiKey must be a non-empty string');
	return merged;
}
