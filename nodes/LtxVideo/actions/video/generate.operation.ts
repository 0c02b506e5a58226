import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import {
	ASPECT_RATIOS,
	CONCURRENCY_LIMITS,
	DEFAULT_ASPECT_RATIO,
	DEFAULT_MODEL,
	DEFAULT_PROMPT_ENHANCE,
	DEFAULT_RESOLUTION,
	FRAME_SOURCES,
	IMAGE_REFERENCE_TYPES,
	MODELS,
	POLLING_LIMITS,
	PROMPT_ENHANCE_MODES,
	PROMPT_MAX_LENGTH,
	RESOLUTIONS,
	SEED_MAX,
	toOptions,
} from '../../../shared/capabilities';
import { downloadVideo } from '../../../shared/download';
import { InvalidInputError } from '../../../shared/errors';
import {
	DEFAULT_DIALECT,
	type FrameInput,
	type GenerateRequest,
	type ImageReference,
	type RawFrameParameters,
	validateGenerateRequest,
} from '../../../shared/generateRequest';
import { createGeneration, type CreateSession, fetchAccount, freshVideoUrl } from '../../../shared/generations';
import { CreatedGenerations, type CreatedGenerationEntry, requestDigest } from '../../helpers/createdGenerations';
import { type ItemProgress, type ItemRun } from '../../helpers/items';
import { type OutputSettings, validateMaxConcurrency, validateOutputSettings, validateWaitSettings, type WaitSettings } from '../../../shared/options';
import { generationJson, type KnownRequestFacts, submittedJson } from '../../../shared/output';
import { RateLimiter } from '../../../shared/pacing';
import { LeonardoApiError } from '../../../shared/transport';
import { waitForVideo } from '../../helpers/polling';
import { type CheckedFrame, checkBinaryFrame, FRAME_MAX_BYTES, FRAME_URL_TIMEOUT_SECONDS, FrameLinks } from '../../helpers/frameImages';
import { FrameUploads } from '../../helpers/upload';
import { operationDisplay } from '../display';
import { downloadOptions } from '../../../shared/descriptions';

const MODEL_SLUGS = Object.keys(MODELS);
const framed = { startFrame: ['binary', 'imageId', 'url'] };
// Defaults as plain identifiers: n8n's lint rules (node-param-default-missing) read `default` statically.
const DEFAULT_CONCURRENCY = CONCURRENCY_LIMITS.default;
const DEFAULT_POLL_INTERVAL = POLLING_LIMITS.defaultIntervalSeconds;
const DEFAULT_TIMEOUT = POLLING_LIMITS.defaultTimeoutSeconds;

/** One Duration field per model, so the panel only offers lengths that model can make. */
const durationFields: INodeProperties[] = Object.values(MODELS).map(({ slug, displayName, durations, defaultDuration }) => ({
	displayName: 'Duration (Seconds)',
	name: 'duration',
	type: 'options',
	options: durations.map((seconds) => ({ name: `${seconds} s`, value: seconds })),
	default: defaultDuration,
	description: `Length of the video. ${displayName}: ${durations.join(', ')} seconds.`,
	// Hidden while the model is an expression (n8n would show every list then): the number field below applies.
	displayOptions: { hide: { model: [{ _cnd: { not: slug } }] } },
}));

/** Aspect ratios that need no start image; `source` is added only when a start frame is set. */
const aspectRatioOptions = (withStartFrame: boolean) =>
	toOptions(Object.fromEntries(Object.entries(ASPECT_RATIOS).filter(([, aspect]) => withStartFrame || !aspect.needsStartFrame)));

function frameFields(which: 'start' | 'end'): INodeProperties[] {
	const label = which === 'start' ? 'Start Frame' : 'End Frame';
	const name = `${which}Frame`;
	const shownWith = (source: string) => ({ [name]: [source] });
	const binaryPropertyDefault = which === 'start' ? 'data' : 'endFrame';
	return [
		{
			displayName: label,
			name,
			type: 'options',
			options: toOptions(FRAME_SOURCES),
			default: 'none',
			description:
				which === 'start'
					? 'Image the video starts from (image-to-video). Pre-scale it to the chosen aspect ratio, or the video may look deformed.'
					: 'Image the video ends on, for a transition from the start frame to this one',
			...(which === 'end' ? { displayOptions: { show: framed } } : {}),
		},
		{
			displayName: `${label} Binary Property`,
			name: `${name}BinaryProperty`,
			type: 'string',
			default: binaryPropertyDefault,
			required: true,
			placeholder: which === 'start' ? 'e.g. data' : 'e.g. endFrame',
			hint: `The name of the binary field of the incoming item that holds a PNG, JPEG or WebP image (at most ${FRAME_MAX_BYTES / 1024 / 1024} MiB)`,
			displayOptions: { show: { ...shownWith('binary'), ...(which === 'end' ? framed : {}) } },
		},
		{
			displayName: `${label} URL`,
			name: `${name}Url`,
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. https://example.com/product-photo.png',
			description: `Direct http(s) link to a PNG, JPEG or WebP image (at most ${FRAME_MAX_BYTES / 1024 / 1024} MiB, fetched within ${FRAME_URL_TIMEOUT_SECONDS} s). It is downloaded without your Leonardo key, then uploaded to Leonardo. Links to your own machine or network are refused unless Options → Allow Private Links is on.`,
			displayOptions: { show: { ...shownWith('url'), ...(which === 'end' ? framed : {}) } },
		},
		{
			displayName: `${label} Image ID`,
			name: `${name}ImageId`,
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 0a1b2c3d-4e5f-6789-abcd-ef0123456789',
			description: 'ID of an image on Leonardo, e.g. the "videoId" of an earlier generation or an uploaded init image',
			displayOptions: { show: { ...shownWith('imageId'), ...(which === 'end' ? framed : {}) } },
		},
		{
			displayName: `${label} Image Type`,
			name: `${name}ImageType`,
			type: 'options',
			options: toOptions(IMAGE_REFERENCE_TYPES),
			default: 'GENERATED',
			description: 'Whether the ID belongs to something generated on Leonardo or to an uploaded image',
			displayOptions: { show: { ...shownWith('imageId'), ...(which === 'end' ? framed : {}) } },
		},
	];
}

const properties: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'options',
		options: Object.values(MODELS).map((model) => ({ name: model.displayName, value: model.slug, description: model.description })),
		default: DEFAULT_MODEL,
		description: 'Which LTX Video 2.3 model makes the video',
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. Slow dolly-in on a rain-soaked neon street at night, distant thunder',
		description: `What happens in the video: subject, action, camera movement, light, sound. At most ${PROMPT_MAX_LENGTH} characters.`,
	},
	...durationFields,
	{
		displayName: 'Duration (Seconds)',
		name: 'duration',
		type: 'number',
		default: 8,
		description: `Length of the video. Pro: ${MODELS['ltxv-2.3-pro'].durations.join(', ')}; Fast: ${MODELS['ltxv-2.3-fast'].durations.join(', ')}.`,
		// Shown only while the model is an expression, so neither per-model list applies.
		displayOptions: { hide: { model: MODEL_SLUGS } },
	},
	{
		displayName: 'Resolution',
		name: 'resolution',
		type: 'options',
		options: toOptions(RESOLUTIONS),
		default: DEFAULT_RESOLUTION,
		description: 'Output resolution tier. Higher tiers cost more and take longer.',
	},
	...frameFields('start'),
	...frameFields('end'),
	{
		displayName: 'Aspect Ratio',
		name: 'aspectRatio',
		type: 'options',
		options: aspectRatioOptions(false),
		default: DEFAULT_ASPECT_RATIO,
		// Only for a literal "none": while Start Frame is an expression the list with "source" applies.
		displayOptions: { hide: { startFrame: [{ _cnd: { not: 'none' } }] } },
	},
	{
		displayName: 'Aspect Ratio',
		name: 'aspectRatio',
		type: 'options',
		options: aspectRatioOptions(true),
		default: DEFAULT_ASPECT_RATIO,
		displayOptions: { hide: { startFrame: ['none'] } },
	},
	{
		displayName: 'Generate Audio',
		name: 'generateAudio',
		type: 'boolean',
		default: true,
		description: 'Whether LTX should add a synchronized soundtrack (ambience, effects, speech) to the video',
	},
	{
		displayName: 'Prompt Enhance',
		name: 'promptEnhance',
		type: 'options',
		options: toOptions(PROMPT_ENHANCE_MODES),
		default: DEFAULT_PROMPT_ENHANCE,
		description: 'Whether Leonardo may rewrite the prompt into a more detailed one before generating',
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until the video is ready and output it. Turn off to output the generation ID at once and fetch the video later with "Get".',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			...downloadOptions({ '/waitForCompletion': [true] }),
			{
				displayName: 'Allow Private Links',
				name: 'allowPrivateLinks',
				type: 'boolean',
				default: false,
				description:
					'Whether Start/End Frame links may point to your own machine or network: loopback (localhost, 127.x, ::1), private (10.x, 172.16–31.x, 192.168.x, fc00::/7), link-local (169.254.x, fe80::/10) or unspecified (0.0.0.0, ::) addresses, at any redirect. Off, such links are refused before any request, so that a link from a form or an AI agent cannot read internal services. The node checks the address as written (every IP spelling, localhost, .local and .internal names, names without a dot); a public name that resolves to a private address is only caught by n8n\'s SSRF protection.',
			},
			{
				displayName: 'Max Concurrent Generations',
				name: 'maxConcurrency',
				type: 'number',
				typeOptions: { minValue: CONCURRENCY_LIMITS.auto, maxValue: CONCURRENCY_LIMITS.max, numberPrecision: 0 },
				default: DEFAULT_CONCURRENCY,
				description: `How many items generate at the same time (1 to ${CONCURRENCY_LIMITS.max}), or 0 for Auto: your plan's API concurrency slots as Leonardo reports them, at most ${CONCURRENCY_LIMITS.max} (${CONCURRENCY_LIMITS.autoFallback} when it does not say). Leonardo allows ${CONCURRENCY_LIMITS.createsPerMinute} new generations per minute.`,
			},
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollInterval',
				type: 'number',
				typeOptions: { minValue: POLLING_LIMITS.minIntervalSeconds },
				default: DEFAULT_POLL_INTERVAL,
				description: 'Seconds between status checks while waiting',
				displayOptions: { show: { '/waitForCompletion': [true] } },
			},
			{
				displayName: 'Public',
				name: 'public',
				type: 'boolean',
				default: false,
				description: 'Whether the video is shown in Leonardo’s public community feed',
			},
			{
				displayName: 'Seed',
				name: 'seed',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: SEED_MAX, numberPrecision: 0 },
				default: 0,
				description: 'Fixed seed for reproducible results. Leave the option out for a random seed.',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: POLLING_LIMITS.maxTimeoutSeconds },
				default: DEFAULT_TIMEOUT,
				description:
					'How long to wait for the video before giving up. The error names the generation ID so you can fetch it later with "Get".',
				displayOptions: { show: { '/waitForCompletion': [true] } },
			},
		],
	},
];

export const description = updateDisplayOptions(operationDisplay('generate'), properties);

interface CheckedGenerate {
	request: GenerateRequest;
	images: { start?: CheckedFrame; end?: CheckedFrame };
	waitForCompletion: boolean;
	wait: WaitSettings;
	output: OutputSettings;
}

function rawFrame(ctx: IExecuteFunctions, itemIndex: number, which: 'start' | 'end'): RawFrameParameters {
	const name = `${which}Frame`;
	const source = ctx.getNodeParameter(name, itemIndex, 'none');
	return {
		source,
		binaryPropertyName: source === 'binary' ? ctx.getNodeParameter(`${name}BinaryProperty`, itemIndex, '') : undefined,
		imageId: source === 'imageId' ? ctx.getNodeParameter(`${name}ImageId`, itemIndex, '') : undefined,
		imageType: source === 'imageId' ? ctx.getNodeParameter(`${name}ImageType`, itemIndex, 'GENERATED') : undefined,
		url: source === 'url' ? ctx.getNodeParameter(`${name}Url`, itemIndex, '') : undefined,
	};
}

/** The frame checked, for the sources the node uploads (binary data, a link); undefined for a Leonardo image ID. */
async function checkFrame(ctx: IExecuteFunctions, links: FrameLinks, itemIndex: number, frame: FrameInput | undefined, which: string, allowPrivateLinks: boolean) {
	if (frame?.source === 'binary') return await checkBinaryFrame(ctx, itemIndex, frame.binaryPropertyName, which);
	if (frame?.source === 'url') return await links.check(frame.url, which, allowPrivateLinks);
	return undefined;
}

function validateAllowPrivateLinks(value: unknown): boolean {
	if (value === undefined) return false;
	if (typeof value !== 'boolean') throw new InvalidInputError('"Allow Private Links" must be true or false', 'Set Options → "Allow Private Links" to true or false.');
	return value;
}

/**
 * Validates item `itemIndex`. Its frames are read (a link downloaded) only for an item that will be
 * created: an item an earlier try already sent (see resumable) is resumed without them, so a link that
 * has expired since cannot fail the resume, and nothing is downloaded for nothing.
 */
async function check(ctx: IExecuteFunctions, links: FrameLinks, created: CreatedGenerations, itemIndex: number): Promise<CheckedGenerate> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const allowPrivateLinks = validateAllowPrivateLinks(options.allowPrivateLinks);
	const request = validateGenerateRequest({
		model: ctx.getNodeParameter('model', itemIndex),
		prompt: ctx.getNodeParameter('prompt', itemIndex, ''),
		duration: ctx.getNodeParameter('duration', itemIndex, 8),
		resolution: ctx.getNodeParameter('resolution', itemIndex, DEFAULT_RESOLUTION),
		aspectRatio: ctx.getNodeParameter('aspectRatio', itemIndex, DEFAULT_ASPECT_RATIO),
		generateAudio: ctx.getNodeParameter('generateAudio', itemIndex, true),
		promptEnhance: ctx.getNodeParameter('promptEnhance', itemIndex, DEFAULT_PROMPT_ENHANCE),
		startFrame: rawFrame(ctx, itemIndex, 'start'),
		endFrame: rawFrame(ctx, itemIndex, 'end'),
		seed: options.seed,
		public: options.public,
	});
	const waitForCompletion = ctx.getNodeParameter('waitForCompletion', itemIndex, true);
	if (typeof waitForCompletion !== 'boolean') {
		throw new InvalidInputError('"Wait for Completion" must be true or false', 'Set "Wait for Completion" to true or false.');
	}
	const checked = { request, waitForCompletion, wait: validateWaitSettings(options), output: validateOutputSettings(options) };
	if (created.find(itemIndex)) return { ...checked, images: {} };
	return {
		...checked,
		images: {
			start: await checkFrame(ctx, links, itemIndex, request.startFrame, 'Start Frame', allowPrivateLinks),
			end: await checkFrame(ctx, links, itemIndex, request.endFrame, 'End Frame', allowPrivateLinks),
		},
	};
}

/** Per execution: the create session (accepted dialect, create pacing) and the poll pacing shared by all items. */
interface GenerateSession extends CreateSession {
	pollLimiter: RateLimiter;
	frameUploads: FrameUploads;
}

/** A validation error that names an init image this item reused from another item's upload. */
function refusesReusedImage(refusal: unknown, frames: Array<{ reference?: ImageReference; reused: boolean }>): boolean {
	if (!(refusal instanceof LeonardoApiError) || refusal.statusCode !== 400 || !refusal.parsed) return false;
	const { message, field } = refusal.parsed;
	return frames.some(({ reference, reused }) => reused && reference && `${message} ${field ?? ''}`.includes(reference.id));
}

type MadeGeneration = Omit<CreatedGenerationEntry, 'sentAt' | 'request'> & { generationId: string };
/** What this try created or resumed, with what the node changed or did to get there (output as `notice`). */
type Made = MadeGeneration & { notices?: string[]; resumed?: { requestChanged: boolean } };

/**
 * What an earlier try of this node run created for this item (Retry On Fail, or the executions list's
 * Retry: see createdGenerations.ts): resumed, never created again, whatever the item's request evaluates
 * to now. A create that an earlier try sent without a clear answer is not sent again either.
 */
function resumable(ctx: IExecuteFunctions, created: CreatedGenerations, itemIndex: number, digest: string): Made | undefined {
	const earlier = created.find(itemIndex);
	if (!earlier) return undefined;
	if (!earlier.generationId) {
		throw new NodeOperationError(ctx.getNode(), 'An earlier try of this node sent the create request for this item and got no clear answer, so it was not sent again', {
			itemIndex,
			description: `Whether Leonardo created (and billed) that video is unknown. Look for it with "Get Many" (newest first; sent at ${new Date(earlier.sentAt).toISOString()}) before running this item again. Retrying never sends it again; running the workflow anew does.`,
		});
	}
	const made = earlier as MadeGeneration;
	const requestChanged = earlier.request !== digest;
	ctx.logger.info(`LTX Video: resuming generation ${made.generationId} created by an earlier try (item ${itemIndex}${requestChanged ? ', request changed since' : ''})`);
	const notices = [`Resumed generation ${made.generationId}, created by an earlier try of this node (Retry On Fail or a retried execution): not created or billed again.`];
	if (requestChanged) {
		notices.push(
			'The item\'s request has changed since that try (e.g. a random seed or {{ $now }} in an expression, or another link): the new values were NOT used. For a video of the current values, run the workflow anew instead of retrying.',
		);
	}
	return { ...made, notices, resumed: { requestChanged } };
}

/** An error about a resumed generation says that retrying will not make another one, and what will. */
function noteResumed(error: unknown, generationId: string): unknown {
	if (error instanceof Error && 'description' in error) {
		error.description = `${error.description ?? ''} Generation ${generationId} was created by an earlier try: retrying resumes it and never creates another. For a new video (billed again), run the workflow anew.`.trim();
	}
	return error;
}

/** Uploads the frames and sends the create, keeping the record of created generations up to date. */
async function uploadAndCreate(
	ctx: IExecuteFunctions,
	session: GenerateSession,
	{ request, images }: CheckedGenerate,
	{ itemIndex, progress, cancel, stopNew }: { itemIndex: number; progress: ItemProgress; cancel: AbortSignal; stopNew: AbortSignal },
	created: CreatedGenerations,
	digest: string,
): Promise<Made> {
	// Until the create, another item's failure stops this one; once created (paid for), it runs to the end.
	const beforeCreate = { itemIndex, signal: stopNew, baseUrl: session.baseUrl };
	const frame = async (image: CheckedFrame | undefined, input: FrameInput | undefined, which: string) => {
		if (image) return await session.frameUploads.upload(image, beforeCreate, which);
		return { reference: input?.source === 'imageId' ? input.image : undefined, reused: false };
	};
	let start = await frame(images.start, request.startFrame, 'start frame');
	let end = await frame(images.end, request.endFrame, 'end frame');
	const send = async () => {
		try {
			return await createGeneration(ctx, session, request, { start: start.reference, end: end.reference }, {
				itemIndex,
				signal: cancel,
				stopBeforeSend: stopNew,
				// A reused upload refused is uploaded afresh below, not waited for.
				waitForUploads: !start.reused && !end.reused,
				onSend: () => {
					progress.createSent = true;
					created.markSent(itemIndex, digest);
				},
			});
		} catch (error) {
			return { refusal: error as unknown };
		}
	};
	let outcome = await send();
	if ('refusal' in outcome && refusesReusedImage(outcome.refusal, [start, end])) {
		// A refused create costs nothing: upload this item's frames afresh once and send again.
		session.frameUploads.stopSharing();
		start = await frame(images.start, request.startFrame, 'start frame');
		end = await frame(images.end, request.endFrame, 'end frame');
		outcome = await send();
	}
	if ('refusal' in outcome) {
		const { refusal } = outcome;
		// A 4xx answer creates nothing: a retry may send again. Anything else stays "sent, outcome unknown".
		if (refusal instanceof InvalidInputError || (refusal instanceof LeonardoApiError && refusal.statusCode >= 400 && refusal.statusCode < 500)) {
			created.forget(itemIndex);
		}
		throw refusal;
	}
	const result = outcome;
	const made = {
		generationId: result.created.generationId,
		cost: result.created.cost,
		// 0×0 ("follow the start image") is no size: left out unless Leonardo reports one.
		width: (result.body.parameters.width as number) || undefined,
		height: (result.body.parameters.height as number) || undefined,
	};
	created.markCreated(itemIndex, { ...made, model: request.model, seed: request.seed });
	ctx.logger.info(`LTX Video: created generation ${made.generationId} (item ${itemIndex}, ${request.model})`);
	return { ...made, notices: result.notices };
}

/** Auto: `min(apiConcurrencySlots, 20)` from GET /v1/me, read once per execution; 4 when it says nothing. */
async function planConcurrency(ctx: IExecuteFunctions, baseUrl: string): Promise<number> {
	let slots: number | undefined;
	try {
		slots = (await fetchAccount(ctx, { baseUrl, signal: ctx.getExecutionCancelSignal() })).apiConcurrencySlots;
	} catch {
		// Reported below as the fallback; a key or network problem surfaces on the create itself.
	}
	const chosen = slots !== undefined && Number.isInteger(slots) && slots >= 1 ? Math.min(slots, CONCURRENCY_LIMITS.max) : CONCURRENCY_LIMITS.autoFallback;
	ctx.logger.info(`LTX Video: Max Concurrent Generations Auto = ${chosen} (API concurrency slots: ${slots ?? 'not reported'})`);
	return chosen;
}

export function generateRun(ctx: IExecuteFunctions, baseUrl: string): ItemRun<CheckedGenerate> {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const session: GenerateSession = {
		baseUrl,
		dialect: { ...DEFAULT_DIALECT },
		createLimiter: new RateLimiter(CONCURRENCY_LIMITS.createsPerMinute, 60_000),
		// At most 10 status requests per second per execution (600/min, under a third of Leonardo's
		// 2000 requests/min per account), however many items are in flight.
		// A burst of up to 10 is allowed, so items that finish together are all noticed at once.
		pollLimiter: new RateLimiter(10, 1000),
		frameUploads: new FrameUploads(ctx),
	};
	const concurrency = validateMaxConcurrency(options.maxConcurrency);
	const created = CreatedGenerations.open(ctx);
	const links = new FrameLinks(ctx);
	return {
		concurrency: concurrency === 'auto' ? async () => await planConcurrency(ctx, baseUrl) : concurrency,
		check: async (itemIndex) => await check(ctx, links, created, itemIndex),
		run: async (checked, itemIndex, progress, { cancel, stopNew }): Promise<INodeExecutionData> => {
			const { request } = checked;
			// The item's position finds what an earlier try made; the digest only tells whether the request changed since.
			const digest = requestDigest(request);
			const made: Made =
				resumable(ctx, created, itemIndex, digest) ?? (await uploadAndCreate(ctx, session, checked, { itemIndex, progress, cancel, stopNew }, created, digest));
			const { generationId, cost, width, height, notices = [] } = made;
			const notice = notices.length > 0 ? { notice: notices.join(' ') } : {};
			progress.generationId = generationId;
			const call = { itemIndex, signal: cancel, baseUrl };

			// A resumed generation whose request changed since: what was sent, not the current values.
			const sent = made.resumed?.requestChanged ? { model: made.model, seed: made.seed } : { model: request.model, prompt: request.prompt, seed: request.seed };
			const facts: KnownRequestFacts = { ...sent, width, height, cost };
			if (!checked.waitForCompletion) return { json: { ...submittedJson(generationId, facts), ...notice } };

			const record = await waitForVideo(
				ctx,
				{ generationId, itemIndex, baseUrl, signal: cancel, pollLimiter: session.pollLimiter },
				checked.wait,
			).catch((error: unknown) => {
				throw made.resumed ? noteResumed(error, generationId) : error;
			});
			progress.videoUrl = record.videoUrl;
			const json = { ...generationJson(record, facts), ...notice };
			// After another item's failure the node outputs nothing: the error names this video's link instead.
			if (!checked.output.download || stopNew.aborted) return { json };
			const binary = await downloadVideo(ctx, {
				url: record.videoUrl!,
				fileName: `${record.id}.mp4`,
				generationId: record.id,
				itemIndex,
				signal: cancel,
				refreshUrl: async () => await freshVideoUrl(ctx, record.id, call),
			});
			return { json, binary: { [checked.output.binaryPropertyName]: binary } };
		},
	};
}
