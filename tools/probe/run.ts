/**
 * `npm run probe`: the free part (GET /v1/me, GET /v2/models, the bad-key answers), the
 * validation-only part, and with `--spend` the paid part; then one result object, redacted.
 */
import { randomUUID } from 'node:crypto';

import { ApiClient, redact } from './http.ts';
import { readErrorBody, type ErrorReading } from './errors.ts';
import { LTX_SLUGS, readModelsListing, readSchemaFacts, type LtxSlug, type ModelsListing, type SchemaFacts } from './schema.ts';
import { runValidationProbes, type NodeErrorParser, type ValidationRun } from './validation.ts';
import { ESTIMATE_PER_VIDEO_USD, runSpend, type GenerationRun } from './spend.ts';
import { WebhookReceiver, type WebhookDelivery } from './webhook.ts';
import { buildRows, type Row } from './report.ts';

export const OFFICIAL_BASE_URL = 'https://cloud.leonardo.ai/api/rest';

export interface ProbeOptions {
	apiKey: string;
	baseUrl: string;
	spend: boolean;
	imageFile?: string;
	/** Skip the validation-only part (it sends about 30 refused creates). */
	skipValidation: boolean;
	pollIntervalMs: number;
	timeoutMs: number;
	webhookPort?: number;
	webhookHost: string;
	webhookWaitMs: number;
	/** The key's Webhook Callback API Key, to check the authorization of webhook calls (never printed). */
	webhookCallbackKey?: string;
	/** The node's errors module: its parser is checked against the answers; its redaction is used on everything. */
	nodeParser: NodeErrorParser;
}

interface KeyAnswer {
	status: number;
	reading: ErrorReading;
	body: unknown;
}

export interface ProbeResult {
	probe: { version: 1; startedAt: string; finishedAt?: string; baseUrl: string; officialHost: boolean; spend: boolean; image: boolean; nodeParserLoaded: boolean };
	account?: {
		status: number;
		keyWorks: boolean;
		apiConcurrencySlots?: unknown;
		/** The balance-like fields of user_details[0] (names and values; no user id or name). */
		balances?: Record<string, unknown>;
		body?: unknown;
		wrongKey?: KeyAnswer;
		malformedKey?: KeyAnswer;
	};
	models?: {
		status: number;
		bytes?: number;
		modelCount?: number;
		found: Partial<Record<LtxSlug, { id?: string; name?: string; parametersWasString: boolean }>>;
		otherLtxNames: string[];
		facts: Partial<Record<LtxSlug, SchemaFacts>>;
		/** The LTX entries' parameter schemas as received. */
		schemas: Partial<Record<LtxSlug, unknown>>;
		error?: unknown;
	};
	validation?: ValidationRun;
	spend?: GenerationRun[];
	/** Every webhook call received while the probe listened (also ones for other generations). */
	webhookDeliveries?: WebhookDelivery[];
	costEstimateUsd?: number;
	rows: Row[];
	/** Why the probe stopped before the end, if it did. */
	stoppedBecause?: string;
}

/** The base URL without credentials or query (a gateway URL could carry a token). */
function safeBaseUrl(baseUrl: string): string {
	const url = new URL(baseUrl);
	return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

async function probeAccount(client: ApiClient, result: ProbeResult): Promise<string | undefined> {
	const me = await client.call('GET', '/v1/me');
	const details = (me.body as { user_details?: Array<Record<string, unknown>> } | undefined)?.user_details?.[0];
	result.account = { status: me.status, keyWorks: me.status === 200 && details !== undefined };
	if (details) {
		result.account.apiConcurrencySlots = details.apiConcurrencySlots;
		result.account.balances = Object.fromEntries(Object.entries(details).filter(([name]) => /token|credit|balance|dollar|renewal/i.test(name)));
	} else result.account.body = me.body ?? me.networkError;
	// Two made-up keys, never real ones: a well-formed UUID and a malformed string.
	for (const [field, key] of [['wrongKey', randomUUID()], ['malformedKey', 'not-a-leonardo-key']] as const) {
		const answer = await client.call('GET', '/v1/me', undefined, key);
		result.account[field] = { status: answer.status, reading: readErrorBody(answer.body), body: answer.body ?? answer.networkError };
	}
	const user = details?.user as { id?: unknown } | undefined;
	return result.account.keyWorks ? (typeof user?.id === 'string' ? user.id : '') : undefined;
}

async function probeModels(client: ApiClient, result: ProbeResult): Promise<void> {
	const answer = await client.call('GET', '/v2/models');
	const listing: ModelsListing = answer.status === 200 ? readModelsListing(answer.body) : { entries: {}, otherLtxNames: [] };
	const models: NonNullable<ProbeResult['models']> = {
		status: answer.status,
		bytes: answer.body === undefined ? undefined : JSON.stringify(answer.body).length,
		modelCount: listing.modelCount,
		found: {},
		otherLtxNames: listing.otherLtxNames,
		facts: {},
		schemas: {},
	};
	if (answer.status !== 200) models.error = answer.body ?? answer.networkError;
	for (const slug of LTX_SLUGS) {
		const entry = listing.entries[slug];
		if (!entry) continue;
		models.found[slug] = { id: entry.id, name: entry.name, parametersWasString: entry.parametersWasString };
		models.schemas[slug] = entry.parameters;
		if (entry.parameters) models.facts[slug] = readSchemaFacts(entry.parameters);
	}
	result.models = models;
}

/** What the paid create should send, from what the free part learnt (schema first, then validation). */
function spendChoices(result: ProbeResult): { audioKey?: string; sendMode: boolean; sendSeed: boolean } {
	const verdict = (id: string) => result.validation?.results.find((r) => r.id === id)?.verdict;
	const fast = result.models?.facts['ltxv-2.3-fast'];
	const accepted = (key: string, probe: string) => verdict(probe) === 'passed' || (verdict(probe) !== 'refused' && (fast ? fast.keys.includes(key) : true));
	const audioKey = ['audio', 'motion_has_audio'].find((key) => accepted(key, `param.${key}`));
	return { audioKey, sendMode: accepted('mode', 'param.mode'), sendSeed: accepted('seed', 'param.seed') };
}

export async function runProbe(options: ProbeOptions, say: (line: string) => void): Promise<ProbeResult> {
	const secrets = [options.apiKey, options.webhookCallbackKey ?? ''];
	const tell = (line: string) => say(redact(line, secrets, options.nodeParser.redactSecrets));
	const client = new ApiClient(options.baseUrl, options.apiKey);
	const baseUrl = safeBaseUrl(options.baseUrl);
	const result: ProbeResult = {
		probe: {
			version: 1,
			startedAt: new Date().toISOString(),
			baseUrl,
			officialHost: baseUrl === OFFICIAL_BASE_URL,
			spend: options.spend,
			image: options.imageFile !== undefined,
			nodeParserLoaded: options.nodeParser !== undefined,
		},
		rows: [],
	};
	const finish = () => {
		result.probe.finishedAt = new Date().toISOString();
		result.rows = buildRows(result);
		return redact(result, secrets, options.nodeParser.redactSecrets);
	};

	tell('Free part: GET /v1/me, GET /v2/models');
	const userId = await probeAccount(client, result);
	if (userId === undefined) {
		result.stoppedBecause = `GET /v1/me answered ${result.account?.status || 'nothing'}: the key does not work here, nothing else was sent`;
		tell(result.stoppedBecause);
		return finish();
	}
	tell(`  key works; apiConcurrencySlots ${JSON.stringify(result.account?.apiConcurrencySlots)}`);
	await probeModels(client, result);
	tell(`  /v2/models: HTTP ${result.models?.status}, ${result.models?.modelCount ?? '?'} models, LTX 2.3 found: ${Object.keys(result.models?.found ?? {}).join(', ') || 'none'}`);

	if (!options.skipValidation) {
		tell('Validation-only part (refused creates: an anchor frame that does not exist)');
		result.validation = await runValidationProbes(client, options.nodeParser, tell);
		if (result.validation.stoppedBecause) tell(`  stopped: ${result.validation.stoppedBecause}`);
	}

	const created = result.validation?.results.some((r) => r.verdict === 'created');
	if (options.spend && created) {
		result.stoppedBecause = 'a validation probe was answered 2xx: the paid part was not run';
	} else if (options.spend) {
		const videos = options.imageFile ? 2 : 1;
		result.costEstimateUsd = ESTIMATE_PER_VIDEO_USD * videos;
		tell(
			`Paid part: ${options.imageFile ? 'one LTX 2.3 Fast text-to-video and one Pro image-to-video' : 'one LTX 2.3 Fast video'}, 6 s, 1080p. Leonardo publishes no LTX price; at fal.ai's rates this costs at most about $${result.costEstimateUsd.toFixed(2)}. A create that gets an answer other than a refusal is never sent again.`,
		);
		let receiver: WebhookReceiver | undefined;
		if (options.webhookPort !== undefined) {
			receiver = new WebhookReceiver(options.webhookCallbackKey);
			const port = await receiver.listen(options.webhookPort, options.webhookHost);
			tell(`  webhook receiver on http://${options.webhookHost}:${port}/ (point the key's https webhook URL here through a tunnel)`);
		}
		try {
			result.spend = await runSpend(
				client,
				{
					...spendChoices(result),
					userId: userId || undefined,
					pollIntervalMs: options.pollIntervalMs,
					timeoutMs: options.timeoutMs,
					imageFile: options.imageFile,
					webhook: receiver,
					webhookWaitMs: options.webhookWaitMs,
				},
				tell,
			);
		} finally {
			if (receiver) {
				result.webhookDeliveries = receiver.deliveries;
				await receiver.close();
			}
		}
	}
	return finish();
}
