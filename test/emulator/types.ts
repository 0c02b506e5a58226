/**
 * Public types and constants of the Leonardo emulator. See README.md in this folder for how the
 * emulator interprets docs/leonardo-api.md where the spec leaves room.
 */

/** `images` is not Leonardo: a third-party host that Start/End Frame links point at. */
export type ServerName = 'api' | 's3' | 'cdn' | 'images';

export type RouteName =
	| 'me'
	| 'models'
	| 'initImage'
	| 's3Upload'
	| 'create'
	| 'poll'
	| 'delete'
	| 'listByUser'
	| 'download'
	| 'poster'
	| 'imageFile'
	| 'control'
	| 'unknown';

/** What the S3 server recorded about a multipart upload (the file bytes themselves are not kept). */
export interface MultipartSummary {
	/** Names of every part in the order received, the `file` part included. */
	fields: string[];
	fileName?: string;
	fileBytes: number;
	/** SHA-256 (hex) of the file part's content. */
	fileSha256?: string;
	/** The file starts with the magic bytes of the extension declared at init-image time. */
	fileMagicOk: boolean;
	/** Set when the body could not be parsed as multipart/form-data. */
	parseError?: string;
}

export interface RecordedRequest {
	server: ServerName;
	method: string;
	/** Path without the query string, as sent (not percent-decoded). */
	path: string;
	query: Record<string, string>;
	/** Header names lower-cased, values as sent (repeated headers joined with ', '). */
	headers: Record<string, string>;
	/** Parsed JSON for JSON bodies, the raw text for other text bodies, a MultipartSummary for S3 uploads. */
	body?: unknown;
	/** HTTP status answered; 0 while unanswered and for 'reset' / 'hang' faults. */
	status: number;
	/** Arrival time (Date.now()). */
	at: number;
	route: RouteName;
}

/** 'alternate': one of the two spellings, the other one at the next emulator start (see options.ts). */
export type AudioField = 'audio' | 'motion_has_audio' | 'both' | 'alternate';

/** The shapes a parameter validation error may take (docs/leonardo-api.md §6.1 documents none of them fully). */
export type ValidationErrorShape = 'array' | 'graphql' | 'schema' | 'rest';

/**
 * Readings of the spec that refuse more than the docs say (each a 400 validation error on create):
 * - 'prompt-enhance-with-frame-on-pro': `prompt_enhance` other than OFF with a start frame on Pro (3P-observed);
 * - 'video-id-as-frame': a generation's output id as a GENERATED frame (only image ids are confirmed there);
 * - 'fast-long-above-1080': Fast 12–20 s at 1440/2160 (UNKNOWN; Lightricks allows > 10 s only at 1080p);
 * - 'portrait-above-1080': 9:16 sizes at 1440/2160 (REPORTED only);
 * - '4k-native-size': 3840×2160 / 2160×3840 with RESOLUTION_2160 (a 3P client says 4K works only with 1080 sizes).
 */
export type RefusalRule =
	| 'prompt-enhance-with-frame-on-pro'
	| 'video-id-as-frame'
	| 'fast-long-above-1080'
	| 'portrait-above-1080'
	| '4k-native-size';

/** `generate.cost.unit` (§1.4: CREDITS or DOLLARS, INFERRED). */
export type CostUnit = 'DOLLARS' | 'CREDITS';

/**
 * What the account has left, in the cost unit: `subscription` (the API plan's) and `paid` (bought). With
 * CREDITS, GET /v1/me reports them as `apiSubscriptionTokens` and `apiPaidTokens`; with DOLLARS it reports
 * them nowhere (which field holds a PAYG dollar balance is unknown, §4).
 */
export interface AccountBalance {
	subscription: number;
	paid: number;
}

/** Beyond the account's concurrency slots a create is either queued (PENDING longer) or refused with 429. */
export type BeyondSlots = 'queue' | 'refuse';

/**
 * How GET /v2/models presents the LTX entries (see models-list.ts): 'objects' (the 3P-observed shape),
 * 'string-parameters' (each `parameters` a JSON string), 'slug-names' (named by slug, not display
 * name), 'no-ltx' (LTX 2.3 not listed at all).
 */
export type ModelsListVariant = 'objects' | 'string-parameters' | 'slug-names' | 'no-ltx';

/**
 * How records spell `generated_images[].motionModel` (the live spelling for LTX is unknown; Leonardo's v1
 * video records use enums like `MOTION2`, `VEO3`): 'enum' `LTXV_2_3_PRO` (default), 'snake' `ltxv_2_3_pro`,
 * 'display' `LTX 2.3 Pro`, 'slug' `ltxv-2.3-pro`, 'null' (null), 'missing' (no field).
 */
export type MotionModelSpelling = 'enum' | 'snake' | 'display' | 'slug' | 'null' | 'missing';

export interface EmulatorOptions {
	/** The one valid API key. */
	apiKey: string;
	/** How long a new generation stays PENDING. */
	generationDelayMs: number;
	/** Size of every served MP4; undefined = the fixture's own size. */
	videoBytes: number | undefined;
	/** Lifetime of an init-image presigned POST. */
	presignExpiryMs: number;
	/** Lifetime of a signed CDN MP4 URL, counted from the poll that handed it out. */
	cdnUrlExpiryMs: number;
	/** Which audio key(s) the create endpoint accepts ('alternate' is resolved when the options are set). */
	audioField: AudioField;
	/** Shape of the create endpoint's parameter validation errors. */
	validationErrorShape: ValidationErrorShape;
	/** Stricter readings of the spec, each refused with a validation error. */
	refuse: RefusalRule[];
	/** An uploaded init image is refused ("Invalid init image id") for this long after its S3 upload. */
	initImageSettleMs: number;
	/** The emulator's own 429s carry Retry-After (no such header is promised by Leonardo). */
	retryAfterHeader: boolean;
	/**
	 * Within this long after its create, the first status lookup of each generation answers 404, then
	 * `generations_by_pk: null` for the next generation, then 500 (rotating); 0 = off.
	 */
	freshReadWindowMs: number;
	/** `seed` null, `cost`/`apiCreditCost` missing, imageWidth/imageHeight 0 for a 0×0 request. */
	sparseRecords: boolean;
	/** The unit of `generate.cost` (and of `costPerSecond` and `accountBalance`). */
	costUnit: CostUnit;
	/** Overrides of the price table (ltx.ts), per model and tier, per second of video, in `costUnit`. */
	costPerSecond: Partial<Record<LtxModel, Partial<Record<ResolutionMode, number>>>>;
	/** false: the create answer has no `cost` (nor `apiCreditCost`); the generation is still billed. */
	reportCost: boolean;
	/**
	 * The account's balance in `costUnit`, taken by each create (plan part first), or null: not kept, no
	 * create refused for lack of funds. A create costing more than what is left gets 400 (see README).
	 */
	accountBalance: AccountBalance | null;
	/** Generations PENDING at once per account; 0 = no limit (/v1/me then says `apiConcurrencySlots: 10`). */
	concurrencySlots: number;
	/** What a create beyond the slots gets. */
	beyondSlots: BeyondSlots;
	/** Parameter keys the create endpoint refuses with a validation error naming them. */
	rejectParameters: string[];
	/**
	 * Refuse an UPLOADED init image that an earlier generation already used (a validation error naming
	 * it). Whether Leonardo does is unknown (issue 13 infers reuse works); this is the unkind reading.
	 */
	initImagesSingleUse: boolean;
	/** Spelling of `motionModel` in generation records. */
	motionModelSpelling: MotionModelSpelling;
	/** What a COMPLETE video's `url` (its poster, §2) is: see PosterVariant. */
	posterVariant: PosterVariant;
	/** Shape of the LTX entries in GET /v2/models. */
	modelsListVariant: ModelsListVariant;
	/** Creates admitted per sliding minute; beyond it, 429 with Retry-After. */
	createRatePerMinute: number;
	/** Fixed ports; 0 or absent = random. */
	ports: { api?: number; s3?: number; cdn?: number; images?: number };
	/** The image host's listening address (default 127.0.0.1): another loopback address, e.g. 127.0.0.2, is a host n8n's SSRF protection can tell apart. */
	imagesHost: string;
	/** Do not log requests to stderr. */
	quiet: boolean;
}

/**
 * `generated_images[].url` of a video: `'jpg'` a JPG poster on the CDN (§2, INFERRED for LTX), `'none'` null,
 * `'mp4-link'` the MP4's own link again, `'missing'` a poster link the CDN answers 404.
 */
export type PosterVariant = 'jpg' | 'none' | 'mp4-link' | 'missing';

export type FaultKind =
	| 'status'
	| 'reset'
	| 'hang'
	| 'truncate'
	| 'html502'
	| 'malformed-json'
	| 'no-generation-id'
	| 'redirect'
	| 'echo-secrets'
	| 'out-of-credit';

export interface FaultSpec {
	route: RouteName;
	/** How many matching requests this fault answers (default 1). */
	times?: number;
	/** Status for kind 'status' (default 500), 'malformed-json' (default 200) and 'out-of-credit' (402, 400 or 403; default 402). */
	status?: number;
	/** Body for kind 'status'; an object is sent as JSON. */
	body?: string | object;
	/** Extra response headers (e.g. retry-after) for the kinds that answer. */
	headers?: Record<string, string>;
	/** Default 'status'. */
	kind?: FaultKind;
	/** Target of kind 'redirect'. */
	location?: string;
	/** Wait this long before the fault takes effect. */
	delayMs?: number;
	/**
	 * Kind 'status' only: run the real handler first (a valid create DOES create its generation), then
	 * answer this status instead of its reply: the documented "500 that may have created a job".
	 */
	afterHandler?: boolean;
	/**
	 * Kind 'echo-secrets' only: the error message is padded to about this many characters (e.g. 1_000_000),
	 * with the echo at its start and again at its end.
	 */
	messageLength?: number;
}

export type GenerationStatus = 'PENDING' | 'COMPLETE' | 'FAILED';

/**
 * How an emulated generation ends: 'complete' (one MP4), 'failed' (status FAILED), 'moderated'
 * (COMPLETE with no outputs), 'no-mp4' (COMPLETE, motionMP4URL null, url = the MP4), 'never' (PENDING forever).
 */
export type GenerationOutcome = 'complete' | 'failed' | 'moderated' | 'no-mp4' | 'never';

export type LtxModel = 'ltxv-2.3-pro' | 'ltxv-2.3-fast';
export type ResolutionMode = 'RESOLUTION_1080' | 'RESOLUTION_1440' | 'RESOLUTION_2160';
export type PromptEnhance = 'ON' | 'OFF' | 'AUTO';
export type ImageExtension = 'png' | 'jpg' | 'jpeg' | 'webp';
export type FrameImageType = 'UPLOADED' | 'GENERATED';

export interface FrameRef {
	id: string;
	type: FrameImageType;
}

/** An init image: created by POST /v1/init-image, completed by the S3 upload. */
export interface UploadedImage {
	id: string;
	extension: ImageExtension;
	/** The S3 object key (also the `key` form field). */
	key: string;
	createdAt: number;
	/** The presigned POST is refused after this time. */
	expiresAt: number;
	/** The exact form fields the S3 upload must carry. */
	fields: Record<string, string>;
	/** True once an S3 upload succeeded: only then can a generation use it. */
	uploaded: boolean;
	uploadedAt?: number;
	/** Byte length of the last successfully uploaded file. */
	receivedBytes: number;
	/** The uploaded bytes start with the extension's magic bytes (null before any upload). */
	magicMatches: boolean | null;
	/** The generations that used it as a frame. */
	usedBy?: string[];
}

/** Validated create parameters, with the documented defaults filled in. */
export interface CreateParams {
	model: LtxModel;
	isPublic: boolean;
	prompt: string;
	mode: ResolutionMode;
	promptEnhance?: PromptEnhance;
	durationSeconds: number;
	seed?: number;
	/** As requested; 0×0 means "follow the start frame". */
	width: number;
	height: number;
	audio?: boolean;
	startFrame?: FrameRef;
	endFrame?: FrameRef;
}

/** A made-up key that only this emulator accepts (a UUID, as real keys are). */
const EMULATOR_ONLY_KEY = '3f0c6a5e-8d4b-4c1e-9a7f-2b1d0e6c5a49';
/** The default valid key. */
export const DEFAULT_API_KEY = EMULATOR_ONLY_KEY;

/** `user_details[0].user.id` of the emulated account. */
export const EMULATOR_USER_ID = '7d2c4b1a-5e6f-4a3b-9c8d-0e1f2a3b4c5d';

/** A generated image that exists before any generation: usable as a GENERATED start/end frame. */
export const KNOWN_GENERATED_IMAGE_ID = '5b0e6f3a-9c1d-4e2b-8a7f-3c6d2e1f0a9b';
