/**
 * Leonardo's webhook callback (docs/leonardo-api.md §5): an API key may carry a webhook URL and a
 * "Webhook Callback API Key"; whenever one of the key's generations reaches a terminal status
 * (COMPLETE or FAILED), Leonardo POSTs the documented envelope there with
 * `authorization: Bearer <callback key>`, `content-type: application/json` and `user-agent: axios/…`.
 *
 * What is unknown is offered in every variant, as switches (`WebhookSettings`): the event name
 * (documented only for images: `image_generation.complete`), `images` or `generated_images`, no
 * `data.object.id` (only the images' `generationId`), extra fields, copies of each callback
 * (at-least-once delivery), re-sends after a failed delivery (the retry policy is unknown; the default
 * is none, the unkind case), a delay before sending and how long an answer is waited for.
 * The envelope echoes the API key object, key included, as Leonardo's does.
 *
 * Terminal statuses are noticed by watching the generations (their status follows the clock), so the
 * emulator core needs no hook for it. Image generations (for "not a video" callbacks) live here.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatedGeneration } from './generation.ts';
import { generationWire } from './generation.ts';
import type { EmulatorState } from './state.ts';

export interface WebhookSettings {
	/** The key's webhook callback URL; unset = the key has none and nothing is sent. */
	url?: string;
	/** The key's "Webhook Callback API Key"; unset = no authorization header. */
	callbackApiKey?: string;
	/** The envelope's `type`. Default `image_generation.complete` (the only documented name). */
	event?: string;
	/** Where the outputs go in `data.object`. Default `images` (documented); `none` omits them. */
	imagesField?: 'images' | 'generated_images' | 'none';
	/** Leave out `data.object.id`, so only the images' `generationId` names the generation. */
	omitObjectId?: boolean;
	/** Merged into `data.object` (more generation columns, unknown fields). */
	extraFields?: Record<string, unknown>;
	/** How many times each callback is sent (default 1); copies go one after another. */
	copies?: number;
	/** Send the copies at the same moment instead of one after another. */
	concurrentCopies?: boolean;
	/** Re-sends after a delivery that failed (refused, timed out, not 2xx). Default 0. */
	retries?: number;
	retryDelayMs?: number;
	/** Wait this long after the terminal status before sending. Default 0. */
	delayMs?: number;
	/** How long an answer is waited for (Leonardo's is unknown). Default 10 s. */
	timeoutMs?: number;
	/**
	 * The read side behind the callback: from the moment a callback goes out, the lookup of its generation
	 * answers `generations_by_pk: null` for `lagNullMs`, then the record as still PENDING (no outputs) for
	 * `lagPendingMs`, then the truth. Default 0 and 0 (readable at once). Only callbacks sent under it lag.
	 */
	lagNullMs?: number;
	lagPendingMs?: number;
}

/** One POST the emulator made (or tried to make) to the webhook URL. */
export interface WebhookDelivery {
	generationId: string;
	url: string;
	/** Which copy of the callback (0-based) and which attempt of that copy. */
	copy: number;
	attempt: number;
	/** The envelope as sent. */
	body: unknown;
	headers: Record<string, string>;
	startedAt: number;
	durationMs?: number;
	/** HTTP status of the answer; undefined when none came (see `error`). */
	status?: number;
	/** The answer's body (first 2000 characters). */
	responseBody?: string;
	/** e.g. `ECONNREFUSED`, `timeout`. */
	error?: string;
}

const DEFAULT_EVENT = 'image_generation.complete';
const WATCH_INTERVAL_MS = 50;
const DEFAULT_TIMEOUT_MS = 10_000;
/** What an image costs here (a plausible figure, like the videos' costs; not Leonardo's price). */
const IMAGE_COST = '0.0045';

/** A finished image generation of the same key: what "not a video" callbacks are about. */
interface ImageGeneration {
	id: string;
	prompt: string;
	createdAt: number;
	imageId: string;
}

export class WebhookDispatcher {
	settings: WebhookSettings = {};
	readonly deliveries: WebhookDelivery[] = [];
	readonly images = new Map<string, ImageGeneration>();
	/** Generations whose terminal status was noticed (with or without a URL to tell). */
	private readonly noticed = new Set<string>();
	private readonly inFlight = new Set<Promise<void>>();
	/** Generations whose lookup lags behind their callback (`lagNullMs`, `lagPendingMs`): until when. */
	private readonly lagging = new Map<string, { nullUntil: number; pendingUntil: number }>();
	private timer: NodeJS.Timeout | undefined;
	private readonly state: EmulatorState;

	constructor(state: EmulatorState) {
		this.state = state;
	}

	configure(settings: WebhookSettings): WebhookSettings {
		for (const key of ['copies', 'retries', 'retryDelayMs', 'delayMs', 'timeoutMs', 'lagNullMs', 'lagPendingMs'] as const) {
			const value = settings[key];
			if (value !== undefined && !(Number.isInteger(value) && value >= 0)) throw new Error(`webhook setting ${key} must be an integer >= 0`);
		}
		if (settings.url !== undefined && !/^https?:\/\//.test(settings.url)) throw new Error('webhook setting url must be an http(s) URL');
		this.settings = { ...settings };
		return this.settings;
	}

	start(): void {
		// Generations that finished before the start (none, normally) are not announced.
		this.timer = setInterval(() => this.watch(), WATCH_INTERVAL_MS);
		this.timer.unref();
	}

	async stop(): Promise<void> {
		clearInterval(this.timer);
		this.timer = undefined;
		await Promise.allSettled([...this.inFlight]);
	}

	/** Resolves once every callback started so far has been delivered or given up. */
	async idle(): Promise<void> {
		while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
	}

	/** A COMPLETE image generation; its callback goes out at once (when a URL is set). */
	addImageGeneration(prompt = 'an image'): string {
		const image: ImageGeneration = { id: randomUUID(), prompt, createdAt: Date.now(), imageId: randomUUID() };
		this.images.set(image.id, image);
		this.noticed.add(image.id);
		this.announce(image.id, () => this.envelopeObject(imageGenerationWire(image, this.state.origins.cdn), IMAGE_COST));
		return image.id;
	}

	/** What the lookup of a generation shows while it lags behind its callback; undefined = the truth. */
	laggingRead(generationId: string): 'null' | 'pending' | undefined {
		const lag = this.lagging.get(generationId);
		const now = Date.now();
		if (!lag || now >= lag.pendingUntil) return undefined;
		return now < lag.nullUntil ? 'null' : 'pending';
	}

	/** `generations_by_pk` of an image generation, for the lookup route. */
	imageGeneration(id: string): Record<string, unknown> | undefined {
		const image = this.images.get(id);
		return image ? imageGenerationWire(image, this.state.origins.cdn) : undefined;
	}

	private watch(): void {
		for (const generation of this.state.generations.values()) {
			if (this.noticed.has(generation.id) || generation.status === 'PENDING') continue;
			this.noticed.add(generation.id);
			this.announce(generation.id, () => this.envelopeObject(this.videoWire(generation), generation.cost));
		}
	}

	private videoWire(generation: EmulatedGeneration): Record<string, unknown> {
		return generationWire(generation, this.state.outputLinks(generation), this.state.options.motionModelSpelling);
	}

	/** Sends the callback for a generation, as configured now; the body is built when it goes out. */
	private announce(generationId: string, object: () => Record<string, unknown>): void {
		const settings = { ...this.settings };
		if (!settings.url) return;
		const run = (async () => {
			if (settings.delayMs) await sleep(settings.delayMs);
			const body = this.envelope(object(), settings);
			const nullUntil = Date.now() + (settings.lagNullMs ?? 0);
			this.lagging.set(generationId, { nullUntil, pendingUntil: nullUntil + (settings.lagPendingMs ?? 0) });
			const copies = Array.from({ length: settings.copies ?? 1 }, (_, copy) => copy);
			if (settings.concurrentCopies) await Promise.all(copies.map((copy) => this.deliver(generationId, body, settings, copy)));
			else for (const copy of copies) await this.deliver(generationId, body, settings, copy);
		})();
		this.inFlight.add(run);
		void run.finally(() => this.inFlight.delete(run));
	}

	/** `data.object`: the generation's columns, its cost, its outputs under `images` (as documented). */
	private envelopeObject(wire: Record<string, unknown>, apiDollarCost: string): Record<string, unknown> {
		const { generated_images: outputs, ...columns } = wire;
		const images = (Array.isArray(outputs) ? outputs : []).map((output: Record<string, unknown>) => ({ ...output, generationId: wire.id, public: wire.public }));
		return { ...columns, apiDollarCost, images };
	}

	private envelope(object: Record<string, unknown>, settings: WebhookSettings): unknown {
		const { images, id, ...rest } = object;
		const outputs = settings.imagesField === 'none' ? {} : { [settings.imagesField ?? 'images']: images };
		return {
			type: settings.event ?? DEFAULT_EVENT,
			object: 'generation',
			timestamp: Date.now(),
			api_version: 'v1',
			data: {
				object: {
					...(settings.omitObjectId ? {} : { id }),
					...rest,
					...outputs,
					...settings.extraFields,
					// Leonardo echoes the key object, the API key itself included (§5).
					apiKey: {
						id: randomUUID(),
						key: this.state.options.apiKey,
						webhookCallbackUrl: settings.url,
						webhookCallbackApiKey: settings.callbackApiKey ?? null,
						type: 'PRODUCTION',
					},
				},
			},
		};
	}

	private async deliver(generationId: string, body: unknown, settings: WebhookSettings, copy: number): Promise<void> {
		const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'axios/1.6.8' };
		if (settings.callbackApiKey) headers.authorization = `Bearer ${settings.callbackApiKey}`;
		for (let attempt = 0; attempt <= (settings.retries ?? 0); attempt++) {
			if (attempt > 0) await sleep(settings.retryDelayMs ?? 1000);
			const delivery: WebhookDelivery = { generationId, url: settings.url!, copy, attempt, body, headers, startedAt: Date.now() };
			this.deliveries.push(delivery);
			try {
				const response = await fetch(settings.url!, {
					method: 'POST',
					headers,
					body: JSON.stringify(body),
					signal: AbortSignal.any([AbortSignal.timeout(settings.timeoutMs ?? DEFAULT_TIMEOUT_MS), this.state.shutdown.signal]),
				});
				delivery.status = response.status;
				delivery.responseBody = (await response.text()).slice(0, 2000);
			} catch (error) {
				delivery.error = deliveryError(error);
			}
			delivery.durationMs = Date.now() - delivery.startedAt;
			if (delivery.status !== undefined && delivery.status >= 200 && delivery.status < 300) return;
		}
	}
}

function deliveryError(error: unknown): string {
	const { name, cause } = error as { name?: string; cause?: { code?: string } };
	if (name === 'TimeoutError') return 'timeout';
	return cause?.code ?? (error instanceof Error ? error.message : String(error));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An image output: no MP4, no motion fields set. */
function imageGenerationWire(image: ImageGeneration, cdnOrigin: string): Record<string, unknown> {
	return {
		id: image.id,
		status: 'COMPLETE',
		createdAt: new Date(image.createdAt).toISOString(),
		prompt: image.prompt,
		modelId: 'b24e16ff-06e3-43eb-8d33-4416c2d75876',
		imageWidth: 1024,
		imageHeight: 1024,
		seed: 42,
		public: false,
		generated_images: [
			{ id: image.imageId, url: `${cdnOrigin}/images/${image.imageId}.jpg`, nsfw: false, likeCount: 0, motion: false, motionMP4URL: null, motionModel: null },
		],
		generation_elements: [],
	};
}
