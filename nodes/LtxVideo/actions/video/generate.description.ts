/** The Generate panel; generate.operation.ts runs it. Choices and limits come from capabilities.ts, as validation's do. */
import type { INodeProperties } from 'n8n-workflow';

import {
	ASPECT_RATIOS,
	CONCURRENCY_LIMITS,
	DEFAULT_ASPECT_RATIO,
	DEFAULT_MODEL,
	DEFAULT_PROMPT_ENHANCE,
	DEFAULT_RESOLUTION,
	FRAME_SOURCES,
	IMAGE_REFERENCE_TYPES,
	type ModelCapability,
	MODELS,
	PROMPT_ENHANCE_MODES,
	PROMPT_MAX_LENGTH,
	RESOLUTIONS,
	SEED_MAX,
	toOptions,
} from '../../../shared/capabilities';
import { downloadOptions, optionsCollection, videoFileOptions, waitOptions } from '../../../shared/descriptions';
import { FRAME_MAX_MIB } from '../../helpers/frameBytes';
import { FRAME_URL_TIMEOUT_SECONDS } from '../../helpers/frameLinks';
import { forOperation } from './common.description';

const framed = { startFrame: ['binary', 'imageId', 'url'] };
// Defaults as plain identifiers: n8n's lint rules (node-param-default-missing) read `default` statically.
const DEFAULT_CONCURRENCY = CONCURRENCY_LIMITS.default;
const DEFAULT_DURATION = MODELS[DEFAULT_MODEL].defaultDuration;

const [pollIntervalOption, timeoutOption] = waitOptions(
	{
		pollInterval: 'Seconds between status checks while waiting',
		timeout: 'How long to wait for the video before giving up. The error names the generation ID so you can fetch it later with "Get".',
	},
	{ '/waitForCompletion': [true] },
);

/** Every length some model can make, ascending. */
const ALL_DURATIONS = [...new Set(Object.values(MODELS).flatMap((model) => model.durations))].sort((a, b) => a - b);
/** The models that cannot make every length: each gets a Duration list of its own. */
const LIMITED_MODELS = Object.values(MODELS).filter((model) => model.durations.length < ALL_DURATIONS.length);
const durationField = (durations: readonly number[], models: readonly ModelCapability[], hide: INodeProperties['displayOptions']): INodeProperties => ({
	displayName: 'Duration (Seconds)',
	name: 'duration',
	type: 'options',
	options: durations.map((seconds) => ({ name: `${seconds} s`, value: seconds })),
	default: DEFAULT_DURATION,
	description: `Length of the video. ${models.map((model) => `${model.displayName}: ${model.durations.join(', ')}`).join('; ')} seconds.`,
	displayOptions: hide,
});

/*
 * Duration and Aspect Ratio come as two fields of one name each because n8n's options have no per-choice
 * display rule: a list that follows another field needs one field per list. The lists depend on `hide`,
 * which an expression cannot short-circuit (n8n shows a field whenever a `show` parameter is an expression).
 * Duration: a model that cannot make every length gets its own list; otherwise (the other model, or Model as
 * an expression) the list of every length applies, checked per model when the node runs. Aspect Ratio:
 * "source" follows the start image, so it is offered unless Start Frame is a literal "none".
 */
const durationFields: INodeProperties[] = [
	...LIMITED_MODELS.map((model) => durationField(model.durations, [model], { hide: { model: [{ _cnd: { not: model.slug } }] } })),
	durationField(ALL_DURATIONS, Object.values(MODELS), { hide: { model: LIMITED_MODELS.map((model) => model.slug) } }),
];

/** Aspect ratios that need no start image; `source` is added only when a start frame is set. */
const aspectRatioOptions = (withStartFrame: boolean) =>
	toOptions(Object.fromEntries(Object.entries(ASPECT_RATIOS).filter(([, aspect]) => withStartFrame || !aspect.needsStartFrame)));

/**
 * A frame's source and the fields of each source. Those fields are not `required`: Start/End Frame may be
 * expressions, n8n shows every field under an expression, and it refuses to run while a shown required
 * field is empty. The node asks for them when it runs instead (before any request).
 */
function frameFields(which: 'start' | 'end'): INodeProperties[] {
	const label = which === 'start' ? 'Start Frame' : 'End Frame';
	const name = `${which}Frame`;
	// `hide` for every other literal source (and, for the end frame, no start frame): `show` would stop at the
	// first of Start/End Frame that is an expression and show the field whatever the other one holds.
	const shownWith = (source: string) => ({
		hide: { ...(which === 'end' ? { startFrame: ['none'] } : {}), [name]: Object.keys(FRAME_SOURCES).filter((other) => other !== source) },
	});
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
			displayName: `${label} Input Binary Field`,
			name: `${name}BinaryProperty`,
			type: 'string',
			default: binaryPropertyDefault,
			placeholder: which === 'start' ? 'e.g. data' : 'e.g. endFrame',
			hint: `The name of the input binary field that holds the ${label.toLowerCase()}: a PNG, JPEG or WebP image of at most ${FRAME_MAX_MIB} MiB`,
			displayOptions: shownWith('binary'),
		},
		{
			displayName: `${label} URL`,
			name: `${name}Url`,
			type: 'string',
			default: '',
			placeholder: 'e.g. https://example.com/product-photo.png',
			description: `Direct http(s) link to a PNG, JPEG or WebP image (at most ${FRAME_MAX_MIB} MiB, fetched within ${FRAME_URL_TIMEOUT_SECONDS} s). It is downloaded without your Leonardo key, then uploaded to Leonardo. Links to your own machine or network are refused unless Options → Allow Private Links is on.`,
			displayOptions: shownWith('url'),
		},
		{
			displayName: `${label} Image ID`,
			name: `${name}ImageId`,
			type: 'string',
			default: '',
			placeholder: 'e.g. 0a1b2c3d-4e5f-6789-abcd-ef0123456789',
			description: 'ID of an image on Leonardo, e.g. the "videoId" of an earlier generation or an uploaded init image',
			displayOptions: shownWith('imageId'),
		},
		{
			displayName: `${label} Image Type`,
			name: `${name}ImageType`,
			type: 'options',
			options: toOptions(IMAGE_REFERENCE_TYPES),
			default: 'GENERATED',
			description: 'Whether the ID belongs to something generated on Leonardo or to an uploaded image',
			displayOptions: shownWith('imageId'),
		},
	];
}

/** One description for both Aspect Ratio fields; the second also offers "Same as Start Frame". */
const ASPECT_RATIO_DESCRIPTION = 'Shape of the video: 16:9 is landscape (YouTube, websites), 9:16 is portrait (Shorts, Reels, TikTok)';

export const description: INodeProperties[] = forOperation('generate', [
	{
		displayName:
			'Generating several videos? Set Settings → On Error to "Continue" (or "Continue (using error output)"): otherwise one failed video stops the node, and the videos already finished (and paid for) do not reach the next nodes.',
		name: 'batchNotice',
		type: 'notice',
		default: '',
	},
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
		displayName: 'Resolution',
		name: 'resolution',
		type: 'options',
		options: toOptions(RESOLUTIONS),
		default: DEFAULT_RESOLUTION,
		description: 'Output resolution tier. Leonardo publishes no price or render time per tier for LTX 2.3; each run reports its cost.',
	},
	...frameFields('start'),
	...frameFields('end'),
	{
		displayName: 'Aspect Ratio',
		name: 'aspectRatio',
		type: 'options',
		options: aspectRatioOptions(false),
		default: DEFAULT_ASPECT_RATIO,
		description: ASPECT_RATIO_DESCRIPTION,
		displayOptions: { hide: { startFrame: [{ _cnd: { not: 'none' } }] } },
	},
	{
		displayName: 'Aspect Ratio',
		name: 'aspectRatio',
		type: 'options',
		options: aspectRatioOptions(true),
		default: DEFAULT_ASPECT_RATIO,
		description: `${ASPECT_RATIO_DESCRIPTION}; "Same as Start Frame" keeps the start image’s own proportions`,
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
	optionsCollection([
		...downloadOptions({ '/waitForCompletion': [true] }),
		...videoFileOptions({ '/waitForCompletion': [true] }),
		{
			displayName: 'Allow Private Links',
			name: 'allowPrivateLinks',
			type: 'boolean',
			default: false,
			description:
				'Whether Start/End Frame links may point to your own machine or network: loopback (localhost, 127.x, ::1), private (10.x, 172.16–31.x, 192.168.x, fc00::/7), link-local (169.254.x, fe80::/10) or unspecified (0.0.0.0, ::) addresses, at any redirect. Off, such links are refused before any request, so that a link from a form or an AI agent cannot read internal services. The node checks the address as written (every IP spelling, localhost, .local and .internal names, names without a dot); a public name that resolves to a private address is only caught by n8n\'s SSRF protection.',
		},
		{
			displayName: 'Keep Account Balance Above',
			name: 'keepBalanceAbove',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description:
				'Never create a video that would bring your Leonardo account balance below this amount (0 = off). The balance is read once per run (API credits from your account details) and the run’s own spend is subtracted as it goes. Reading the balance this way is unverified; a key billed in dollars cannot be checked and is refused. Executions running at the same time do not see each other’s spend (see the README).',
		},
		{
			displayName: 'Max Concurrent Generations',
			name: 'maxConcurrency',
			type: 'number',
			typeOptions: { minValue: CONCURRENCY_LIMITS.auto, maxValue: CONCURRENCY_LIMITS.max, numberPrecision: 0 },
			default: DEFAULT_CONCURRENCY,
			description: `How many videos this node makes at the same time: a number from 1 to ${CONCURRENCY_LIMITS.max}, or 0 for Auto. Auto uses as many as your Leonardo plan allows at once (its API concurrency slots), at most ${CONCURRENCY_LIMITS.max}, or ${CONCURRENCY_LIMITS.autoFallback} when Leonardo does not say. Leonardo accepts at most ${CONCURRENCY_LIMITS.createsPerMinute} new generations per minute.`,
			hint: `0 = Auto (your plan's limit); 1 to ${CONCURRENCY_LIMITS.max} = that many at once`,
		},
		{
			displayName: 'Max Spend per Run',
			name: 'maxSpendPerRun',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description:
				'Never create a video that would take this run’s spend above this amount (0 = no limit). The unit is whatever Leonardo reports in each video’s "cost" (credits or dollars). The first video of each model, duration and resolution is created alone and its cost estimates the others; items over the limit fail with an error and nothing is sent for them.',
		},
		{
			displayName: 'Pause Execution',
			name: 'pauseExecution',
			type: 'boolean',
			default: false,
			displayOptions: { show: { '/waitForCompletion': [true] } },
			description:
				'Whether to park the execution in n8n’s Waiting state while Leonardo renders, instead of polling in a running execution: no worker or execution slot is held, and an n8n restart changes nothing. The LTX Video Trigger (published, same credential, its Production URL in the credential’s "Trigger URL", a "Webhook Callback API Key" set) resumes it when Leonardo calls; "Timeout" bounds the wait. Needs "n8n start" (the CLI "n8n execute" cannot wait).',
		},
		pollIntervalOption,
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
		timeoutOption,
	]),
]);
