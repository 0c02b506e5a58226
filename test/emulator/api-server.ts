/** The Leonardo REST API under /api/rest (docs/leonardo-api.md §1–§5), plus the /__emulator control routes. */
import { randomUUID } from 'node:crypto';
import { handleControl, isControlPath } from './control.ts';
import { faultKind } from './faults.ts';
import { EmulatedGeneration, generationWire, readPromptMarkers } from './generation.ts';
import type { JsonObject } from './hasura.ts';
import { checkRequired, checkVariables, invalidJson } from './hasura.ts';
import type { Exchange, ServerApp } from './http.ts';
import { readSmallBody } from './http.ts';
import { costOf, IMAGE_EXTENSIONS } from './ltx.ts';
import { modelsListBody } from './models-list.ts';
import type { BufferedReply, Reply } from './replies.ts';
import { jsonReply, restError } from './replies.ts';
import { presignedPostFields } from './signing.ts';
import type { EmulatorState } from './state.ts';
import { EMULATOR_USER_ID } from './types.ts';
import type { ImageExtension, RouteName, UploadedImage } from './types.ts';
import { isUuid, validateCreateBody } from './validation.ts';

const API_PREFIX = '/api/rest';
const MAX_BODY_BYTES = 1024 * 1024;

/** The request body: absent, parsed JSON, or text that is not JSON. */
export type ApiBody = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'invalid'; text: string } | { kind: 'tooLarge' };

interface ApiCall {
	state: EmulatorState;
	exchange: Exchange;
	body: unknown;
	/** Path parameters captured by the route pattern. */
	params: string[];
}

interface ApiRoute {
	method: string;
	pattern: RegExp;
	route: RouteName;
	handle(call: ApiCall): Reply;
}

// Order matters: the user listing must win over the generation id pattern.
const API_ROUTES: ApiRoute[] = [
	{ method: 'GET', pattern: /^\/v1\/me$/, route: 'me', handle: ({ state }) => getMe(state) },
	{ method: 'GET', pattern: /^\/v2\/models$/, route: 'models', handle: ({ state }) => jsonReply(200, modelsListBody(state.options)) },
	{ method: 'POST', pattern: /^\/v1\/init-image$/, route: 'initImage', handle: createInitImage },
	{ method: 'POST', pattern: /^\/v2\/generations$/, route: 'create', handle: createGeneration },
	{ method: 'GET', pattern: /^\/v1\/generations\/user\/([^/]+)$/, route: 'listByUser', handle: listUserGenerations },
	{ method: 'GET', pattern: /^\/v1\/generations\/([^/]+)$/, route: 'poll', handle: getGeneration },
	{ method: 'DELETE', pattern: /^\/v1\/generations\/([^/]+)$/, route: 'delete', handle: deleteGeneration },
];

export function apiServerApp(state: EmulatorState): ServerApp<ApiBody> {
	return {
		name: 'api',
		classify: (method, path) => (isControlPath(path) ? 'control' : (findRoute(method, path)?.route.route ?? 'unknown')),
		readBody: readApiBody,
		handle: (exchange, body) => handleApiRequest(state, exchange, body),
	};
}

function findRoute(method: string, path: string): { route: ApiRoute; params: string[] } | undefined {
	if (!path.startsWith(`${API_PREFIX}/`)) return undefined;
	const subPath = path.slice(API_PREFIX.length);
	for (const route of API_ROUTES) {
		const match = route.method === method ? route.pattern.exec(subPath) : null;
		if (match) return { route, params: match.slice(1).map(decodeURIComponent) };
	}
	return undefined;
}

async function readApiBody({ req, record }: Exchange): Promise<ApiBody> {
	const { text, tooLarge } = await readSmallBody(req, MAX_BODY_BYTES);
	if (tooLarge) return { kind: 'tooLarge' };
	if (text === '') return { kind: 'none' };
	try {
		const value: unknown = JSON.parse(text);
		record.body = value;
		return { kind: 'json', value };
	} catch {
		record.body = text;
		return { kind: 'invalid', text };
	}
}

function handleApiRequest(state: EmulatorState, exchange: Exchange, body: ApiBody): Reply {
	const { method, path } = exchange.record;
	if (exchange.record.route === 'control') return handleControl(state, exchange, body.kind === 'json' ? body.value : undefined);
	const found = findRoute(method, path);
	if (!found) return restError(404, `no such endpoint: ${method} ${path}`, 'not-found');
	const authError = checkAuthorization(exchange.req.headers.authorization, state.options.apiKey);
	if (authError) return authError;
	if (body.kind === 'tooLarge') return restError(413, 'request body too large', 'bad-request');
	if (method !== 'GET' && method !== 'DELETE' && body.kind !== 'json') return invalidJson();
	return found.route.handle({ state, exchange, body: body.kind === 'json' ? body.value : undefined, params: found.params });
}

/**
 * Bearer auth through Hasura's webhook (§4): the valid key passes; a missing header or an unknown
 * well-formed key is 401; anything that is not a UUID makes the hook itself fail: 500.
 */
function checkAuthorization(header: string | undefined, validKey: string): BufferedReply | undefined {
	const key = /^Bearer (.*)$/i.exec(header ?? '')?.[1];
	if (key === validKey) return undefined;
	if (key && !isUuid(key)) return restError(500, 'Invalid response from authorization hook', 'unexpected');
	return restError(401, 'Authentication hook unauthorized this request', 'access-denied');
}

function getMe(state: EmulatorState): Reply {
	return jsonReply(200, {
		user_details: [
			{
				user: { id: EMULATOR_USER_ID, username: 'emulator-user' },
				tokenRenewalDate: null,
				paidTokens: 0,
				subscriptionTokens: 0,
				subscriptionGptTokens: 0,
				subscriptionModelTokens: 0,
				apiConcurrencySlots: state.options.concurrencySlots || 10,
				...tokenBalance(state),
				apiPlanTokenRenewalDate: null,
			},
		],
	});
}

/** API tokens: the balance when it is kept in CREDITS; 0 otherwise (a dollar balance is shown nowhere, §4 UNKNOWN). */
function tokenBalance({ options: { accountBalance, costUnit } }: EmulatorState): { apiPaidTokens: number; apiSubscriptionTokens: number } {
	const credits = costUnit === 'CREDITS' && accountBalance ? accountBalance : { subscription: 0, paid: 0 };
	return { apiPaidTokens: credits.paid, apiSubscriptionTokens: credits.subscription };
}

function createInitImage({ state, body }: ApiCall): Reply {
	const variablesError = checkVariables(body, ['extension']) ?? checkRequired(body as JsonObject, 'extension', 'string');
	if (variablesError) return variablesError;
	const extension = (body as { extension: string }).extension;
	if (!(IMAGE_EXTENSIONS as string[]).includes(extension)) {
		return restError(400, `invalid file extension "${extension}", expected one of: ${IMAGE_EXTENSIONS.join(', ')}`, 'validation-failed');
	}
	const upload = newUpload(state, extension as ImageExtension);
	state.uploads.set(upload.id, upload);
	return jsonReply(200, {
		uploadInitImage: { id: upload.id, url: `${state.origins.s3}/`, fields: JSON.stringify(upload.fields), key: upload.key },
	});
}

function newUpload(state: EmulatorState, extension: ImageExtension): UploadedImage {
	const id = randomUUID();
	const createdAt = Date.now();
	const expiresAt = createdAt + state.options.presignExpiryMs;
	const key = `users/${EMULATOR_USER_ID}/initImages/${id}.${extension}`;
	const fields = presignedPostFields(state.secret, key, extension, expiresAt);
	return { id, extension, key, createdAt, expiresAt, fields, uploaded: false, receivedBytes: 0, magicMatches: null };
}

/** 429 as Hasura's REST layer would word it; Retry-After only when the option says so (none is promised). */
function tooManyRequests(state: EmulatorState, message: string, retryAfterSeconds: number): BufferedReply {
	const headers: Record<string, string> = state.options.retryAfterHeader ? { 'retry-after': String(retryAfterSeconds) } : {};
	return jsonReply(429, { error: message, path: '$', code: 'rate-limited' }, headers);
}

function createGeneration({ state, exchange, body }: ApiCall): Reply {
	const now = Date.now();
	const rate = state.createLimiter.admit(now, state.options.createRatePerMinute);
	if (!rate.admitted) return tooManyRequests(state, 'Too many requests, please slow down', rate.retryAfterSeconds);
	const validation = validateCreateBody(body, {
		audioField: state.options.audioField,
		rejectParameters: state.options.rejectParameters,
		shape: state.options.validationErrorShape,
		refuse: state.options.refuse,
		frameProblem: (frame) => state.frameProblem(frame),
	});
	if (!validation.ok) return validation.reply;
	const slot = state.slotFor(now);
	if (slot === 'refused') return tooManyRequests(state, 'Concurrency limit reached: wait for a running generation to finish', 5);
	const { params } = validation;
	const { costUnit, costPerSecond } = state.options;
	const price = costOf(params.model, params.mode, params.durationSeconds, { unit: costUnit, perSecond: costPerSecond });
	if (!state.charge(Number(price))) {
		// The real refusal is UNKNOWN (§6.2): this reading, a 400 that creates nothing, is documented in README.md.
		return restError(400, `Not enough API balance for this generation (it costs ${price} ${costUnit})`, 'unexpected');
	}
	const markers = readPromptMarkers(params.prompt);
	const corruptFrame = state.usesCorruptUpload([params.startFrame, params.endFrame]);
	const generation = new EmulatedGeneration({
		request: body,
		params,
		createdAt: now,
		startsAt: slot,
		delayMs: markers.delayMs ?? state.options.generationDelayMs,
		outcome: corruptFrame ? 'failed' : (markers.outcome ?? 'complete'),
		videoBytes: markers.videoBytes,
		createdDuringFault: exchange.fault ? faultKind(exchange.fault) : undefined,
		sparse: state.options.sparseRecords,
		cost: price,
	});
	state.generations.set(generation.id, generation);
	for (const frame of [params.startFrame, params.endFrame]) {
		const upload = frame?.type === 'UPLOADED' ? state.uploads.get(frame.id) : undefined;
		if (upload) upload.usedBy = [...(upload.usedBy ?? []), generation.id];
	}
	const cost = state.options.sparseRecords || !state.options.reportCost ? {} : { apiCreditCost: 0, cost: { amount: generation.cost, unit: costUnit } };
	return jsonReply(200, { generate: { generationId: generation.id, ...cost } });
}

/** Ids are Postgres uuids: anything else fails in the database layer, as Hasura reports it. */
function invalidUuid(id: string): BufferedReply {
	return restError(400, `invalid input syntax for type uuid: "${id}"`, 'data-exception');
}

function getGeneration({ state, params: [id] }: ApiCall): Reply {
	if (!isUuid(id)) return invalidUuid(id);
	const generation = state.generations.get(id);
	const lag = state.webhooks.laggingRead(id);
	if (lag === 'null') return jsonReply(200, { generations_by_pk: null });
	const lagging = lag === 'pending' ? (generation ? wire(state, generation) : state.webhooks.imageGeneration(id)) : undefined;
	if (lagging) return jsonReply(200, { generations_by_pk: { ...lagging, status: 'PENDING', generated_images: [] } });
	const fresh = generation && state.freshReadAnswer(generation);
	if (fresh === 'not-found') return restError(404, 'not found', 'not-found');
	if (fresh === 'server-error') return restError(500, 'Service Error', 'unexpected');
	if (generation && fresh !== 'null') return jsonReply(200, { generations_by_pk: wire(state, generation) });
	return jsonReply(200, { generations_by_pk: generation ? null : (state.webhooks.imageGeneration(id) ?? null) });
}

function deleteGeneration({ state, params: [id] }: ApiCall): Reply {
	if (!isUuid(id)) return invalidUuid(id);
	const existed = state.generations.delete(id);
	return jsonReply(200, { delete_generations_by_pk: existed ? { id } : null });
}

function listUserGenerations({ state, exchange, params: [userId] }: ApiCall): Reply {
	if (!isUuid(userId)) return invalidUuid(userId);
	const offset = readPagingNumber(exchange.record.query.offset, 0);
	const limit = readPagingNumber(exchange.record.query.limit, 10);
	if (offset === undefined || limit === undefined) {
		return restError(400, 'expected an integer >= 0 for the "offset" and "limit" query parameters', 'validation-failed');
	}
	// Newest first; reversed insertion order first, so jobs created in the same millisecond stay newest first.
	const owned = userId === EMULATOR_USER_ID ? [...state.generations.values()].reverse() : [];
	const page = owned.sort((a, b) => b.createdAt - a.createdAt).slice(offset, offset + limit);
	return jsonReply(200, { generations: page.map((generation) => wire(state, generation)) });
}

function readPagingNumber(text: string | undefined, fallback: number): number | undefined {
	if (text === undefined) return fallback;
	return /^\d+$/.test(text) ? Number(text) : undefined;
}

function wire(state: EmulatorState, generation: EmulatedGeneration): Record<string, unknown> {
	return generationWire(generation, state.outputLinks(generation), state.options.motionModelSpelling);
}
