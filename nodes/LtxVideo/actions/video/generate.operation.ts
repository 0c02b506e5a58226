/** Generate: checks every item (frames included) before any request, then makes, waits for and downloads each video. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { CONCURRENCY_LIMITS, DEFAULT_ASPECT_RATIO, DEFAULT_PROMPT_ENHANCE, DEFAULT_RESOLUTION } from '../../../shared/capabilities';
import { downloadGenerationFiles } from '../../../shared/download';
import { InvalidInputError } from '../../../shared/errors';
import { generationJson, type KnownRequestFacts, submittedJson } from '../../../shared/output';
import type { AccountDetails } from '../../../shared/responses';
import { type OutputSettings, validateMaxConcurrency, validateOutputSettings, validateWaitSettings, type WaitSettings } from '../../../shared/validation';
import type { ItemRun } from '../../helpers/batchRunner';
import { checkBinaryFrame } from '../../helpers/binaryFrames';
import { CreatedGenerations } from '../../helpers/createdGenerations';
import { fetchAccount } from '../../helpers/endpoints';
import { DEFAULT_DIALECT } from '../../helpers/createGeneration';
import { type FrameInput, type RawFrameParameters, validateGenerateRequest } from '../../helpers/generateRequest';
import { FrameLinks } from '../../helpers/frameLinks';
import { type MakeInput, makeGeneration, type MakeSession, noteResumed } from '../../helpers/makeGeneration';
import { checkPauseReady, parkOrFinish, type PauseSettings, validatePauseExecution } from '../../helpers/pause';
import { waitForVideo } from '../../helpers/polling';
import { RateLimiter } from '../../helpers/rateLimiter';
import { SpendGuard, validateSpendLimits } from '../../helpers/spendGuard';
import { FrameUploads } from '../../helpers/upload';

interface CheckedGenerate extends MakeInput {
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
 * created: an item an earlier try already sent (see makeGeneration.ts) is resumed without them, so a link that
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
	const checked = {
		request,
		waitForCompletion,
		wait: validateWaitSettings(options),
		output: validateOutputSettings(options),
		spendLimits: validateSpendLimits(options),
	};
	if (created.find(itemIndex)) return { ...checked, images: {} };
	return {
		...checked,
		images: {
			start: await checkFrame(ctx, links, itemIndex, request.startFrame, 'Start Frame', allowPrivateLinks),
			end: await checkFrame(ctx, links, itemIndex, request.endFrame, 'End Frame', allowPrivateLinks),
		},
	};
}

/** Auto: `min(apiConcurrencySlots, 20)` from GET /v1/me, read once per execution; 4 when it says nothing. */
async function planConcurrency(ctx: IExecuteFunctions, readAccount: () => Promise<AccountDetails>): Promise<number> {
	let slots: number | undefined;
	try {
		slots = (await readAccount()).apiConcurrencySlots;
	} catch {
		// Reported below as the fallback; a key or network problem surfaces on the create itself.
	}
	const chosen = slots !== undefined && Number.isInteger(slots) && slots >= 1 ? Math.min(slots, CONCURRENCY_LIMITS.max) : CONCURRENCY_LIMITS.autoFallback;
	ctx.logger.info(`LTX Video: Max Concurrent Generations Auto = ${chosen} (API concurrency slots: ${slots ?? 'not reported'})`);
	return chosen;
}

export function generateRun(ctx: IExecuteFunctions, baseUrl: string): ItemRun<CheckedGenerate> {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	// GET /v1/me at most once per run, for Auto concurrency and the balance floor alike.
	let account: Promise<AccountDetails> | undefined;
	const readAccount = async () => await (account ??= fetchAccount(ctx, { baseUrl, signal: ctx.getExecutionCancelSignal() }));
	const created = CreatedGenerations.open(ctx);
	const session: MakeSession & { pollLimiter: RateLimiter } = {
		baseUrl,
		dialect: { ...DEFAULT_DIALECT },
		createLimiter: new RateLimiter(CONCURRENCY_LIMITS.createsPerMinute, 60_000),
		// At most 10 status requests per second per execution (600/min, under a third of Leonardo's
		// 2000 requests/min per account), however many items are in flight.
		// A burst of up to 10 is allowed, so items that finish together are all noticed at once.
		pollLimiter: new RateLimiter(10, 1000),
		frameUploads: new FrameUploads(ctx),
		spendGuard: new SpendGuard(readAccount, created.entries()),
	};
	const concurrency = validateMaxConcurrency(options.maxConcurrency);
	const links = new FrameLinks(ctx);
	// Pause Execution (pause.ts) is a node-level mode: read from the first item, checked once before any create.
	const pauseExecution = validatePauseExecution(options.pauseExecution);
	let pauseReady: Promise<PauseSettings> | undefined;
	const parkedOutputs: Array<OutputSettings | undefined> = [];
	return {
		concurrency: concurrency === 'auto' ? async () => await planConcurrency(ctx, readAccount) : concurrency,
		check: async (itemIndex) => {
			if (pauseExecution) await (pauseReady ??= checkPauseReady(ctx, validateWaitSettings(options).timeoutMs));
			return await check(ctx, links, created, itemIndex);
		},
		finish: pauseExecution ? async (items) => await parkOrFinish(ctx, await pauseReady!, baseUrl, items, parkedOutputs) : undefined,
		run: async (checked, itemIndex, progress, { cancel, stopNew }): Promise<INodeExecutionData> => {
			const { request } = checked;
			const made = await makeGeneration(ctx, session, checked, { itemIndex, progress, cancel, stopNew }, created);
			const { generationId, cost, width, height, notices = [] } = made;
			// The run's spend up to and including this video (same unit as `cost`).
			const spentThisRun = session.spendGuard.total;
			const notice = (more?: string) => {
				const all = more ? [...notices, more] : notices;
				return all.length > 0 ? { notice: all.join(' ') } : {};
			};
			progress.generationId = generationId;

			// A resumed generation whose request changed since: what was sent, not the current values.
			const sent = made.resumed?.requestChanged ? { model: made.model, seed: made.seed } : { model: request.model, prompt: request.prompt, seed: request.seed };
			const facts: KnownRequestFacts = { ...sent, width, height, cost };
			if (pauseExecution && checked.waitForCompletion) parkedOutputs[itemIndex] = checked.output;
			if (!checked.waitForCompletion || pauseExecution) return { json: { ...submittedJson(generationId, facts), spentThisRun, ...notice() } };

			const record = await waitForVideo(
				ctx,
				{ generationId, itemIndex, baseUrl, signal: cancel, pollLimiter: session.pollLimiter },
				checked.wait,
			).catch((error: unknown) => {
				throw made.resumed ? noteResumed(error, generationId) : error;
			});
			progress.videoUrl = record.videoUrl;
			const json = { ...generationJson(record, facts), spentThisRun };
			// After another item's failure the node outputs nothing: the error names this video's link instead.
			if (stopNew.aborted) return { json: { ...json, ...notice() } };
			const files = await downloadGenerationFiles(ctx, record, checked.output, { itemIndex, signal: cancel, baseUrl });
			return { json: { ...json, ...notice(files.notice) }, ...(files.binary ? { binary: files.binary } : {}) };
		},
	};
}
