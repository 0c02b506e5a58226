/**
 * GET /v2/models (docs/leonardo-api.md §4): finds the LTX 2.3 entries and reads, question by question,
 * what their `parameters` JSON Schema says. Tolerant of the shapes seen or feared: `parameters` as an
 * object or as a JSON string, entries named by display name or slug.
 */

export type LtxSlug = 'ltxv-2.3-pro' | 'ltxv-2.3-fast';
export const LTX_SLUGS: readonly LtxSlug[] = ['ltxv-2.3-pro', 'ltxv-2.3-fast'];

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export interface ModelEntry {
	slug: LtxSlug;
	id?: string;
	name?: string;
	/** `parameters` came as a JSON string rather than an object. */
	parametersWasString: boolean;
	parameters?: Json;
}

export interface ModelsListing {
	/** Number of entries in `productionApiAvailableModels` (undefined when the body had no such list). */
	modelCount?: number;
	entries: Partial<Record<LtxSlug, ModelEntry>>;
	/** Names of other entries that mention LTX (e.g. LTX 2.0), to spot a renamed 2.3 entry. */
	otherLtxNames: string[];
}

/** "LTX 2.3 Pro", "LTXV-2.3 Fast", "ltxv-2.3-pro", "LTX Video 2.3 Pro" → the slug. */
export function slugOfName(name: string): LtxSlug | undefined {
	const flat = name.toLowerCase().replace(/[^a-z0-9]+/g, '');
	const match = /^ltx(?:v|video)?23(pro|fast)$/.exec(flat);
	return match ? (`ltxv-2.3-${match[1]}` as LtxSlug) : undefined;
}

function parseParameters(value: unknown): { parameters?: Json; wasString: boolean } {
	if (isObject(value)) return { parameters: value, wasString: false };
	if (typeof value === 'string') {
		try {
			const parsed: unknown = JSON.parse(value);
			return { parameters: isObject(parsed) ? parsed : undefined, wasString: true };
		} catch {
			return { wasString: true };
		}
	}
	return { wasString: false };
}

export function readModelsListing(body: unknown): ModelsListing {
	const list = isObject(body) ? body.productionApiAvailableModels : undefined;
	const listing: ModelsListing = { entries: {}, otherLtxNames: [] };
	if (!Array.isArray(list)) return listing;
	listing.modelCount = list.length;
	for (const entry of list.filter(isObject)) {
		const labels = [entry.name, entry.slug, entry.model, entry.id].filter((label): label is string => typeof label === 'string');
		const slug = labels.map(slugOfName).find((found) => found !== undefined);
		if (!slug) {
			if (labels.some((label) => /ltx/i.test(label))) listing.otherLtxNames.push(labels[0]);
			continue;
		}
		if (listing.entries[slug]) continue;
		const { parameters, wasString } = parseParameters(entry.parameters);
		listing.entries[slug] = {
			slug,
			id: typeof entry.id === 'string' ? entry.id : undefined,
			name: typeof entry.name === 'string' ? entry.name : undefined,
			parametersWasString: wasString,
			parameters,
		};
	}
	return listing;
}

/** What one property's schema allows, in the terms the questions need. */
export interface PropertyFacts {
	type?: string;
	enum?: unknown[];
	minimum?: number;
	maximum?: number;
	minLength?: number;
	maxLength?: number;
	default?: unknown;
}

export interface SchemaFacts {
	/** Every top-level key the schema lists. */
	keys: string[];
	required: string[];
	additionalProperties?: unknown;
	audioKeys: string[];
	properties: Record<string, PropertyFacts>;
	/** Whether width and height both admit 0 (undefined when the schema does not say). */
	sizeZeroAllowed?: boolean;
	frames: Record<'start_frame' | 'end_frame', { present: boolean; maxItems?: number; imageTypes?: unknown[] }>;
}

function factsOf(schema: unknown): PropertyFacts {
	if (!isObject(schema)) return {};
	const facts: PropertyFacts = {};
	const type = Array.isArray(schema.type) ? schema.type.join('|') : schema.type;
	if (typeof type === 'string') facts.type = type;
	if (Array.isArray(schema.enum)) facts.enum = schema.enum;
	else if ('const' in schema) facts.enum = [schema.const];
	for (const key of ['minimum', 'maximum', 'minLength', 'maxLength'] as const) {
		if (typeof schema[key] === 'number') facts[key] = schema[key] as number;
	}
	if ('default' in schema) facts.default = schema.default;
	return facts;
}

function allows(facts: PropertyFacts | undefined, value: number): boolean | undefined {
	if (!facts) return undefined;
	if (facts.enum) return facts.enum.includes(value);
	if (facts.minimum !== undefined || facts.maximum !== undefined) {
		return value >= (facts.minimum ?? -Infinity) && value <= (facts.maximum ?? Infinity);
	}
	return undefined;
}

function frameFacts(guidances: unknown, key: 'start_frame' | 'end_frame'): SchemaFacts['frames'][typeof key] {
	const frame = isObject(guidances) && isObject(guidances.properties) ? guidances.properties[key] : undefined;
	if (!isObject(frame)) return { present: false };
	const image = isObject(frame.items) && isObject(frame.items.properties) ? frame.items.properties.image : undefined;
	const type = isObject(image) && isObject(image.properties) ? image.properties.type : undefined;
	return {
		present: true,
		maxItems: typeof frame.maxItems === 'number' ? frame.maxItems : undefined,
		imageTypes: isObject(type) && Array.isArray(type.enum) ? type.enum : undefined,
	};
}

export function readSchemaFacts(parameters: Json): SchemaFacts {
	const properties = isObject(parameters.properties) ? parameters.properties : {};
	const keys = Object.keys(properties);
	const facts = Object.fromEntries(keys.map((key) => [key, factsOf(properties[key])]));
	const widthZero = allows(facts.width, 0);
	const heightZero = allows(facts.height, 0);
	return {
		keys,
		required: Array.isArray(parameters.required) ? parameters.required.filter((key): key is string => typeof key === 'string') : [],
		additionalProperties: parameters.additionalProperties,
		audioKeys: ['audio', 'motion_has_audio'].filter((key) => keys.includes(key)),
		properties: facts,
		sizeZeroAllowed: widthZero === undefined || heightZero === undefined ? undefined : widthZero && heightZero,
		frames: { start_frame: frameFacts(properties.guidances, 'start_frame'), end_frame: frameFacts(properties.guidances, 'end_frame') },
	};
}
