/** Shared set-up for engine tests: one emulator per test file, reset between tests. */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { DEFAULT_OPTIONS, LeonardoEmulator } from '../emulator/index.ts';
import type { EmulatorOptions, RecordedRequest } from '../emulator/types.ts';
import { removeBinaryStore, runLtxNode, type RunOptions, type RunResult } from './engine';

export const IMAGE_ID = '0a1b2c3d-4e5f-6789-abcd-ef0123456789';

/**
 * Restored before each test: the switches a test may turn on. The unkind defaults stay as they are
 * (schema-style validation errors, 429s without Retry-After, 404/null/500 on a new generation's first read).
 */
const SWITCHES_OFF = {
	refuse: [],
	initImageSettleMs: 0,
	sparseRecords: false,
	reportCost: true,
	costUnit: 'DOLLARS',
	costPerSecond: {},
	accountBalance: null,
	concurrencySlots: 0,
	beyondSlots: 'queue',
	validationErrorShape: DEFAULT_OPTIONS.validationErrorShape,
	retryAfterHeader: DEFAULT_OPTIONS.retryAfterHeader,
	freshReadWindowMs: DEFAULT_OPTIONS.freshReadWindowMs,
	posterVariant: DEFAULT_OPTIONS.posterVariant,
} satisfies Partial<EmulatorOptions>;

export function useEmulator(options: ConstructorParameters<typeof LeonardoEmulator>[0] = {}) {
	const emulator = new LeonardoEmulator({ generationDelayMs: 300, quiet: true, ...options });
	beforeAll(async () => await emulator.start());
	afterAll(async () => {
		await emulator.stop();
		removeBinaryStore();
	});
	let generationsBefore = new Set<string>();
	beforeEach(() => {
		generationsBefore = new Set(emulator.generations.keys());
		emulator.clearRequests();
		emulator.clearFaults();
		emulator.setOptions({ ...SWITCHES_OFF, generationDelayMs: 300, audioField: 'both', rejectParameters: [], motionModelSpelling: 'enum', ...options });
	});

	const run = async (parameters: INodeParameters, extra: Partial<RunOptions> = {}): Promise<RunResult> =>
		await runLtxNode({ parameters, credentials: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl }, ...extra });

	const requests = (route?: RecordedRequest['route']) => emulator.requests.filter((request) => !route || request.route === route);

	/** IDs of the generations the emulator created (and would bill) during the current test. */
	const createdGenerations = () => [...emulator.generations.keys()].filter((id) => !generationsBefore.has(id));

	return { emulator, run, requests, createdGenerations };
}

/** Generate parameters as a saved workflow holds them, with fast polling for tests. */
export const generate = (overrides: INodeParameters = {}, options: IDataObject = {}): INodeParameters => ({
	resource: 'video',
	operation: 'generate',
	model: 'ltxv-2.3-pro',
	prompt: 'A paper boat drifts down a rainy street',
	duration: 8,
	...overrides,
	options: { pollInterval: 1, ...options },
});

/** Everything a user can see of a run: output JSON, error texts. Used to prove the key never leaks. */
export function visibleText(result: RunResult): string {
	const { error } = result;
	return JSON.stringify({
		items: result.items.map((item) => ({ json: item.json, binary: item.binary })),
		error: error && { message: error.message, description: error.description, context: error.context, stack: error.stack },
	});
}
