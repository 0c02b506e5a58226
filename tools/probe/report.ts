/**
 * The probe's findings, question by question: what the node assumes, what Leonardo said (schema,
 * validation answer or live run), whether they agree, and which fallback of the node the answer would
 * let us remove. Rendered as a terminal table, and as a dated "observed" section for the API notes.
 */
import type { ProbeResult } from './run.ts';
import type { SchemaFacts, LtxSlug } from './schema.ts';
import type { ValidationResult } from './validation.ts';
import type { GenerationRun } from './spend.ts';

export type Agreement = 'yes' | 'no' | 'partly' | 'unknown';

export interface Row {
	id: string;
	question: string;
	assumed: string;
	says: string;
	agrees: Agreement;
	/** Where the answer comes from. */
	evidence: 'schema' | 'validation' | 'schema+validation' | 'live' | 'none';
	/** The node's fallback this answer would let us remove or settle. */
	fallback: string;
}

const show = (value: unknown) => (value === undefined ? '—' : JSON.stringify(value));

class Findings {
	readonly result: ProbeResult;
	constructor(result: ProbeResult) {
		this.result = result;
	}

	schema(slug: LtxSlug): SchemaFacts | undefined {
		return this.result.models?.facts[slug];
	}

	/** Whether every listed LTX schema has `key` (undefined without any schema). */
	schemaHasKey(key: string): boolean | undefined {
		const listed = (['ltxv-2.3-pro', 'ltxv-2.3-fast'] as const).map((slug) => this.schema(slug)).filter((facts) => facts !== undefined);
		return listed.length === 0 ? undefined : listed.every((facts) => facts.keys.includes(key));
	}

	get hasSchema(): boolean {
		return this.schema('ltxv-2.3-pro') !== undefined || this.schema('ltxv-2.3-fast') !== undefined;
	}

	/** The same fact read from both schemas, e.g. "pro: x; fast: y" (or one value when they agree). */
	bySchema(read: (facts: SchemaFacts) => unknown): string {
		const pro = this.schema('ltxv-2.3-pro');
		const fast = this.schema('ltxv-2.3-fast');
		if (!pro && !fast) return 'no LTX 2.3 schema';
		const [a, b] = [pro ? show(read(pro)) : 'not listed', fast ? show(read(fast)) : 'not listed'];
		return a === b ? a : `pro ${a}, fast ${b}`;
	}

	probe(id: string): ValidationResult | undefined {
		return this.result.validation?.results.find((result) => result.id === id);
	}

	/** "passed" / "refused" / "inconclusive" / "not sent". */
	verdict(id: string): string {
		return this.probe(id)?.verdict ?? 'not sent';
	}

	verdicts(ids: string[]): string {
		return ids.map((id) => `${id.replace(/^param\./, '')} ${this.verdict(id)}`).join('; ');
	}

	run(kind: GenerationRun['kind']): GenerationRun | undefined {
		return this.result.spend?.find((run) => run.kind === kind);
	}
}

function agreement(checks: Array<boolean | undefined>): Agreement {
	const known = checks.filter((check): check is boolean => check !== undefined);
	if (known.length === 0) return 'unknown';
	if (known.every(Boolean)) return 'yes';
	return known.some(Boolean) ? 'partly' : 'no';
}

/** true for passed, false for refused, undefined otherwise. */
function passed(findings: Findings, id: string): boolean | undefined {
	const verdict = findings.verdict(id);
	if (verdict === 'passed' || verdict === 'created') return true;
	if (verdict === 'refused') return false;
	return undefined;
}

const refusedAsExpected = (findings: Findings, id: string) => (passed(findings, id) === undefined ? undefined : !passed(findings, id));

function evidence(schema: boolean, validation: boolean): Row['evidence'] {
	if (schema && validation) return 'schema+validation';
	if (schema) return 'schema';
	return validation ? 'validation' : 'none';
}

const sameList = (a: unknown, b: readonly unknown[]) =>
	Array.isArray(a) ? a.length === b.length && b.every((value) => a.includes(value)) : undefined;

type RowBuilder = (findings: Findings) => Row;

const ROWS: RowBuilder[] = [
	(f) => {
		return {
			id: 'audio-key',
			question: 'Audio flag: `audio` or `motion_has_audio`? (§7.1)',
			assumed: '`audio` first; a 400 naming it re-sends with `motion_has_audio`',
			says: `schema keys ${f.bySchema((s) => s.audioKeys)}; ${f.verdicts(['param.audio', 'param.motion_has_audio'])}`,
			agrees: agreement([f.schemaHasKey('audio'), passed(f, 'param.audio')]),
			evidence: evidence(f.hasSchema, f.probe('param.audio') !== undefined),
			fallback: 'the audio re-send with the other spelling (adjustDialect, nodes/LtxVideo/helpers/createGeneration.ts)',
		};
	},
	(f) => ({
		id: 'mode',
		question: 'Is `mode` accepted? (§7.2)',
		assumed: 'sent (RESOLUTION_1080/1440/2160); a 400 naming it re-sends without it',
		says: `schema ${f.bySchema((s) => (s.keys.includes('mode') ? (s.properties.mode.enum ?? 'present') : 'absent'))}; mode ${f.verdict('param.mode')}`,
		agrees: agreement([f.schemaHasKey('mode'), passed(f, 'param.mode')]),
		evidence: evidence(f.hasSchema, f.probe('param.mode') !== undefined),
		fallback: 'the re-send without mode (RequestDialect.sendMode, adjustDialect)',
	}),
	(f) => ({
		id: 'seed',
		question: 'Is `seed` accepted, and its type/range? (§7.2)',
		assumed: 'optional integer 0–2147483647, sent only when set; a 400 naming it says "remove the Seed option"',
		says: `schema ${f.bySchema((s) => (s.keys.includes('seed') ? s.properties.seed : 'absent'))}; ${f.verdicts(['param.seed', 'param.seed-over-int32', 'param.seed-string'])}`,
		agrees: agreement([
			f.schemaHasKey('seed'),
			passed(f, 'param.seed'),
			// The range only matters where a seed is accepted at all.
			passed(f, 'param.seed') ? refusedAsExpected(f, 'param.seed-over-int32') : undefined,
		]),
		evidence: evidence(f.hasSchema, f.probe('param.seed') !== undefined),
		fallback: 'the seed-refusal message (createGeneration); SEED_MAX (capabilities.ts)',
	}),
	(f) => ({
		id: 'prompt-enhance-frames',
		question: 'Must `prompt_enhance` be OFF with a start frame? (§7.3)',
		assumed: 'AUTO, ON and OFF all allowed with frames (default AUTO)',
		says: `${f.verdicts(['param.prompt-enhance-off', 'param.prompt-enhance-auto', 'param.prompt-enhance-on'])}${liveImageToVideo(f)}`,
		agrees: agreement([passed(f, 'param.prompt-enhance-auto'), passed(f, 'param.prompt-enhance-on'), imageToVideoAccepted(f)]),
		evidence: f.run('image-to-video') ? 'live' : evidence(false, f.probe('param.prompt-enhance-auto') !== undefined),
		fallback: 'a re-send with prompt_enhance OFF after a refusal with frames (where the node has one)',
	}),
	(f) => ({
		id: 'prompt-enhance-values',
		question: '`prompt_enhance` values',
		assumed: 'AUTO, ON, OFF',
		says: `schema ${f.bySchema((s) => s.properties.prompt_enhance?.enum)}`,
		agrees: agreement(['ltxv-2.3-pro', 'ltxv-2.3-fast'].map((slug) => sameList(f.schema(slug as LtxSlug)?.properties.prompt_enhance?.enum, ['AUTO', 'ON', 'OFF']))),
		evidence: evidence(f.hasSchema, false),
		fallback: 'PROMPT_ENHANCE_MODES (capabilities.ts)',
	}),
	(f) => ({
		id: 'durations',
		question: 'Allowed `duration` per model',
		assumed: 'Pro 6, 8, 10; Fast 6–20 in 2 s steps; default 8',
		says: `schema ${f.bySchema((s) => s.properties.duration)}; ${f.verdicts(['param.duration-7', 'param.pro-12s', 'param.fast-20s-1080'])}`,
		agrees: agreement([
			sameList(f.schema('ltxv-2.3-pro')?.properties.duration?.enum, [6, 8, 10]),
			sameList(f.schema('ltxv-2.3-fast')?.properties.duration?.enum, [6, 8, 10, 12, 14, 16, 18, 20]),
			refusedAsExpected(f, 'param.duration-7'),
			refusedAsExpected(f, 'param.pro-12s'),
			passed(f, 'param.fast-20s-1080'),
		]),
		evidence: evidence(f.hasSchema, f.probe('param.duration-7') !== undefined),
		fallback: 'MODELS durations (capabilities.ts: panel and validation)',
	}),
	(f) => ({
		id: 'fast-long-high-res',
		question: 'Fast above 10 s at 1440p/2160p (§7.6)',
		assumed: 'allowed at every tier',
		says: f.verdicts(['param.fast-20s-1440', 'param.fast-20s-2160']),
		agrees: agreement([passed(f, 'param.fast-20s-1440'), passed(f, 'param.fast-20s-2160')]),
		evidence: evidence(false, f.probe('param.fast-20s-1440') !== undefined),
		fallback: 'none yet: the node offers 12–20 s at every tier and passes Leonardo’s refusal on',
	}),
	(f) => ({
		id: 'sizes',
		question: 'Sizes per tier, 9:16, and 2160p with 1920×1080 (§7.3)',
		assumed: 'native sizes: 1920×1080, 2560×1440, 3840×2160 and the 9:16 swaps',
		says: `schema width ${f.bySchema((s) => s.properties.width?.enum ?? s.properties.width)}; ${f.verdicts([
			'param.portrait-1080',
			'param.size-1440',
			'param.portrait-1440',
			'param.size-2160',
			'param.portrait-2160',
			'param.2160-with-1080-size',
		])}`,
		agrees: agreement([
			...(['ltxv-2.3-pro', 'ltxv-2.3-fast'] as const).map((slug) => {
				const facts = f.schema(slug)?.properties;
				if (!facts?.width?.enum || !facts.height?.enum) return undefined;
				return [1080, 1440, 1920, 2160, 2560, 3840].every((size) => facts.width.enum?.includes(size) && facts.height.enum?.includes(size));
			}),
			...['param.portrait-1080', 'param.size-1440', 'param.portrait-1440', 'param.size-2160', 'param.portrait-2160'].map((id) => passed(f, id)),
		]),
		evidence: evidence(f.hasSchema, f.probe('param.size-1440') !== undefined),
		fallback: 'RESOLUTIONS / ASPECT_RATIOS sizes (capabilities.ts)',
	}),
	(f) => ({
		id: 'size-zero',
		question: 'width/height 0 with a start frame (follow the image)',
		assumed: 'allowed (aspect ratio "Same as Start Frame")',
		says: `schema allows 0: ${f.bySchema((s) => s.sizeZeroAllowed)}; size-zero ${f.verdict('param.size-zero')}`,
		agrees: agreement([
			...(['ltxv-2.3-pro', 'ltxv-2.3-fast'] as const).map((slug) => f.schema(slug)?.sizeZeroAllowed),
			passed(f, 'param.size-zero'),
		]),
		evidence: evidence(f.hasSchema, f.probe('param.size-zero') !== undefined),
		fallback: 'the "source" aspect ratio (capabilities.ts)',
	}),
	(f) => ({
		id: 'prompt-length',
		question: 'Prompt length limit (§7.7)',
		assumed: '5000 characters, checked before sending',
		says: `schema maxLength ${f.bySchema((s) => s.properties.prompt?.maxLength)}; ${f.verdicts(['param.prompt-1501', 'param.prompt-5000', 'param.prompt-5001'])}`,
		agrees: agreement([
			f.hasSchema ? ['ltxv-2.3-pro', 'ltxv-2.3-fast'].every((slug) => [undefined, 5000].includes(f.schema(slug as LtxSlug)?.properties.prompt?.maxLength)) : undefined,
			passed(f, 'param.prompt-5000'),
			refusedAsExpected(f, 'param.prompt-5001'),
		]),
		evidence: evidence(f.hasSchema, f.probe('param.prompt-5000') !== undefined),
		fallback: 'PROMPT_MAX_LENGTH (capabilities.ts)',
	}),
	(f) => ({
		id: 'quantity',
		question: '`quantity`',
		assumed: 'always 1',
		says: `schema ${f.bySchema((s) => s.properties.quantity)}; ${f.verdicts(['param.quantity-1', 'param.quantity-2'])}`,
		agrees: agreement([passed(f, 'param.quantity-1'), refusedAsExpected(f, 'param.quantity-2')]),
		evidence: evidence(f.hasSchema, f.probe('param.quantity-2') !== undefined),
		fallback: 'none (the node always sends 1)',
	}),
	(f) => ({
		id: 'frames',
		question: 'Frame shapes: guidances.start_frame / end_frame',
		assumed: 'arrays of at most 1 {image: {id, type UPLOADED|GENERATED}}; an end frame needs a start frame',
		says: `schema ${f.bySchema((s) => s.frames)}; ${f.verdicts(['param.end-frame-alone', 'param.two-start-frames'])}`,
		agrees: agreement([
			refusedAsExpected(f, 'param.end-frame-alone'),
			refusedAsExpected(f, 'param.two-start-frames'),
			...['ltxv-2.3-pro', 'ltxv-2.3-fast'].map((slug) => {
				const frames = f.schema(slug as LtxSlug)?.frames;
				return frames ? frames.start_frame.present && frames.end_frame.present : undefined;
			}),
		]),
		evidence: evidence(f.hasSchema, f.probe('param.end-frame-alone') !== undefined),
		fallback: 'the end-frame-needs-start check (generateRequest.ts)',
	}),
	(f) => ({
		id: 'envelope',
		question: 'Create envelope: top-level or `{"request": …}` (§7.4)',
		assumed: 'top-level {model, public, parameters}',
		says: `request-wrapper ${f.verdict('envelope.request-wrapper')} (refused = wrapper unknown); top-level reached parameter validation: ${f.probe('anchor')?.namesAnchor ?? '—'}`,
		agrees: agreement([f.probe('anchor') ? f.probe('anchor')?.namesAnchor : undefined]),
		evidence: evidence(false, f.probe('anchor') !== undefined),
		fallback: 'none (the node sends top-level only)',
	}),
	(f) => ({
		id: 'unknown-keys',
		question: 'Are unknown keys and bad values refused by name, next to another issue?',
		assumed: 'yes (schemas say additionalProperties: false); the node’s re-sends rely on the field being named',
		says: `schema additionalProperties ${f.bySchema((s) => s.additionalProperties)}; unknown-key ${f.verdict('param.unknown-key')}; value-control ${f.verdict('param.value-control')}`,
		agrees: agreement([f.result.validation?.validatorNamesUnknownKeys, f.result.validation?.validatorNamesBadValues]),
		evidence: evidence(f.hasSchema, f.probe('param.unknown-key') !== undefined),
		fallback: 'if no: the "passed" of that kind above are reported inconclusive; the node re-sends only after a refusal that names the field',
	}),
	(f) => {
		const results = f.result.validation?.results ?? [];
		const named = results.filter((r) => r.status >= 400 && r.namesField && r.id.startsWith('param.'));
		const nodeChecked = named.filter((r) => r.nodeParser !== undefined);
		const asSent = nodeChecked.filter((r) => r.nodeParser?.findsField).length;
		const multiIssue = nodeChecked.filter((r) => (r.nodeParser?.issues ?? 1) > 1).length;
		const shapes = (layer: 'param.' | 'envelope.') => [...new Set(results.filter((r) => r.id.startsWith(layer) && r.status >= 400).map((r) => r.reading.shape))].join(', ') || '—';
		return {
			id: 'error-shapes',
			question: 'Error shape of a refused create (which parser is right) (§6.1)',
			assumed: 'REST {error,path,code}, GraphQL {errors:[…]} or a bare array; the field from extensions.details.field or the message',
			says:
				`parameters: ${shapes('param.')}; envelope: ${shapes('envelope.')}; ` +
				(nodeChecked.length < named.length
					? 'node parser not loaded (run `npm run build`)'
					: `node parser finds the field in its issue in ${nodeChecked.filter((r) => r.nodeParser?.findsFieldInItsIssue).length}/${nodeChecked.length} refusals naming it, ` +
						`in the whole answer in ${asSent}/${nodeChecked.length} (${multiIssue} list several issues; the node reads the first)`),
			agrees: nodeChecked.length === 0 ? 'unknown' : agreement(nodeChecked.map((r) => r.nodeParser?.findsFieldInItsIssue)),
			evidence: evidence(false, results.length > 0),
			fallback: 'the shapes of parseApiErrorBody / validationErrorNames (errors.ts) never seen',
		};
	},
	(f) => {
		const wrong = f.result.account?.wrongKey;
		const malformed = f.result.account?.malformedKey;
		return {
			id: 'bad-key',
			question: 'Answers to a wrong and to a malformed key (§4)',
			assumed: 'wrong key 401 access-denied; malformed key 500 "Invalid response from authorization hook"',
			says: `wrong ${wrong ? `${wrong.status} ${show(wrong.reading.messages[0])}` : '—'}; malformed ${malformed ? `${malformed.status} ${show(malformed.reading.messages[0])}` : '—'}`,
			agrees: agreement([wrong ? wrong.status === 401 : undefined, malformed ? malformed.status === 500 : undefined]),
			evidence: wrong ? 'live' : 'none',
			fallback: 'the "authorization hook" hint for 500 (fixForStatus)',
		};
	},
	(f) => ({
		id: 'concurrency',
		question: 'Concurrency slots of the key (`apiConcurrencySlots`)',
		assumed: '"Max Concurrent Generations" default 4, up to 20',
		says: show(f.result.account?.apiConcurrencySlots),
		agrees: typeof f.result.account?.apiConcurrencySlots === 'number' ? (f.result.account.apiConcurrencySlots >= 4 ? 'yes' : 'no') : 'unknown',
		evidence: f.result.account ? 'live' : 'none',
		fallback: 'CONCURRENCY_LIMITS.default (capabilities.ts)',
	}),
	(f) => {
		const run = f.run('text-to-video');
		return {
			id: 'create-response',
			question: 'Create answer: where the ID and the cost are (§1.4)',
			assumed: '`generate.generationId`, `generate.cost {amount: string, unit}`; also a top-level generationId',
			says: run?.generationId ? `ID at ${run.create.generationIdAt}; cost ${show(run.cost)}; apiCreditCost ${show(run.apiCreditCost)}` : (run?.stoppedBecause ?? 'not run (needs --spend)'),
			agrees: run?.generationId
				? agreement([run.create.generationIdAt === 'generate.generationId', typeof (run.cost as { amount?: unknown } | undefined)?.amount === 'string'])
				: 'unknown',
			evidence: run?.generationId ? 'live' : 'none',
			fallback: 'readCreateResponse: top-level generationId, numeric amount (responses.ts)',
		};
	},
	(f) => {
		const balance = f.run('text-to-video')?.balance;
		return {
			id: 'balance',
			question: 'Which GET /v1/me field holds the balance, in the unit of `cost`? (§4, "Keep Account Balance Above")',
			assumed: 'apiSubscriptionTokens + apiPaidTokens, in CREDITS, taken at the create; none for a key billed in DOLLARS',
			says: balance ? `${balance.says}; before ${show(balance.before)}, after ${show(balance.after)}` : 'not run (needs --spend)',
			agrees: balance?.verdict === 'holds' ? 'yes' : balance?.verdict === 'does not hold' ? 'no' : 'unknown',
			evidence: balance ? 'live' : 'none',
			fallback: 'the balance reading of Keep Account Balance Above (creditBalance, nodes/LtxVideo/helpers/spendGuard.ts)',
		};
	},
	(f) => {
		const run = f.run('text-to-video');
		const poll = run?.poll;
		return {
			id: 'timing',
			question: 'Time to COMPLETE for Fast, 6 s, 1080p (§7.9)',
			assumed: 'minutes: poll every 5 s, give up after 900 s',
			says: poll?.terminalAfterMs !== undefined ? `${Math.round(poll.terminalAfterMs / 1000)} s, statuses ${poll.statuses.join(' → ')}` : (run?.stoppedBecause ?? 'not run (needs --spend)'),
			agrees: poll?.terminalAfterMs !== undefined ? (poll.terminalAfterMs < 900_000 ? 'yes' : 'no') : 'unknown',
			evidence: poll ? 'live' : 'none',
			fallback: 'POLLING_LIMITS defaults (capabilities.ts)',
		};
	},
	(f) => {
		const poll = f.run('text-to-video')?.poll;
		return {
			id: 'new-id-grace',
			question: '404 / null / 5xx right after a create (§2)',
			assumed: 'counted as "still pending" for 60 s',
			says: poll ? `404 ×${poll.notFound}, null ×${poll.nullRecord}, 5xx ×${poll.serverErrors}, first record after ${poll.firstRecordAfterMs ?? '—'} ms` : 'not run (needs --spend)',
			agrees: poll ? 'yes' : 'unknown',
			evidence: poll ? 'live' : 'none',
			fallback: 'NEW_GENERATION_GRACE_MS (polling.ts): one clean run is weak evidence; keep it unless many runs show none',
		};
	},
	(f) => {
		const fields = f.run('text-to-video')?.fields;
		return {
			id: 'motion-model',
			question: 'The record’s model spelling (`motionModel`)',
			assumed: 'any spelling mapped to the slug; the raw value when it names no LTX 2.3 model',
			says: fields ? `motionModel ${show(fields.motionModel)}, modelId ${show(fields.modelId)}` : 'not run (needs --spend)',
			agrees: fields ? (typeof fields.motionModel === 'string' ? 'yes' : 'no') : 'unknown',
			evidence: fields ? 'live' : 'none',
			fallback: 'the spelling variants mapped to the slug (responses.ts) beyond the one seen',
		};
	},
	(f) => {
		const fields = f.run('text-to-video')?.fields;
		return {
			id: 'record-fields',
			question: 'Record fields: size, seed, outputs (§2)',
			assumed: 'imageWidth/imageHeight, seed, generated_images[0].{id, motionMP4URL (MP4), url (poster)}',
			says: fields
				? `imageWidth ${show(fields.imageWidth)}, imageHeight ${show(fields.imageHeight)}, seed ${show(fields.seed)}, ${fields.generatedImages} output(s) with ${fields.generatedImageKeys.join(', ')}`
				: 'not run (needs --spend)',
			agrees: fields ? agreement([fields.imageWidth === 1920, fields.motionMP4URL, fields.generatedImageKeys.includes('id')]) : 'unknown',
			evidence: fields ? 'live' : 'none',
			fallback: 'videoUrl falling back to `url` when motionMP4URL is null (responses.ts)',
		};
	},
	(f) => {
		const video = f.run('text-to-video')?.video;
		return {
			id: 'cdn',
			question: 'Video links: signed? expiring? (§2)',
			assumed: 'may be signed and expire: a 401/403/404/410 download re-polls for a fresh link',
			says: video
				? `host ${video.host}${video.redirectedTo ? ` (redirects to ${video.redirectedTo})` : ''}, signed ${video.signed} (${video.queryParameters.join(', ') || 'no query'}), expires in ${show(video.expiresInSeconds)} s, HEAD ${show(video.head?.status)}, MP4 ${show(video.isMp4)}, cache-control ${show(video.head?.headers['cache-control'])}`
				: 'not run (needs --spend)',
			agrees: video ? (video.isMp4 ? 'yes' : 'no') : 'unknown',
			evidence: video ? 'live' : 'none',
			fallback: 'the link refresh on 401/403/404/410 (download.ts), if links never expire',
		};
	},
	(f) => {
		const webhook = f.run('text-to-video')?.webhook;
		const deliveries = webhook && 'deliveries' in webhook ? webhook.deliveries : undefined;
		const types = deliveries?.map((d) => (d.body as { type?: unknown } | undefined)?.type);
		const object = (deliveries?.[0]?.body as { data?: { object?: Record<string, unknown> } } | undefined)?.data?.object;
		const outputsKey = object ? ['images', 'generated_images'].find((key) => Array.isArray(object[key])) : undefined;
		const firstOutput = outputsKey ? (object?.[outputsKey] as Array<Record<string, unknown>>)[0] : undefined;
		const asAssumed = deliveries && deliveries.length > 0 ? types?.[0] === 'image_generation.complete' && outputsKey === 'images' && typeof firstOutput?.motionMP4URL === 'string' : undefined;
		return {
			id: 'webhook',
			question: 'Webhook event name and payload for video (§7.10)',
			assumed: 'like image_generation.complete, with images[].motionMP4URL; Bearer <callback key>',
			says: deliveries
				? `${deliveries.length} call(s): type ${show(types)}, outputs under ${show(outputsKey)}, data.object.id ${object && 'id' in object ? 'present' : 'absent'}, motionMP4URL ${show(typeof firstOutput?.motionMP4URL === 'string')}, authorization ${show(deliveries.map((d) => d.authorization))}`
				: webhook && 'notObserved' in webhook
					? webhook.notObserved
					: 'not run (needs --spend)',
			agrees: asAssumed === undefined ? 'unknown' : asAssumed ? 'yes' : 'no',
			evidence: deliveries ? 'live' : 'none',
			fallback: 'the trigger’s payload variants (nodes/LtxVideoTrigger)',
		};
	},
	(f) => {
		const probe = f.run('text-to-video')?.videoIdAsFrame;
		return {
			id: 'video-id-as-frame',
			question: 'A generated video’s ID as a GENERATED frame',
			assumed: 'accepted (the node outputs `videoId` for that use)',
			says: probe ? `${probe.verdict} (HTTP ${probe.status}${probe.reading.messages[0] ? `: ${show(probe.reading.messages[0])}` : ''})` : 'not run (needs --spend)',
			agrees: probe ? (probe.verdict === 'passed' ? 'yes' : probe.verdict === 'refused' ? 'no' : 'unknown') : 'unknown',
			evidence: probe ? 'live' : 'none',
			fallback: 'none: the README marks `videoId` as a frame unverified',
		};
	},
	(f) => ({
		id: 'image-to-video',
		question: 'Image-to-video on Pro: upload used at once, prompt_enhance AUTO',
		assumed: 'usable immediately; AUTO allowed with a frame',
		says: liveImageToVideo(f).replace(/^; /, '') || 'not run (needs --spend --image FILE)',
		agrees: imageToVideoAccepted(f) === undefined ? 'unknown' : imageToVideoAccepted(f) ? 'yes' : 'no',
		evidence: f.run('image-to-video') ? 'live' : 'none',
		fallback: 'a re-send after "invalid init image id" right after an upload (where the node has one)',
	}),
];

function imageToVideoAccepted(f: Findings): boolean | undefined {
	const run = f.run('image-to-video');
	if (!run || run.create.status === 0) return undefined;
	return run.generationId !== undefined;
}

function liveImageToVideo(f: Findings): string {
	const run = f.run('image-to-video');
	if (!run) return '';
	const settle = run.imageSettle?.refusals ? ` after ${run.imageSettle.refusals} "invalid init image" refusal(s), accepted ${run.imageSettle.acceptedAfterMs ?? 'never'} ms after the first try` : '';
	if (run.generationId) return `; live Pro image-to-video with AUTO: created${settle}, ${show(run.fields?.status ?? run.stoppedBecause)}`;
	return `; live Pro image-to-video with AUTO: ${run.stoppedBecause ?? 'not created'} ${show(run.create.reading?.messages[0])}`;
}

export function buildRows(result: ProbeResult): Row[] {
	const findings = new Findings(result);
	return ROWS.map((build) => build(findings));
}

const MARK: Record<Agreement, string> = { yes: 'yes', no: 'NO', partly: 'PARTLY', unknown: '?' };

function wrap(text: string, width: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(' ')) {
		if (line && line.length + 1 + word.length > width) {
			lines.push(line);
			line = word;
		} else line = line ? `${line} ${word}` : word;
	}
	if (line) lines.push(line);
	return lines.length > 0 ? lines : [''];
}

/** A plain-text table for the terminal: question, assumed, says, agrees. */
export function renderTable(rows: Row[]): string {
	const widths = [30, 36, 48, 7];
	const line = (cells: string[]) => {
		const wrapped = cells.map((cell, index) => wrap(cell, widths[index]));
		const height = Math.max(...wrapped.map((lines) => lines.length));
		return Array.from({ length: height }, (_, row) => wrapped.map((lines, index) => (lines[row] ?? '').padEnd(widths[index])).join(' | ').trimEnd()).join('\n');
	};
	const rule = widths.map((width) => '-'.repeat(width)).join('-+-');
	return [line(['Question', 'What we assumed', 'What Leonardo says', 'Agrees?']), rule, ...rows.flatMap((row) => [line([row.question, row.assumed, row.says, MARK[row.agrees]]), rule])].join('\n');
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The dated "observed" section for docs/leonardo-api.md, ready to paste. */
export function renderObservedSection(result: ProbeResult, rows: Row[]): string {
	const date = result.probe.startedAt.slice(0, 10);
	const lines = [
		`## Observed on ${date} (npm run probe)`,
		'',
		`Base URL ${result.probe.baseUrl}${result.probe.officialHost ? '' : ' (NOT the official host: a gateway or an emulator)'}; paid part ${result.probe.spend ? 'run' : 'not run'}. ` +
			'Labels: **OBSERVED** (one live answer on this date and account; not Leonardo’s documentation).',
		'',
		'| Question | Assumed | Observed | Agrees | Evidence | Fallback it settles |',
		'|---|---|---|---|---|---|',
		...rows.map((row) => `| ${cell(row.question)} | ${cell(row.assumed)} | ${cell(row.says)} | ${row.agrees} | ${row.evidence} | ${cell(row.fallback)} |`),
		'',
	];
	const refusals = (result.validation?.results ?? []).filter((r) => r.status >= 400).slice(0, 4);
	if (refusals.length > 0) {
		lines.push('Sample refusals as received (error shapes):', '');
		for (const refusal of refusals) lines.push(`- \`${refusal.id}\` HTTP ${refusal.status} (${refusal.reading.shape}): \`${JSON.stringify(refusal.body).slice(0, 300)}\``);
		lines.push('');
	}
	if (result.validation?.stoppedBecause) lines.push(`Validation part stopped early: ${result.validation.stoppedBecause}.`, '');
	return lines.join('\n');
}
