/**
 * Set-up shared by the E2E test files: the emulator, a real n8n with this package installed and the
 * examples' credential pointing at the emulator, and a scratch folder the workflows may write to.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { type EmulatorProcess, type RecordedRequest, startEmulator } from './emulator-process.ts';
import type { Workflow } from './examples.ts';
import { type ExecutionResult, N8nInstance, type OutputItem, type PackageSource, type RestSession } from './n8n-instance.ts';
import { CREDENTIAL_TYPE, EXAMPLE_CREDENTIAL, FIXTURES_DIR, NODE_TYPE } from './project.ts';

export interface E2eWorld {
	emulator: EmulatorProcess;
	n8n: N8nInstance;
	/** n8n's `~/.n8n-files` (the examples' `.n8n-files`, HOME being a scratch folder); holds start-frame.png. */
	filesDir: string;
	dispose(): Promise<void>;
}

/**
 * Starts the emulator and prepares n8n (not started: `n8n execute` runs in its own process). n8n gets the
 * run's installation of the package (see N8nInstance's PackageSource) unless `packageSource` says otherwise.
 */
export async function createWorld(
	options: { emulatorDelayMs?: number; emulatorImagesHost?: string; packageSource?: PackageSource; webhookCallbackApiKey?: string } = {},
): Promise<E2eWorld> {
	const scratch = mkdtempSync(path.join(tmpdir(), 'ltx-e2e-'));
	const emulator = await startEmulator({ delayMs: options.emulatorDelayMs, imagesHost: options.emulatorImagesHost });
	try {
		// LTX_E2E_PACKAGE_DIR: run against another build of the package than this clone's.
		const n8n = await N8nInstance.create({
			parentDir: scratch,
			packageSource: options.packageSource,
			packageDir: process.env.LTX_E2E_PACKAGE_DIR,
		});
		const filesDir = n8n.filesDir;
		copyFileSync(path.join(FIXTURES_DIR, 'frame.png'), path.join(filesDir, 'start-frame.png'));
		const webhookSecret = options.webhookCallbackApiKey ? { webhookCallbackApiKey: options.webhookCallbackApiKey } : {};
		await n8n.importCredentials([{ ...EXAMPLE_CREDENTIAL, data: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, ...webhookSecret } }]);
		return {
			emulator,
			n8n,
			filesDir,
			dispose: async () => {
				await Promise.allSettled([n8n.stop(), emulator.stop()]);
				rmSync(scratch, { recursive: true, force: true });
			},
		};
	} catch (error) {
		await emulator.stop();
		rmSync(scratch, { recursive: true, force: true });
		throw error;
	}
}

/** A world whose n8n runs (`n8n start`) with `workflows` imported, and the owner's REST session. */
export async function startedWorld(workflows: object[]): Promise<{ world: E2eWorld; session: RestSession }> {
	const world = await createWorld();
	try {
		await world.n8n.importWorkflows(workflows);
		await world.n8n.start();
		return { world, session: await world.n8n.setupOwner() };
	} catch (error) {
		await world.dispose();
		throw error;
	}
}

/**
 * The JSON bodies of the node's accepted POST /v2/generations requests, in order. The emulator accepts one
 * audio spelling per start (alternating), so each run of an LTX Video node (the spelling is learned per node
 * run) may also hold one refused create (400, nothing made) before the node switched spellings; those are
 * checked here and left out. `nodeRuns`: how many LTX Video node runs that create the requests cover.
 */
export function createBodies(
	requests: RecordedRequest[],
	nodeRuns = 1,
): Array<{ model: string; public: boolean; parameters: Record<string, unknown> }> {
	const creates = requests.filter((request) => request.route === 'create');
	const refused = creates.filter((request) => request.status !== 200);
	for (const request of refused) expect(request.status).toBe(400);
	expect(refused.length).toBeLessThanOrEqual(nodeRuns);
	return creates.filter((request) => request.status === 200).map((request) => request.body as never);
}

/** An MP4 file begins with an `ftyp` box: 4 bytes of size, then the type. */
export function readMp4Header(file: string): { bytes: number; boxType: string } {
	const content = readFileSync(file);
	return { bytes: content.length, boxType: content.subarray(4, 8).toString('latin1') };
}

/** `n8n execute --id`, failing the test with n8n's own error and output when the workflow did not finish. */
export async function executeOrThrow(n8n: N8nInstance, id: string): Promise<ExecutionResult> {
	const result = await n8n.execute(id);
	const failure = result.run?.data.resultData.error;
	if (result.exitCode !== 0 || failure) {
		throw new Error(`n8n execute --id=${id} failed (exit ${result.exitCode}): ${failure?.message ?? ''}\n${result.stderr.slice(-2000)}`);
	}
	return result;
}

/** Items a node output on its main output in its last (or given) run. */
export function outputOf(result: ExecutionResult, nodeName: string, run = -1): OutputItem[] {
	const runs = result.run?.data.resultData.runData[nodeName];
	if (!runs?.length) throw new Error(`node "${nodeName}" did not run`);
	return runs.at(run)?.data?.main[0] ?? [];
}

/** n8n's record of a binary in an output item (1.x has no `bytes`). */
export type BinaryMetadata = { fileSize?: string; bytes?: number };

/** `fileSize` as n8n writes it (its pretty-bytes: powers of 1000, three significant digits). */
export function prettyBytes(bytes: number): string {
	const units = ['B', 'kB', 'MB', 'GB', 'TB'];
	const exponent = bytes < 1 ? 0 : Math.min(Math.floor(Math.log10(bytes) / 3), units.length - 1);
	return `${Number((bytes / 1000 ** exponent).toPrecision(3))} ${units[exponent]}`;
}

/** Manual Trigger → LTX Video (Generate, Fast, 6 s) with `prompt`, its credential `credential`. */
export function oneVideoWorkflow(options: { id: string; name: string; prompt: string; credential: { id: string; name: string } }): Workflow {
	return {
		id: options.id,
		name: options.name,
		nodes: [
			{ id: 'a0000000-0000-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'a0000000-0000-4000-8000-000000000002',
				name: 'LTX Video',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [240, 0],
				parameters: { resource: 'video', operation: 'generate', model: 'ltxv-2.3-fast', prompt: options.prompt, duration: 6 },
				credentials: { [CREDENTIAL_TYPE]: options.credential },
			},
		],
		connections: { Start: { main: [[{ node: 'LTX Video', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		// n8n 1.x refuses a workflow without it (2.x derives it from the published version).
		active: false,
	};
}

/** A node of a test workflow placed at `x` on one row; its ID is the workflow's ID and `x` (unique per workflow). */
export function nodeOnRow(workflowId: string) {
	return (name: string, type: string, typeVersion: number, x: number, parameters: object, extra: object = {}) => ({
		id: `${workflowId}-${x}`,
		name,
		type,
		typeVersion,
		position: [x, 0],
		parameters,
		...extra,
	});
}

/**
 * Manual Trigger → a Set node with `items` → Split Out → LTX Video (named "LTX Video") with `ltxParameters`
 * on top of a Generate with Fast, 6 s: the shape of a sheet or list feeding the node one item per row.
 */
export function itemsIntoLtxWorkflow(options: { id: string; name: string; items: object[]; ltxParameters: object }) {
	const node = nodeOnRow(options.id);
	const credentials = { [CREDENTIAL_TYPE]: { id: EXAMPLE_CREDENTIAL.id, name: EXAMPLE_CREDENTIAL.name } };
	const generate = { resource: 'video', operation: 'generate', model: 'ltxv-2.3-fast', duration: 6 };
	return {
		id: options.id,
		name: options.name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, 0, {}),
			node('Rows', 'n8n-nodes-base.set', 3.4, 200, { mode: 'raw', jsonOutput: JSON.stringify({ rows: options.items }), options: {} }),
			node('One item per row', 'n8n-nodes-base.splitOut', 1, 400, { fieldToSplitOut: 'rows', options: {} }),
			node('LTX Video', NODE_TYPE, 1, 600, { ...generate, ...options.ltxParameters }, { credentials }),
		],
		connections: {
			Start: { main: [[{ node: 'Rows', type: 'main', index: 0 }]] },
			Rows: { main: [[{ node: 'One item per row', type: 'main', index: 0 }]] },
			'One item per row': { main: [[{ node: 'LTX Video', type: 'main', index: 0 }]] },
		},
	};
}
