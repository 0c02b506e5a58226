/**
 * One measured run: a workflow in `n8n execute` (its own process, like a CLI or queue worker run), its
 * process tree sampled from /proc, its run data and the emulator's log of it. Also what the benchmark
 * owns until it ends (processes, the emulator, the scratch folder) and the package built at another commit.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';

import type { EmulatorProcess } from '../test/e2e/emulator-process.ts';
import { collectOutput, killGroup, type N8nInstance, type OutputItem } from '../test/e2e/n8n-instance.ts';
import { n8nBin, REPO_ROOT } from '../test/e2e/project.ts';
import { type TreeMemory, TreeSampler } from './proc-sampler.ts';
import { RUN_TIMEOUT_MS } from './settings.ts';
import { mib } from './stats.ts';
import { type BenchWorkflow, LTX_NODE_NAME } from './workflows.ts';

// Clean-up: every process started here ends with the benchmark, however it ends.

const running = new Set<ChildProcess>();
/** The emulator and the scratch folder of this benchmark run, set by run.ts. */
export const lab: { emulator?: EmulatorProcess; scratch?: string } = {};
/** The node_modules links inside the "before" packages: removed on their own so nothing follows them. */
const borrowedModules: string[] = [];
let cleaning: Promise<void> | undefined;

export async function cleanUp(): Promise<void> {
	cleaning ??= (async () => {
		for (const child of running) killGroup(child);
		await lab.emulator?.stop().catch(() => undefined);
		for (const link of borrowedModules) rmSync(link, { force: true });
		if (lab.scratch) rmSync(lab.scratch, { recursive: true, force: true });
	})();
	await cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
	process.once(signal, () => {
		process.stderr.write(`\n[bench] ${signal}: stopping the emulator and n8n\n`);
		void cleanUp().finally(() => process.exit(130));
	});
}

// One measured run.

export interface EmulatedGeneration {
	id: string;
	createdAt: number;
	completeAt: number | null;
	downloadStartedAt?: number;
	status: string;
	videoBytes?: number;
}

export interface EmulatorRequest {
	server: string;
	route: string;
	method: string;
	path: string;
	status: number;
	at: number;
	body?: unknown;
}

/** The emulator switches the report names (test/emulator/README.md, Switches). */
export interface EmulatorSwitches {
	audioField: string;
	validationErrorShape: string;
	retryAfterHeader: boolean;
	freshReadWindowMs: number;
	concurrencySlots: number;
	beyondSlots: string;
	initImagesSingleUse: boolean;
	initImageSettleMs: number;
}

interface RunOutput {
	startedAt: string;
	stoppedAt: string;
	status?: string;
	data: {
		resultData: {
			runData: Record<string, Array<{ startTime: number; executionTime: number; data?: { main: Array<OutputItem[] | null> } }>>;
			error?: { message: string; description?: string };
		};
	};
}

export interface Measured {
	label: string;
	items: number;
	/** Execution startedAt → stoppedAt (n8n's run data): the workflow, without n8n's start-up. */
	executionMs: number;
	/** The LTX node's own executionTime (run data). */
	nodeMs: number;
	/** Spawn → exit of `n8n execute`, start-up and shut-down included. */
	processMs: number;
	memory: TreeMemory;
	outputs: OutputItem[];
	generations: EmulatedGeneration[];
	requests: EmulatorRequest[];
}

async function control<T>(route: string, changes?: object): Promise<T> {
	const method = changes ? 'POST' : 'GET';
	const response = await fetch(`${new URL(lab.emulator!.baseUrl).origin}/__emulator/${route}`, {
		method,
		...(changes ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(changes) } : {}),
	});
	if (!response.ok) throw new Error(`emulator ${method} /__emulator/${route}: HTTP ${response.status} ${await response.text()}`);
	return (await response.json()) as T;
}

/** Changes emulator switches; answers all of them as they now are. */
export const setSwitches = async (changes: Partial<EmulatorSwitches>) => await control<EmulatorSwitches>('options', changes);

export async function measure(n8n: N8nInstance, workflow: BenchWorkflow, label: string): Promise<Measured> {
	await lab.emulator!.reset();
	process.stderr.write(`[bench] ${label} … `);
	const started = performance.now();
	const child = spawn(n8nBin(), ['execute', `--id=${workflow.id}`, '--rawOutput'], {
		env: n8n.env(),
		cwd: n8n.userFolder,
		// Its own process group: a clean-up ends it together with its task runner.
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	running.add(child);
	const sampler = new TreeSampler(child.pid!, 50);
	const finished = collectOutput(child, 'exit');
	const timer = setTimeout(() => killGroup(child), RUN_TIMEOUT_MS);
	const { exitCode, stdout, stderr } = await finished;
	const processMs = performance.now() - started;
	clearTimeout(timer);
	const memory = sampler.stop();
	running.delete(child);
	killGroup(child); // A task runner it may have left behind.

	// The run data is the block from a line `{` to the last line `}`: the task runner may log after it.
	const jsonStart = stdout.search(/^\{$/m);
	const jsonEnd = stdout.lastIndexOf('\n}') + 2;
	const run = jsonStart >= 0 && jsonEnd > jsonStart ? (JSON.parse(stdout.slice(jsonStart, jsonEnd)) as RunOutput) : undefined;
	const failure = run?.data.resultData.error;
	if (exitCode !== 0 || !run || failure) {
		throw new Error(
			`${label}: n8n execute failed (exit ${exitCode}) ${failure ? `${failure.message} ${failure.description ?? ''}` : ''}\n` +
				`${stderr.slice(-3000)}\n${stdout.slice(0, jsonStart >= 0 ? jsonStart : 3000).slice(-3000)}`,
		);
	}
	const ltx = run.data.resultData.runData[LTX_NODE_NAME]?.[0];
	const outputs = ltx?.data?.main[0] ?? [];
	const ids = new Set(outputs.map((item) => item.json.generationId as string));
	const generations = (await control<EmulatedGeneration[]>('generations')).filter((generation) => ids.has(generation.id));
	const requests = await control<EmulatorRequest[]>('requests');
	const executionMs = Date.parse(run.stoppedAt) - Date.parse(run.startedAt);
	process.stderr.write(`${(executionMs / 1000).toFixed(1)} s\n`);
	return { label, items: outputs.length, executionMs, nodeMs: ltx?.executionTime ?? NaN, processMs, memory, outputs, generations, requests };
}

/** Every item is a finished video whose binary has the size the emulator served. */
export function assertVideos(result: Measured, expectedItems: number, bytes?: number): void {
	if (result.items !== expectedItems) throw new Error(`${result.label}: ${result.items} items out, ${expectedItems} expected`);
	for (const item of result.outputs) {
		const binary = item.binary?.data;
		if (item.json.status !== 'COMPLETE' || binary?.mimeType !== 'video/mp4') {
			throw new Error(`${result.label}: an item is not a finished MP4: ${JSON.stringify(item.json).slice(0, 300)}`);
		}
		if (bytes !== undefined && binary.bytes !== bytes) throw new Error(`${result.label}: binary of ${binary.bytes} bytes, ${bytes} expected`);
	}
	if (result.generations.length !== expectedItems) throw new Error(`${result.label}: ${result.generations.length} generations on the emulator`);
}

/**
 * The file n8n's binary store holds for a binary data ID (filesystem mode), found by its file name; path
 * relative to the user folder. `remove` deletes it once read.
 */
export function storedFile(n8n: N8nInstance, binaryId: string, { remove = false } = {}): StoredFile | undefined {
	const name = binaryId.slice(binaryId.lastIndexOf('/') + 1);
	const walk = (dir: string): string | undefined => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) {
				const found = walk(full);
				if (found) return found;
			} else if (entry.name === name) {
				return full;
			}
		}
		return undefined;
	};
	const file = walk(path.join(n8n.userFolder, '.n8n'));
	if (!file) return undefined;
	const head = Buffer.alloc(8);
	const fd = openSync(file, 'r');
	readSync(fd, head, 0, 8, 0);
	closeSync(fd);
	const stored = { file: path.relative(n8n.userFolder, file), bytes: statSync(file).size, boxType: head.toString('latin1', 4, 8) };
	if (remove) rmSync(file);
	return stored;
}

export interface StoredFile {
	file: string;
	bytes: number;
	/** Type of the first box: `ftyp` for an MP4. */
	boxType: string;
}

/** Plain Node: `http.get` piped into a file in a fresh process (bench/stream-copy.ts); its peak RSS. */
export async function streamCopy(url: string, label: string): Promise<{ bytes: number; peakRss: number }> {
	process.stderr.write(`[bench] ${label} … `);
	const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bench', 'stream-copy.ts'), url, path.join(lab.scratch!, 'stream-copy.mp4')], {
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	running.add(child);
	const { exitCode, stdout, stderr } = await collectOutput(child, 'exit');
	running.delete(child);
	if (exitCode !== 0) throw new Error(`${label}: stream-copy failed (exit ${exitCode}): ${stderr.slice(-2000)}`);
	const result = JSON.parse(stdout) as { bytes: number; peakRss: number };
	process.stderr.write(`${mib(result.peakRss)} MiB\n`);
	return result;
}

/** A package built at another commit: its short hash and subject. */
export interface BuiltPackage {
	commit: string;
	subject: string;
}

/**
 * The package as it was at `revision`, built in `dir`: `git archive` of that commit, this clone's
 * node_modules linked in (same compiler, same n8n-workflow), then the package's own build (tsc + gulp).
 * Answers the commit's short hash and subject.
 */
export function buildPackageAt(revision: string, dir: string): BuiltPackage {
	const git = (...gitArgs: string[]) => execFileSync('git', ['-C', REPO_ROOT, ...gitArgs], { encoding: 'utf8' }).trim();
	let commit: string;
	try {
		commit = git('rev-parse', '--short', `${revision}^{commit}`);
	} catch {
		throw new Error(`--compare-with ${revision}: this clone has no such commit (a shallow clone? run \`git fetch --unshallow\`, or name a commit it has)`);
	}
	const subject = git('log', '-1', '--format=%s', commit);
	process.stderr.write(`[bench] building the package at ${commit} (${revision}) in ${dir}\n`);
	mkdirSync(dir, { recursive: true });
	execFileSync('sh', ['-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', 'sh', REPO_ROOT, commit, dir], { stdio: ['ignore', 'ignore', 'inherit'] });
	const modules = path.join(dir, 'node_modules');
	borrowedModules.push(modules);
	symlinkSync(path.join(REPO_ROOT, 'node_modules'), modules, 'dir');
	const bin = (name: string) => path.join(REPO_ROOT, 'node_modules', '.bin', name);
	execFileSync(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
	execFileSync(bin('gulp'), ['build'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
	return { commit, subject };
}
