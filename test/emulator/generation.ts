/** Emulated generations: their lifecycle (PENDING until completeAt, then the outcome) and wire shape (§2). */
import { randomInt, randomUUID } from 'node:crypto';
import { SEED_MAX, SIZES_BY_MODE } from './ltx.ts';
import type { CreateParams, FaultKind, GenerationOutcome, GenerationStatus, LtxModel, MotionModelSpelling } from './types.ts';

/** Per-generation overrides read from `[emu:…]` markers in the prompt. */
export interface PromptMarkers {
	outcome?: GenerationOutcome;
	delayMs?: number;
	videoBytes?: number;
}

const OUTCOME_MARKERS: Record<string, GenerationOutcome> = {
	failed: 'failed',
	moderated: 'moderated',
	'no-mp4': 'no-mp4',
	never: 'never',
};

/** Reads `[emu:failed]`, `[emu:moderated]`, `[emu:no-mp4]`, `[emu:never]`, `[emu:delay=MS]`, `[emu:bytes=N]`. */
export function readPromptMarkers(prompt: string): PromptMarkers {
	const markers: PromptMarkers = {};
	for (const [, name, value] of prompt.matchAll(/\[emu:([a-z0-9-]+)(?:=(\d+))?\]/g)) {
		if (name in OUTCOME_MARKERS) markers.outcome = OUTCOME_MARKERS[name];
		else if (name === 'delay' && value !== undefined) markers.delayMs = Number(value);
		else if (name === 'bytes' && value !== undefined) markers.videoBytes = Number(value);
	}
	return markers;
}

export interface GenerationInit {
	request: unknown;
	params: CreateParams;
	createdAt: number;
	/** When it leaves the account's queue (a concurrency slot frees); null = never; default createdAt. */
	startsAt?: number | null;
	delayMs: number;
	outcome: GenerationOutcome;
	videoBytes?: number;
	createdDuringFault?: FaultKind;
	/** Leave `seed` null and report 0×0 as requested (EmulatorOptions.sparseRecords). */
	sparse?: boolean;
	/** `generate.cost.amount` (ltx.ts costOf). */
	cost: string;
}

export class EmulatedGeneration {
	readonly id = randomUUID();
	/** The create request body exactly as received. */
	readonly request: unknown;
	readonly params: CreateParams;
	readonly createdAt: number;
	/** When PENDING ends; null = never. */
	completeAt: number | null;
	outcome: GenerationOutcome;
	/** The requested seed, or a random one as Leonardo picks. */
	readonly seed: number;
	/** `generated_images[0].id` once COMPLETE (usable as a GENERATED frame). */
	readonly outputImageId = randomUUID();
	/** `generate.cost.amount`. */
	readonly cost: string;
	/** This generation's MP4 size ([emu:bytes=N]); undefined = the emulator-wide size. */
	videoBytes: number | undefined;
	/** When the latest MP4 download started streaming. */
	downloadStartedAt: number | undefined;
	/** Set when the create that made it was answered by a fault ('reset', 'hang', 'malformed-json'). */
	readonly createdDuringFault: FaultKind | undefined;
	readonly sparse: boolean;
	/** Status lookups answered so far (the first may be a fresh-read fault). */
	lookups = 0;

	constructor(init: GenerationInit) {
		this.request = init.request;
		this.params = init.params;
		this.createdAt = init.createdAt;
		this.outcome = init.outcome;
		const startsAt = init.startsAt === undefined ? init.createdAt : init.startsAt;
		this.completeAt = init.outcome === 'never' || startsAt === null ? null : startsAt + init.delayMs;
		this.sparse = init.sparse ?? false;
		this.seed = init.params.seed ?? randomInt(SEED_MAX);
		this.cost = init.cost;
		this.videoBytes = init.videoBytes;
		this.downloadStartedAt = undefined;
		this.createdDuringFault = init.createdDuringFault;
	}

	get status(): GenerationStatus {
		if (this.completeAt === null || Date.now() < this.completeAt) return 'PENDING';
		return this.outcome === 'failed' ? 'FAILED' : 'COMPLETE';
	}

	/** COMPLETE with a video output (not moderated away). */
	get hasOutput(): boolean {
		return this.status === 'COMPLETE' && this.outcome !== 'moderated';
	}

	/** 'never' stops the clock; any other outcome on a stopped generation completes it now. */
	setOutcome(outcome: GenerationOutcome): void {
		this.outcome = outcome;
		if (outcome === 'never') this.completeAt = null;
		else if (this.completeAt === null) this.completeAt = Date.now();
	}

	/** Output size: tiers' landscape size for 0×0 (the start frame's real size is not inspected). */
	get outputSize(): { width: number; height: number } {
		const { width, height, mode } = this.params;
		if (width === 0 && height === 0 && !this.sparse) {
			const [defaultWidth, defaultHeight] = SIZES_BY_MODE[mode][0];
			return { width: defaultWidth, height: defaultHeight };
		}
		return { width, height };
	}

	toJSON(): object {
		return { ...this, status: this.status };
	}
}

export interface OutputLinks {
	videoUrl: string;
	/** null: no poster (EmulatorOptions.posterVariant 'none'). */
	posterUrl: string | null;
}

const MOTION_MODEL_NAMES: Record<LtxModel, { enum: string; display: string }> = {
	'ltxv-2.3-pro': { enum: 'LTXV_2_3_PRO', display: 'LTX 2.3 Pro' },
	'ltxv-2.3-fast': { enum: 'LTXV_2_3_FAST', display: 'LTX 2.3 Fast' },
};

/** `motionModel` as the option spells it; undefined = leave the field out. */
function motionModelWire(model: LtxModel, spelling: MotionModelSpelling): string | null | undefined {
	if (spelling === 'slug') return model;
	if (spelling === 'enum') return MOTION_MODEL_NAMES[model].enum;
	if (spelling === 'snake') return MOTION_MODEL_NAMES[model].enum.toLowerCase();
	if (spelling === 'display') return MOTION_MODEL_NAMES[model].display;
	return spelling === 'null' ? null : undefined;
}

/** The `generations_by_pk` object of GET /v1/generations/{id} (§2). */
export function generationWire(generation: EmulatedGeneration, links: OutputLinks, spelling: MotionModelSpelling): Record<string, unknown> {
	const { width, height } = generation.outputSize;
	return {
		id: generation.id,
		status: generation.status,
		createdAt: new Date(generation.createdAt).toISOString(),
		prompt: generation.params.prompt,
		negativePrompt: null,
		modelId: null,
		imageWidth: width,
		imageHeight: height,
		seed: generation.sparse ? null : generation.seed,
		public: generation.params.isPublic,
		presetStyle: null,
		sdVersion: null,
		scheduler: null,
		inferenceSteps: null,
		guidanceScale: null,
		initStrength: null,
		photoReal: null,
		photoRealStrength: null,
		promptMagic: null,
		promptMagicStrength: null,
		promptMagicVersion: null,
		ultra: null,
		generated_images: generation.hasOutput ? [generatedVideoWire(generation, links, spelling)] : [],
		generation_elements: [],
	};
}

function generatedVideoWire(generation: EmulatedGeneration, links: OutputLinks, spelling: MotionModelSpelling): Record<string, unknown> {
	const withoutMp4Field = generation.outcome === 'no-mp4';
	const motionModel = motionModelWire(generation.params.model, spelling);
	return {
		id: generation.outputImageId,
		url: withoutMp4Field ? links.videoUrl : links.posterUrl,
		nsfw: false,
		likeCount: 0,
		motion: true,
		motionMP4URL: withoutMp4Field ? null : links.videoUrl,
		...(motionModel === undefined ? {} : { motionModel }),
		motionStrength: null,
		imageToVideo: generation.params.startFrame !== undefined,
		fantasyAvatar: null,
		generated_image_variation_generics: [],
	};
}
