/**
 * The one place that knows what LTX Video 2.3 on Leonardo accepts.
 * The node panel (options, defaults, conditional fields) and the run-time validation both read these
 * tables, so the panel can never offer a combination that validation would refuse, and vice versa.
 * Source: ../shared/leonardo-api.md §1.2 and §7 (DOC-LTX23).
 */

export interface ModelCapability {
	/** Request slug sent as `model` (not the UUID that /v2/models lists). */
	readonly slug: string;
	readonly displayName: string;
	readonly description: string;
	/** Allowed clip lengths in seconds, ascending. */
	readonly durations: readonly number[];
	readonly defaultDuration: number;
}

const evenSecondsBetween = (from: number, to: number): number[] =>
	Array.from({ length: (to - from) / 2 + 1 }, (_, step) => from + step * 2);

export const MODELS = {
	'ltxv-2.3-pro': {
		slug: 'ltxv-2.3-pro',
		displayName: 'LTX 2.3 Pro',
		description: 'Clips of 6, 8 or 10 seconds',
		durations: [6, 8, 10],
		defaultDuration: 8,
	},
	'ltxv-2.3-fast': {
		slug: 'ltxv-2.3-fast',
		displayName: 'LTX 2.3 Fast',
		description: 'Clips of 6 to 20 seconds. Leonardo publishes no speed or price comparison with Pro; each run reports its cost.',
		durations: evenSecondsBetween(6, 20),
		defaultDuration: 8,
	},
} as const satisfies Record<string, ModelCapability>;

export type ModelSlug = keyof typeof MODELS;
export const DEFAULT_MODEL: ModelSlug = 'ltxv-2.3-pro';

export interface ResolutionCapability {
	readonly displayName: string;
	/** Pixel size of the 16:9 frame; 9:16 swaps the two. */
	readonly landscape: { readonly width: number; readonly height: number };
}

export const RESOLUTIONS = {
	RESOLUTION_1080: { displayName: '1080p', landscape: { width: 1920, height: 1080 } },
	RESOLUTION_1440: { displayName: '1440p', landscape: { width: 2560, height: 1440 } },
	RESOLUTION_2160: { displayName: '2160p (4K)', landscape: { width: 3840, height: 2160 } },
} as const satisfies Record<string, ResolutionCapability>;

export type ResolutionMode = keyof typeof RESOLUTIONS;
export const DEFAULT_RESOLUTION: ResolutionMode = 'RESOLUTION_1080';

export interface AspectRatioCapability {
	readonly displayName: string;
	readonly description: string;
	/** `source` sends width/height 0 so the video follows the start image; it needs that image. */
	readonly needsStartFrame: boolean;
	readonly size: (resolution: ResolutionMode) => { width: number; height: number };
}

export const ASPECT_RATIOS = {
	'16:9': {
		displayName: '16:9 (Landscape)',
		description: 'Widescreen, e.g. 1920×1080 at 1080p',
		needsStartFrame: false,
		size: (resolution: ResolutionMode) => ({ ...RESOLUTIONS[resolution].landscape }),
	},
	'9:16': {
		displayName: '9:16 (Portrait)',
		description: 'Vertical video for Shorts, Reels and TikTok, e.g. 1080×1920 at 1080p',
		needsStartFrame: false,
		size: (resolution: ResolutionMode) => ({
			width: RESOLUTIONS[resolution].landscape.height,
			height: RESOLUTIONS[resolution].landscape.width,
		}),
	},
	source: {
		displayName: 'Same as Start Frame',
		description: 'Follow the start image’s own proportions',
		needsStartFrame: true,
		size: (_resolution: ResolutionMode) => ({ width: 0, height: 0 }),
	},
} as const satisfies Record<string, AspectRatioCapability>;

export type AspectRatio = keyof typeof ASPECT_RATIOS;
export const DEFAULT_ASPECT_RATIO: AspectRatio = '16:9';

export const PROMPT_ENHANCE_MODES = {
	AUTO: { displayName: 'Auto', description: 'Leonardo decides whether to rewrite the prompt' },
	ON: { displayName: 'On', description: 'Always let Leonardo expand the prompt' },
	OFF: { displayName: 'Off', description: 'Send the prompt exactly as written' },
} as const;
export type PromptEnhance = keyof typeof PROMPT_ENHANCE_MODES;
export const DEFAULT_PROMPT_ENHANCE: PromptEnhance = 'AUTO';

export const FRAME_SOURCES = {
	none: { displayName: 'None', description: 'No image' },
	binary: {
		displayName: 'Image From Input (Binary)',
		description: 'Upload an image from the incoming item’s binary data',
	},
	imageId: {
		displayName: 'Leonardo Image ID',
		description: 'Use an image that is already on Leonardo',
	},
	url: {
		displayName: 'Image From URL',
		description: 'Download an image from an http(s) link, then upload it',
	},
} as const;
export type FrameSource = keyof typeof FRAME_SOURCES;

export const IMAGE_REFERENCE_TYPES = {
	GENERATED: { displayName: 'Generated', description: 'An image or video generated on Leonardo' },
	UPLOADED: { displayName: 'Uploaded', description: 'An image uploaded to Leonardo (init image)' },
} as const;
export type ImageReferenceType = keyof typeof IMAGE_REFERENCE_TYPES;

/** Extensions `POST /v1/init-image` accepts, with the MIME type and file signature each must have. */
export const UPLOAD_IMAGE_FORMATS = {
	png: { mimeType: 'image/png' },
	jpg: { mimeType: 'image/jpeg' },
	webp: { mimeType: 'image/webp' },
} as const;
export type UploadImageExtension = keyof typeof UPLOAD_IMAGE_FORMATS;

/** The documented job statuses (SDK `jobstatus.ts`, §2); Get Many filters on them. */
export const GENERATION_STATUSES = {
	COMPLETE: { displayName: 'Complete', description: 'Finished, normally with a video (rarely without one, and no reason given)' },
	PENDING: { displayName: 'Pending', description: 'Still rendering' },
	FAILED: { displayName: 'Failed', description: 'Leonardo could not make it' },
} as const;

/** No documented limit for LTX 2.3; other v2 video models cap at 5000 and so does a gateway for LTX (§7.7). */
export const PROMPT_MAX_LENGTH = 5000;
/** Seeds are GraphQL `Int` on Leonardo: a signed 32-bit integer. */
export const SEED_MAX = 2147483647;

export const POLLING_LIMITS = {
	minIntervalSeconds: 1,
	defaultIntervalSeconds: 5,
	defaultTimeoutSeconds: 900,
	/** 24 h: longer waits belong to "Wait for Completion" off + Get later. */
	maxTimeoutSeconds: 86400,
} as const;

export const CONCURRENCY_LIMITS = {
	default: 4,
	max: 20,
	/** "Max Concurrent Generations" 0: the plan's `apiConcurrencySlots` (GET /v1/me), at most `max`. */
	auto: 0,
	/** Auto when /v1/me does not report the slots (or cannot be read). */
	autoFallback: 4,
	/** Leonardo: 100 requests/min on /v2/generations (DOC-LIM). */
	createsPerMinute: 100,
} as const;

/** A type guard for "is one of this table's keys" (values may come from expressions). */
const isKeyOf =
	<T extends object>(table: T) =>
	(value: unknown): value is keyof T & string =>
		typeof value === 'string' && Object.hasOwn(table, value);

export const isModelSlug = isKeyOf(MODELS);
export const isResolutionMode = isKeyOf(RESOLUTIONS);
export const isAspectRatio = isKeyOf(ASPECT_RATIOS);
export const isPromptEnhance = isKeyOf(PROMPT_ENHANCE_MODES);
export const isFrameSource = isKeyOf(FRAME_SOURCES);
export const isImageReferenceType = isKeyOf(IMAGE_REFERENCE_TYPES);
export const isGenerationStatus = isKeyOf(GENERATION_STATUSES);

/** Options for an n8n `options` parameter, from one of the tables above. */
export const toOptions = <T extends Record<string, { displayName: string; description?: string }>>(
	table: T,
) =>
	Object.entries(table).map(([value, entry]) => ({
		name: entry.displayName,
		value,
		...(entry.description ? { description: entry.description } : {}),
	}));
