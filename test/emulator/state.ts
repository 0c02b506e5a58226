/** The emulator's shared state: what the three servers read and change. */
import type { Fixtures } from './fixtures.ts';
import { loadFixtures } from './fixtures.ts';
import { FaultQueue } from './faults.ts';
import type { EmulatedGeneration, OutputLinks } from './generation.ts';
import { mergeOptions, DEFAULT_OPTIONS } from './options.ts';
import { newSecret, signCdnPath } from './signing.ts';
import { KNOWN_GENERATED_IMAGE_ID } from './types.ts';
import type { EmulatorOptions, FrameRef, RecordedRequest, UploadedImage } from './types.ts';
import { WebhookDispatcher } from './webhooks.ts';

export interface ServerOrigins {
	api: string;
	s3: string;
	cdn: string;
	images: string;
}

/** Sliding one-minute window of admitted requests. */
export class RateLimiter {
	private readonly admittedAt: number[] = [];

	/** Admits a request, or says in how many seconds one will be admitted. */
	admit(now: number, perMinute: number): { admitted: true } | { admitted: false; retryAfterSeconds: number } {
		while (this.admittedAt.length > 0 && this.admittedAt[0] <= now - 60_000) this.admittedAt.shift();
		if (this.admittedAt.length < perMinute) {
			this.admittedAt.push(now);
			return { admitted: true };
		}
		const oldest = this.admittedAt[this.admittedAt.length - perMinute] ?? now;
		return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000)) };
	}
}

export class EmulatorState {
	options: EmulatorOptions;
	/** Every non-control request on every server, in arrival order. */
	readonly requests: RecordedRequest[] = [];
	readonly generations = new Map<string, EmulatedGeneration>();
	readonly uploads = new Map<string, UploadedImage>();
	readonly faults = new FaultQueue();
	readonly createLimiter = new RateLimiter();
	readonly secret = newSecret();
	readonly fixtures: Fixtures = loadFixtures();
	/** Aborted by stop(): cancels pending fault delays. */
	readonly shutdown = new AbortController();
	origins: ServerOrigins = { api: '', s3: '', cdn: '', images: '' };
	/** The API key's webhook callbacks (webhooks.ts). */
	readonly webhooks = new WebhookDispatcher(this);

	constructor(options: Partial<EmulatorOptions>) {
		this.options = mergeOptions(DEFAULT_OPTIONS, options);
	}

	/** A fresh signed MP4 URL, valid for cdnUrlExpiryMs from now. */
	videoUrl(generation: EmulatedGeneration): string {
		const path = `/videos/${generation.id}.mp4`;
		return `${this.origins.cdn}${path}?${signCdnPath(this.secret, path, Date.now() + this.options.cdnUrlExpiryMs)}`;
	}

	/** The links a finished video's record shows: a fresh MP4 link and the poster as `posterVariant` says. */
	outputLinks(generation: EmulatedGeneration): OutputLinks {
		const videoUrl = this.videoUrl(generation);
		const variant = this.options.posterVariant;
		const posterUrl = variant === 'none' ? null : variant === 'mp4-link' ? videoUrl : `${this.origins.cdn}/posters/${generation.id}.jpg`;
		return { videoUrl, posterUrl };
	}

	videoBytesFor(generation: EmulatedGeneration): number {
		return generation.videoBytes ?? this.options.videoBytes ?? this.fixtures.sampleMp4.length;
	}

	uploadByKey(key: string): UploadedImage | undefined {
		return [...this.uploads.values()].find((upload) => upload.key === key);
	}

	/** Why a start/end frame reference cannot be used, or undefined when it can. */
	frameProblem(frame: FrameRef): string | undefined {
		if (frame.type === 'UPLOADED') {
			const upload = this.uploads.get(frame.id);
			if (!upload) return `Invalid init image id: ${frame.id} is not an uploaded init image`;
			if (!upload.uploaded) return `Invalid init image id: ${frame.id} has no uploaded file yet`;
			if (this.options.initImagesSingleUse && upload.usedBy?.length) return `Invalid init image id: ${frame.id} was already used by another generation`;
			// Still being processed (moderation, thumbnails) for a moment after the S3 upload.
			if (Date.now() < (upload.uploadedAt ?? 0) + this.options.initImageSettleMs) return `Invalid init image id: ${frame.id}`;
			return undefined;
		}
		if (frame.id === KNOWN_GENERATED_IMAGE_ID) return undefined;
		if (this.options.refuse.includes('video-id-as-frame') && [...this.generations.values()].some((generation) => generation.outputImageId === frame.id)) {
			return `Invalid generated image id: ${frame.id} is a video, not an image`;
		}
		const source = [...this.generations.values()].find((generation) => generation.outputImageId === frame.id);
		return source?.hasOutput ? undefined : `Invalid generated image id: ${frame.id} is not a completed generated output`;
	}

	/** An init image whose bytes did not match its extension makes the generation fail, as processing would. */
	usesCorruptUpload(frames: Array<FrameRef | undefined>): boolean {
		return frames.some((frame) => frame?.type === 'UPLOADED' && this.uploads.get(frame.id)?.magicMatches === false);
	}

	private freshReads = 0;

	/**
	 * The fresh-read answer for this lookup, if any: the first lookup of a generation within
	 * freshReadWindowMs of its create answers 404, null or 500, rotating from one generation to the next.
	 */
	freshReadAnswer(generation: EmulatedGeneration): 'not-found' | 'null' | 'server-error' | undefined {
		generation.lookups += 1;
		if (generation.lookups > 1 || Date.now() - generation.createdAt >= this.options.freshReadWindowMs) return undefined;
		return (['not-found', 'null', 'server-error'] as const)[this.freshReads++ % 3];
	}

	/**
	 * When a new generation gets a concurrency slot: now, later (queued behind the running ones), null
	 * (behind ones that never end) or 'refused'. 0 slots = no limit.
	 */
	slotFor(now: number): number | null | 'refused' {
		const slots = this.options.concurrencySlots;
		if (slots === 0) return now;
		const running = [...this.generations.values()].filter((generation) => generation.status === 'PENDING');
		if (running.length < slots) return now;
		if (this.options.beyondSlots === 'refuse') return 'refused';
		const ends = running.map((generation) => generation.completeAt ?? Infinity).sort((a, b) => a - b);
		const freed = ends[running.length - slots];
		return freed === Infinity ? null : freed;
	}

	/** Takes `amount` from the kept balance (plan part first); false when it is not enough. Always true without one. */
	charge(amount: number): boolean {
		const balance = this.options.accountBalance;
		if (!balance) return true;
		if (balance.subscription + balance.paid < amount) return false;
		const fromPlan = Math.min(balance.subscription, amount);
		const tidy = (value: number) => Number(value.toFixed(6));
		this.options.accountBalance = { subscription: tidy(balance.subscription - fromPlan), paid: tidy(balance.paid - (amount - fromPlan)) };
		return true;
	}

	clearRequests(): void {
		this.requests.length = 0;
	}

	setOptions(changes: Partial<EmulatorOptions>): void {
		this.options = mergeOptions(this.options, changes);
	}

	log(record: RecordedRequest): void {
		if (this.options.quiet) return;
		const elapsed = Date.now() - record.at;
		process.stderr.write(
			`[leonardo-emulator] ${new Date(record.at).toISOString()} ${record.server} ${record.method} ${record.path} ` +
				`${record.route} -> ${record.status || 'no answer'} (${elapsed} ms)\n`,
		);
	}
}
