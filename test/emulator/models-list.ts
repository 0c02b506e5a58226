/**
 * GET /v2/models (§4): a short list in the live shape. The LTX entries' `parameters` JSON Schema is
 * built from the same rules as the validator and follows the options (audio key, refused parameters),
 * so a client that reads the schema to pick the audio key (§7, question 1) can be tested.
 * `modelsListVariant` offers the shapes a client must not trip over: the live listing is only
 * 3P-observed, so `parameters` may come as a JSON string, an entry may be named by its slug, and LTX
 * 2.3 may be missing from the list altogether.
 */
import { acceptedParameterKeys } from './validation.ts';
import {
	DEFAULT_DURATION_SECONDS,
	DEFAULT_MODE,
	DURATIONS_BY_MODEL,
	FRAME_IMAGE_TYPES,
	PROMPT_ENHANCE_VALUES,
	PROMPT_MAX_CHARS,
	RESOLUTION_MODES,
	SEED_MAX,
	SIZES_BY_MODE,
} from './ltx.ts';
import type { EmulatorOptions, LtxModel } from './types.ts';

/** Model entries carry UUIDs; the create request uses slugs (§1.1), matched here by name. */
const LTX_MODEL_ENTRIES: Array<{ id: string; name: string; slug: LtxModel }> = [
	{ id: 'b7c3e1f0-2a4d-4e5b-8c6f-9d0a1b2c3d4e', name: 'LTX 2.3 Pro', slug: 'ltxv-2.3-pro' },
	{ id: 'c8d4f2a1-3b5e-4f6c-9d7a-0e1b2c3d4e5f', name: 'LTX 2.3 Fast', slug: 'ltxv-2.3-fast' },
];

const OTHER_MODEL_ENTRY = {
	id: 'd9e5a3b2-4c6f-4a7d-8e8b-1f2c3d4e5f60',
	name: 'Motion 2.0',
	parameters: {
		type: 'object',
		additionalProperties: false,
		required: ['prompt'],
		properties: { prompt: { type: 'string', maxLength: 1500 }, motion_has_audio: { type: 'boolean' } },
	},
};

export function modelsListBody(options: EmulatorOptions): unknown {
	const variant = options.modelsListVariant;
	const ltxEntries = variant === 'no-ltx' ? [] : LTX_MODEL_ENTRIES.map(({ id, name, slug }) => {
		const parameters = ltxParameterSchema(slug, options);
		return {
			id,
			name: variant === 'slug-names' ? slug : name,
			parameters: variant === 'string-parameters' ? JSON.stringify(parameters) : parameters,
		};
	});
	return { productionApiAvailableModels: [...ltxEntries, OTHER_MODEL_ENTRY] };
}

function ltxParameterSchema(model: LtxModel, options: EmulatorOptions): Record<string, unknown> {
	const frameSchema = {
		type: 'array',
		maxItems: 1,
		items: {
			type: 'object',
			additionalProperties: false,
			required: ['image'],
			properties: {
				image: {
					type: 'object',
					additionalProperties: false,
					required: ['id', 'type'],
					properties: { id: { type: 'string', format: 'uuid' }, type: { type: 'string', enum: FRAME_IMAGE_TYPES } },
				},
			},
		},
	};
	const dimensions = [0, ...new Set(Object.values(SIZES_BY_MODE).flat(2))].sort((a, b) => a - b);
	const allProperties: Record<string, unknown> = {
		prompt: { type: 'string', minLength: 1, maxLength: PROMPT_MAX_CHARS },
		mode: { type: 'string', enum: RESOLUTION_MODES, default: DEFAULT_MODE },
		prompt_enhance: { type: 'string', enum: PROMPT_ENHANCE_VALUES },
		quantity: { type: 'integer', minimum: 1, maximum: 1, default: 1 },
		duration: { type: 'integer', enum: DURATIONS_BY_MODEL[model], default: DEFAULT_DURATION_SECONDS },
		seed: { type: 'integer', minimum: 0, maximum: SEED_MAX },
		width: { type: 'integer', enum: dimensions, default: 1920 },
		height: { type: 'integer', enum: dimensions, default: 1080 },
		audio: { type: 'boolean' },
		motion_has_audio: { type: 'boolean' },
		guidances: {
			type: 'object',
			additionalProperties: false,
			properties: { start_frame: frameSchema, end_frame: frameSchema },
		},
	};
	const accepted = acceptedParameterKeys(options.audioField, options.rejectParameters);
	return {
		type: 'object',
		additionalProperties: false,
		required: ['prompt'],
		properties: Object.fromEntries(Object.entries(allProperties).filter(([key]) => accepted.includes(key))),
	};
}
