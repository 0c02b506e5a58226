/** Emulator options: defaults, and checked merging (used by the constructor, setOptions and the control route). */
import { DEFAULT_API_KEY } from './types.ts';
import type { AudioField, EmulatorOptions, ModelsListVariant, MotionModelSpelling } from './types.ts';

export const DEFAULT_OPTIONS: Readonly<EmulatorOptions> = {
	apiKey: DEFAULT_API_KEY,
	generationDelayMs: 1500,
	videoBytes: undefined,
	presignExpiryMs: 120_000,
	cdnUrlExpiryMs: 3_600_000,
	audioField: 'both',
	rejectParameters: [],
	initImagesSingleUse: false,
	modelsListVariant: 'objects',
	motionModelSpelling: 'enum',
	createRatePerMinute: 100,
	ports: {},
	quiet: true,
};

const AUDIO_FIELDS: readonly AudioField[] = ['audio', 'motion_has_audio', 'both'];
const MODELS_LIST_VARIANTS: readonly ModelsListVariant[] = ['objects', 'string-parameters', 'slug-names', 'no-ltx'];
const MOTION_MODEL_SPELLINGS: readonly MotionModelSpelling[] = ['enum', 'snake', 'display', 'slug', 'null', 'missing'];
const NON_NEGATIVE_NUMBERS = ['generationDelayMs', 'presignExpiryMs', 'cdnUrlExpiryMs', 'createRatePerMinute'] as const;

/** `current` with `changes` applied; throws on an unknown key or a wrong value. */
export function mergeOptions(current: EmulatorOptions, changes: Partial<EmulatorOptions>): EmulatorOptions {
	for (const key of Object.keys(changes)) {
		if (!(key in DEFAULT_OPTIONS)) throw new Error(`unknown emulator option '${key}'`);
	}
	const merged: EmulatorOptions = { ...current, ...changes, ports: { ...current.ports, ...changes.ports } };
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
	if (!Array.isArray(merged.rejectParameters)) throw new Error('option rejectParameters must be an array of parameter keys');
	if (typeof merged.initImagesSingleUse !== 'boolean') throw new Error('option initImagesSingleUse must be true or false');
	if (typeof merged.apiKey !== 'string' || merged.apiKey === '') throw new Error('option apiKey must be a non-empty string');
	return merged;
}
