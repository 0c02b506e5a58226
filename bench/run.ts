/**
 * Throughput and memory benchmark of the LTX Video node in a real n8n (npm run bench).
 *
 * One Leonardo emulator (its default switches, except where a figure says) and two n8n user folders:
 * this package linked in as a community package, and the package as built from the commit before one
 * upload per distinct frame image (for figure 4's "before"). Every measured run is `n8n execute --id`
 * (its own process, like a CLI or queue worker run), with its process tree sampled from /proc. Figures:
 *   1. Batch: N=1, then N=20 at maxConcurrency 1, default (4) and 20; emulator generation time 3 s.
 *   2. Memory: peak RSS of the n8n process tree for a 1 MiB vs a 1 GiB MP4.
 *   3. Detection lag: emulator COMPLETE → download start, and API requests per generation.
 *   4. Frame uploads: 20 items with the same start frame image, requests per batch, before/after.
 *   5. Concurrency: 20 items on an account with 10 slots, the default (4) vs Auto (0).
 *   6. Frame link memory: 16 items with distinct 30–40 MiB frame links, peak RSS growth (median of 3), before/after
 *      the checks stopped keeping frame bytes (a third user folder, the package at BEFORE_FRAME_MEMORY).
 *
 *   bash bench/bench.sh [--out FILE] [--quick] [--only-frame-memory]
 *     --out FILE             also write the report (markdown) to FILE
 *     --quick                smaller runs (N=4, 64 MiB), to check the harness; not the published figures
 *     --only-frame-memory    figure 6 alone
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { type EmulatorProcess, startEmulator } from '../test/e2e/emulator-process.ts';
import { collectOutput, killGroup, N8nInstance, type OutputItem } from '../test/e2e/n8n-instance.ts';
import { FIXTURES_DIR, n8nBin, REPO_ROOT } from '../test/e2e/project.ts';
import { type TreeMemory, TreeSampler } from './proc-sampler.ts';
import { type BenchWorkflow, generateWorkflow, LTX_NODE_NAME } from './workflows.ts';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const ONLY_FRAME_MEMORY = args.includes('--only-frame-memory');
const OUT_FILE = args.includes('--out') ? path.resolve(args[args.indexOf('--out') + 1] ?? '') : undefined;

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const BATCH_ITEMS = QUICK ? 4 : 20;
const GENERATION_MS = 3000;
/**
 * MP4 sizes of the memory runs. The goal compares the first two (1 MiB vs 1 GiB); the third, four times
 * larger, shows whether the peak keeps growing with the video or stays put.
 */
const SMALL_VIDEO = 1 * MiB;
const LARGE_VIDEO = QUICK ? 64 * MiB : 1 * GiB;
const LARGEST_VIDEO = 4 * LARGE_VIDEO;
const MEMORY_SIZES = [SMALL_VIDEO, LARGE_VIDEO, LARGEST_VIDEO];
const MEMORY_REPEATS = 3;
/**
 * Detection lag: PENDING times 8 s + k × 250 ms (k = 0…19) cover every phase of one 5 s poll period.
 * They start after the first status read (5 s), which the emulator answers 404/null/500 by default
 * (freshReadWindowMs), so the figure measures the poll cycle, not that miss (the fixed 3 s runs show it).
 * They are dealt to the items in a shuffled order (k = 7·i mod 20), so an item's place in the poll
 * queue (the node allows at most 10 status requests in any second) is independent of when it completes.
 */
const LAG_ITEMS = QUICK ? 5 : 20;
const LAG_FIRST_MS = 8000;
const LAG_STEP_MS = QUICK ? 1000 : 250;
const LAG_SHUFFLE = QUICK ? 2 : 7; // Coprime with LAG_ITEMS.
const LAG_RUNS = 1;
/** N=1 is the denominator of every ratio: its median over a few runs. */
const SINGLE_RUNS = QUICK ? 1 : 3;
const RUN_TIMEOUT_MS = 10 * 60_000;
/** The node's default Poll Interval. */
const POLL_INTERVAL_MS = 5000;
/**
 * Figure 4's "before": the package at the commit before e726409 (one upload per distinct frame image
 * per execution), built from `git archive` with this clone's node_modules.
 */
const BEFORE_UPLOAD_REUSE = 'e726409^';
const FRAME_ITEMS = BATCH_ITEMS;
/**
 * Figure 6's "before": the package at the last commit whose checks kept every item's frame bytes until
 * the node finished. Its items: distinct links (own sizes, own bytes) of FRAME_LINK_MIN…MAX bytes, on
 * the emulator's image host (padded.png?bytes=N); the baseline run uses the 535-byte frame.png for all.
 */
const BEFORE_FRAME_MEMORY = 'efd4496';
const FRAME_LINK_ITEMS = QUICK ? 4 : 16;
const FRAME_LINK_MIN = 30 * MiB;
const FRAME_LINK_MAX = 40 * MiB;
/** Runs on the large links per package (the peak depends on when garbage collections fall): the median is reported. */
const FRAME_MEMORY_REPEATS = QUICK ? 1 : 3;
/** Figure 5: the emulator account's API concurrency slots (GET /v1/me apiConcurrencySlots). */
const ACCOUNT_SLOTS = 10;
const LOAD_AT_START = os.loadavg().map((load) => load.toFixed(2)).join(', ');
/** The commit measured (`-dirty`: with uncommitted changes). */
const CODE_VERSION = (() => {
	try {
		return `commit ${execFileSync('git', ['-C', REPO_ROOT, 'describe', '--always', '--dirty', '--abbrev=7'], { encoding: 'utf8' }).trim()}`;
	} catch {
		return 'not a git clone';
	}
})();
const CREDENTIAL = { id: 'ltxBenchCred01', name: 'Leonardo.AI (emulator)' };

// ---------------------------------------------------------------------------------------------------
// Clean-up: every process started here ends with the benchmark, however it ends.

const running = new Set<ChildProcess>();
let emulator: EmulatorProcess | undefined;
let scratch: string | undefined;
/** The node_modules links inside the "before" packages: removed on their own so nothing follows them. */
const borrowedModules: string[] = [];
let cleaning: Promise<void> | undefined;

async function cleanUp(): Promise<void> {
	cleaning ??= (async () => {
		for (const child of running) killGroup(child);
		await emulator?.stop().catch(() => undefined);
		for (const link of borrowedModules) rmSync(link, { force: true });
		if (scratch) rmSync(scratch, { recursive: true, force: true });
	})();
	await cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
	process.once(signal, () => {
		process.stderr.write(`\n[bench] ${signal}: stopping the emulator and n8n\n`);
		void cleanUp().finally(() => process.exit(130));
	});
}

// ---------------------------------------------------------------------------------------------------
// One measured run.

interface EmulatedGeneration {
	id: string;
	createdAt: number;
	completeAt: number | null;
	downloadStartedAt?: number;
	status: string;
	videoBytes?: number;
}

interface EmulatorRequest {
	server: string;
	route: string;
	method: string;
	path: string;
	status: number;
	at: number;
	body?: unknown;
}

/** The emulator switches the report names (test/emulator/README.md, Switches). */
interface EmulatorSwitches {
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

interface Measured {
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
	const response = await fetch(`${new URL(emulator!.baseUrl).origin}/__emulator/${route}`, {
		method,
		...(changes ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(changes) } : {}),
	});
	if (!response.ok) throw new Error(`emulator ${method} /__emulator/${route}: HTTP ${response.status} ${await response.text()}`);
	return (await response.json()) as T;
}

/** Changes emulator switches; answers all of them as they now are. */
const setSwitches = async (changes: Partial<EmulatorSwitches>) => await control<EmulatorSwitches>('options', changes);

async function measure(n8n: N8nInstance, workflow: BenchWorkflow, label: string): Promise<Measured> {
	await emulator!.reset();
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
function assertVideos(result: Measured, expectedItems: number, bytes?: number): void {
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
function storedFile(n8n: N8nInstance, binaryId: string, { remove = false } = {}): StoredFile | undefined {
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

interface StoredFile {
	file: string;
	bytes: number;
	/** Type of the first box: `ftyp` for an MP4. */
	boxType: string;
}

/** Plain Node: `http.get` piped into a file in a fresh process (bench/stream-copy.ts); its peak RSS. */
async function streamCopy(url: string, label: string): Promise<{ bytes: number; peakRss: number }> {
	process.stderr.write(`[bench] ${label} … `);
	const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bench', 'stream-copy.ts'), url, path.join(scratch!, 'stream-copy.mp4')], {
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

/**
 * The package as it was at `revision`, built in `dir`: `git archive` of that commit, this clone's
 * node_modules linked in (same compiler, same n8n-workflow), then the package's own build (tsc + gulp).
 * Answers the commit's short hash and subject.
 */
function buildPackageAt(revision: string, dir: string): { commit: string; subject: string } {
	const git = (...gitArgs: string[]) => execFileSync('git', ['-C', REPO_ROOT, ...gitArgs], { encoding: 'utf8' }).trim();
	let commit: string;
	try {
		commit = git('rev-parse', '--short', `${revision}^{commit}`);
	} catch {
		throw new Error(`figures 4 and 6 build the package at ${revision}: this clone has no such commit (a shallow clone? run \`git fetch --unshallow\`)`);
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

// ---------------------------------------------------------------------------------------------------
// Statistics and formatting.

const median = (values: number[]) => quantile(values, 0.5);
function quantile(values: number[], q: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	if (!sorted.length) return NaN;
	const position = (sorted.length - 1) * q;
	const low = Math.floor(position);
	const high = Math.ceil(position);
	return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}
const seconds = (ms: number) => (ms / 1000).toFixed(2);
const mib = (bytes: number) => (bytes / MiB).toFixed(1);
const rounds = (count: number) => `${count} ${count === 1 ? 'round' : 'rounds'}`;

function table(headers: string[], rows: Array<Array<string | number>>): string {
	const cells = [headers, ...rows.map((row) => row.map(String))];
	const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
	const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
	return [line(headers), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

interface RequestCounts {
	creates: number;
	/** Creates answered 4xx (e.g. the audio spelling the emulator does not take this run): nothing created. */
	refusedCreates: number;
	polls: number;
	downloads: number;
	initImages: number;
	s3Uploads: number;
	accounts: number;
	other: number;
}

function requestCounts(result: Measured): RequestCounts {
	const count = (route: string) => result.requests.filter((request) => request.route === route).length;
	const counts = {
		creates: count('create'),
		refusedCreates: result.requests.filter((request) => request.route === 'create' && request.status >= 400).length,
		polls: count('poll'),
		downloads: count('download'),
		initImages: count('initImage'),
		s3Uploads: count('s3Upload'),
		accounts: count('me'),
	};
	const named = counts.creates + counts.polls + counts.downloads + counts.initImages + counts.s3Uploads + counts.accounts;
	return { ...counts, other: result.requests.length - named };
}

/** Start frame IDs of the creates the emulator accepted (guidances.start_frame[0].image.id). */
function startFrameIds(result: Measured): Array<string | undefined> {
	return result.requests
		.filter((request) => request.route === 'create' && request.status < 400)
		.map((request) => {
			const guidances = (request.body as { parameters?: { guidances?: { start_frame?: Array<{ image?: { id?: string } }> } } } | undefined)?.parameters?.guidances;
			return guidances?.start_frame?.[0]?.image?.id;
		});
}

/** Time between the status requests that found the first and the last generation of a run COMPLETE (each one's last). */
function findingPollSpread(result: Measured): number {
	const findingPolls = result.generations.map(
		(generation) => Math.max(...result.requests.filter((request) => request.route === 'poll' && request.path.endsWith(generation.id)).map((request) => request.at)),
	);
	return Math.max(...findingPolls) - Math.min(...findingPolls);
}

/** Most generations PENDING on the emulator at once during a run (createdAt → completeAt). */
function peakPending(result: Measured): number {
	const events = result.generations.flatMap((generation) => [
		{ at: generation.createdAt, change: 1 },
		{ at: generation.completeAt ?? Infinity, change: -1 },
	]);
	// A completion at the same instant as a create frees its slot first, as the emulator counts.
	events.sort((a, b) => a.at - b.at || a.change - b.change);
	let pending = 0;
	let peak = 0;
	for (const { change } of events) peak = Math.max(peak, (pending += change));
	return peak;
}

/** Generations the emulator held back for a free slot: PENDING longer than their own generation time. */
const queuedBySlots = (result: Measured) =>
	result.generations.filter((generation) => generation.completeAt !== null && generation.completeAt - generation.createdAt > GENERATION_MS + 50).length;

const lagsOf = (results: Measured[]) =>
	results.flatMap((result) => result.generations.map((generation) => generation.downloadStartedAt! - generation.completeAt!));

// ---------------------------------------------------------------------------------------------------

function machine(n8nVersion: string): string {
	const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
	return (
		`${os.cpus().length} × ${cpu}, ${(os.totalmem() / GiB).toFixed(1)} GiB RAM, Linux ${os.release()}, ` +
		`Node ${process.version}, n8n ${n8nVersion} (regular mode, filesystem binary store, SQLite)`
	);
}

/** Figure 6: per package, the baseline run (one tiny link for all items) and the runs on distinct large links. */
interface FrameMemoryRuns {
	before: { commit: string; subject: string };
	linkBytes: number[];
	runs: Array<{ build: 'before' | 'after'; baseline: Measured; large: Measured[] }>;
}

/**
 * Figure 6: the same two batches on the package before the checks stopped keeping frame bytes and on
 * this build, in a user folder of its own (`after` is this run's n8n). Links on this machine: Allow
 * Private Links on (the package before ignores the option).
 */
async function runFrameMemory(after: N8nInstance): Promise<FrameMemoryRuns> {
	const before = buildPackageAt(BEFORE_FRAME_MEMORY, path.join(scratch!, 'package-before-frames'));
	const n8nBefore = await N8nInstance.create({ parentDir: scratch!, namePrefix: 'before-frames-', fileAccessDirs: [], packageDir: path.join(scratch!, 'package-before-frames') });
	await n8nBefore.importCredentials([{ ...CREDENTIAL, data: { apiKey: emulator!.apiKey, baseUrl: emulator!.baseUrl } }]);
	const step = FRAME_LINK_ITEMS > 1 ? Math.floor((FRAME_LINK_MAX - FRAME_LINK_MIN) / (FRAME_LINK_ITEMS - 1)) : 0;
	const linkBytes = Array.from({ length: FRAME_LINK_ITEMS }, (_, index) => FRAME_LINK_MIN + index * step);
	const prompts = linkBytes.map((_, index) => `Frame memory clip ${index + 1}`);
	const options = { allowPrivateLinks: true };
	const workflows = {
		baseline: generateWorkflow('ltxBenchFrameLinksSmall', prompts, options, CREDENTIAL, { startFrameUrls: prompts.map(() => `${emulator!.imagesUrl}/images/frame.png`) }),
		large: generateWorkflow('ltxBenchFrameLinksLarge', prompts, options, CREDENTIAL, {
			startFrameUrls: linkBytes.map((bytes) => `${emulator!.imagesUrl}/images/padded.png?bytes=${bytes}`),
		}),
	};
	for (const instance of [n8nBefore, after]) await instance.importWorkflows(Object.values(workflows));
	const builds = [
		['before', n8nBefore],
		['after', after],
	] as const;
	const label = (what: string, build: string) => `frame link memory, ${FRAME_LINK_ITEMS} items, ${what}, ${build}`;
	const runs: FrameMemoryRuns['runs'] = [];
	for (const [build, instance] of builds) {
		const baseline = await measure(instance, workflows.baseline, label('one 535-byte link', build));
		assertVideos(baseline, FRAME_LINK_ITEMS);
		runs.push({ build, baseline, large: [] });
	}
	// The packages take turns, so drift on the machine affects both alike.
	for (let repeat = 1; repeat <= FRAME_MEMORY_REPEATS; repeat++) {
		for (const [index, [build, instance]] of builds.entries()) {
			const large = await measure(instance, workflows.large, label(`distinct ${mib(FRAME_LINK_MIN)}–${mib(FRAME_LINK_MAX)} MiB links #${repeat}`, build));
			assertVideos(large, FRAME_LINK_ITEMS);
			if (new Set(startFrameIds(large)).size !== FRAME_LINK_ITEMS) throw new Error(`${large.label}: not one uploaded frame per item`);
			runs[index].large.push(large);
		}
	}
	return { before, linkBytes, runs };
}

function renderFrameMemory({ before, linkBytes, runs }: FrameMemoryRuns): string {
	const out: string[] = [];
	const growths = (run: FrameMemoryRuns['runs'][number]) => run.large.map((large) => large.memory.peakTreeRss - run.baseline.memory.peakTreeRss);
	const medianGrowth = (run: FrameMemoryRuns['runs'][number]) => median(growths(run));
	const perRun = (values: number[]) => values.map((value) => mib(value)).join(', ');
	out.push(`## 6. Frame link memory: ${FRAME_LINK_ITEMS} items, each with its own ${mib(FRAME_LINK_MIN)}–${mib(FRAME_LINK_MAX)} MiB Start Frame link, default maxConcurrency (4)`);
	out.push('');
	out.push(
		table(
			['Package', 'Peak tree RSS, one 535-byte link (MiB)', 'Peak tree RSS, distinct large links, per run (MiB)', 'Growth per run (MiB)', 'Growth, median (MiB)', 'Wall, large links, median (s)', 'Link downloads', 'S3 upload POSTs'],
			runs.map((run) => [
				run.build === 'before' ? `before: ${before.commit} (${before.subject.slice(0, 40)}…)` : 'after: this build',
				mib(run.baseline.memory.peakTreeRss),
				perRun(run.large.map((large) => large.memory.peakTreeRss)),
				growths(run).map((growth) => `+${mib(growth)}`).join(', '),
				`+${mib(medianGrowth(run))}`,
				seconds(median(run.large.map((large) => large.executionMs))),
				run.large[0].requests.filter((request) => request.route === 'imageFile').length,
				requestCounts(run.large[0]).s3Uploads,
			]),
		),
	);
	out.push('');
	const [beforeRun, afterRun] = runs;
	const totalLinks = linkBytes.reduce((sum, bytes) => sum + bytes, 0);
	out.push(
		`**Peak RSS growth for ${FRAME_LINK_ITEMS} distinct large frame links, median of ${FRAME_MEMORY_REPEATS}: +${mib(medianGrowth(beforeRun))} MiB before, +${mib(medianGrowth(afterRun))} MiB after** ` +
			`(${mib(totalLinks)} MiB of links in all; 4 × 50 MiB, the cap per frame times the default concurrency, is 200 MiB). Growth = peak tree RSS of ` +
			`a run on the large links minus that of the same ${FRAME_LINK_ITEMS} items on one 535-byte link, per package, the packages taking turns ` +
			`in this run against the same emulator; the peak of one run depends on when garbage collections fall, hence several. "Before" is the package built from commit ${before.commit} (\`${BEFORE_FRAME_MEMORY}\`, whose ` +
			`checks kept every item's frame bytes until the node finished) in a user folder of its own; "after" downloads each link once to check ` +
			`it and once more for its upload (so it has twice the link downloads), into one Blob that the upload streams as it is.`,
	);
	return out.join('\n');
}

async function main(): Promise<void> {
	const benchStarted = performance.now();
	const n8nVersion = execFileSync(n8nBin(), ['--version'], { encoding: 'utf8' }).trim();
	scratch = mkdtempSync(path.join(os.tmpdir(), 'ltx-bench-'));
	process.stderr.write(`[bench] ${machine(n8nVersion)}\n[bench] scratch folder ${scratch}\n`);
	if (ONLY_FRAME_MEMORY) {
		emulator = await startEmulator({ delayMs: GENERATION_MS });
		const n8n = await N8nInstance.create({ parentDir: scratch, fileAccessDirs: [] });
		await n8n.importCredentials([{ ...CREDENTIAL, data: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } }]);
		const report = [
			`# LTX Video node benchmark, figure 6 only${QUICK ? ' (QUICK MODE: not the published figures)' : ''}`,
			'',
			`- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; machine: ${machine(n8nVersion)}; code: ${CODE_VERSION}`,
			'',
			renderFrameMemory(await runFrameMemory(n8n)),
		].join('\n');
		process.stdout.write(`\n${report}\n`);
		if (OUT_FILE) writeFileSync(OUT_FILE, `${report}\n`);
		return;
	}

	const before = buildPackageAt(BEFORE_UPLOAD_REUSE, path.join(scratch, 'package-before'));
	emulator = await startEmulator({ delayMs: GENERATION_MS });
	const switches = await setSwitches({});
	const filesDir = path.join(scratch, 'files');
	const n8n = await N8nInstance.create({ parentDir: scratch, fileAccessDirs: [filesDir] });
	// The same n8n, another user folder: the package as it was before one upload per distinct image.
	const n8nBefore = await N8nInstance.create({ parentDir: scratch, namePrefix: 'before-', fileAccessDirs: [filesDir], packageDir: path.join(scratch, 'package-before') });
	for (const instance of [n8n, n8nBefore]) {
		await instance.importCredentials([{ ...CREDENTIAL, data: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } }]);
	}
	const startFrameFile = path.join(filesDir, 'start-frame.png');
	copyFileSync(path.join(FIXTURES_DIR, 'frame.png'), startFrameFile);

	const prompts = (count: number, marker: (index: number) => string = () => '') =>
		Array.from({ length: count }, (_, index) => `Benchmark clip ${index + 1}: waves on a pebble beach ${marker(index)}`.trim());
	const workflows = {
		single: generateWorkflow('ltxBenchN1', prompts(1), {}, CREDENTIAL),
		c1: generateWorkflow('ltxBenchC1', prompts(BATCH_ITEMS), { maxConcurrency: 1 }, CREDENTIAL),
		cDefault: generateWorkflow('ltxBenchCDefault', prompts(BATCH_ITEMS), {}, CREDENTIAL),
		c20: generateWorkflow('ltxBenchC20', prompts(BATCH_ITEMS), { maxConcurrency: 20 }, CREDENTIAL),
		slotsDefault: generateWorkflow('ltxBenchSlotsDefault', prompts(BATCH_ITEMS), {}, CREDENTIAL),
		slotsAuto: generateWorkflow('ltxBenchSlotsAuto', prompts(BATCH_ITEMS), { maxConcurrency: 0 }, CREDENTIAL),
		lag: generateWorkflow(
			'ltxBenchLag',
			prompts(LAG_ITEMS, (index) => `[emu:delay=${LAG_FIRST_MS + ((index * LAG_SHUFFLE) % LAG_ITEMS) * LAG_STEP_MS}]`),
			{ maxConcurrency: 20 },
			CREDENTIAL,
		),
	};
	const memoryWorkflows = MEMORY_SIZES.map((bytes, index) =>
		generateWorkflow(`ltxBenchMem${index}`, prompts(1, () => `[emu:bytes=${bytes}]`), {}, CREDENTIAL),
	);
	const framesWorkflow = generateWorkflow('ltxBenchFrames', prompts(FRAME_ITEMS), {}, CREDENTIAL, { startFrameFile });
	await n8n.importWorkflows([...Object.values(workflows), ...memoryWorkflows, framesWorkflow]);
	await n8nBefore.importWorkflows([framesWorkflow]);

	// 1. Batch.
	const singles: Measured[] = [];
	for (let repeat = 0; repeat < SINGLE_RUNS; repeat++) {
		const result = await measure(n8n, workflows.single, `N=1 #${repeat + 1}`);
		assertVideos(result, 1);
		singles.push(result);
	}
	const batch: Array<{ concurrency: string; result: Measured }> = [];
	for (const [concurrency, workflow] of [
		['1', workflows.c1],
		['4 (default)', workflows.cDefault],
		['20', workflows.c20],
	] as const) {
		const result = await measure(n8n, workflow, `N=${BATCH_ITEMS}, maxConcurrency ${concurrency}`);
		assertVideos(result, BATCH_ITEMS);
		batch.push({ concurrency, result });
	}

	// 2. Memory: alternate the sizes so drift (caches, disk) affects all alike. After each n8n run the same
	// video goes through plain Node (no n8n, no node): the floor of any streamed download.
	const memory: MemoryRuns[] = MEMORY_SIZES.map((bytes) => ({ bytes, runs: [], stored: [], floor: [] }));
	for (let repeat = 0; repeat < MEMORY_REPEATS; repeat++) {
		for (const [index, size] of memory.entries()) {
			const result = await measure(n8n, memoryWorkflows[index], `memory ${mib(size.bytes)} MiB #${repeat + 1}`);
			assertVideos(result, 1, size.bytes);
			size.runs.push(result);
			// Checked, then deleted: three 4 GiB videos need not stay on disk.
			size.stored.push(storedFile(n8n, result.outputs[0].binary!.data.id!, { remove: true }));
			const copy = await streamCopy(result.outputs[0].json.videoUrl as string, `plain Node stream copy ${mib(size.bytes)} MiB #${repeat + 1}`);
			if (copy.bytes !== size.bytes) throw new Error(`stream copy: ${copy.bytes} bytes, ${size.bytes} expected`);
			size.floor.push(copy.peakRss);
		}
	}

	// 3. Detection lag: completions spread over two poll periods, so their phase to the polls is uniform.
	const lag: Measured[] = [];
	for (let repeat = 0; repeat < LAG_RUNS; repeat++) {
		const result = await measure(n8n, workflows.lag, `detection lag, ${LAG_ITEMS} spread completions #${repeat + 1}`);
		assertVideos(result, LAG_ITEMS);
		lag.push(result);
	}

	// 4. Frame uploads: the same batch on the package before and after one upload per distinct image. The
	// emulator takes both audio spellings here: the "before" package predates the error shapes it learns
	// the spelling from, and a refused create would only add the same one request to both.
	await setSwitches({ audioField: 'both' });
	const frames: FrameRuns = { before, runs: [] };
	for (const [build, instance] of [
		['before', n8nBefore],
		['after', n8n],
	] as const) {
		const result = await measure(instance, framesWorkflow, `frame uploads, ${FRAME_ITEMS} items, one image, ${build} (${build === 'before' ? before.commit : 'this build'})`);
		assertVideos(result, FRAME_ITEMS);
		const used = startFrameIds(result);
		if (used.length !== FRAME_ITEMS || used.some((id) => !id)) throw new Error(`${result.label}: not every accepted create had a start frame`);
		frames.runs.push({ build, result });
	}
	await setSwitches({ audioField: switches.audioField });

	// 5. Concurrency: an account with 10 slots; the default (4) and Auto (0), side by side.
	await setSwitches({ concurrencySlots: ACCOUNT_SLOTS });
	const slots: SlotRuns = { beyondSlots: switches.beyondSlots, runs: [] };
	const slotSingle = await measure(n8n, workflows.single, `N=1, account with ${ACCOUNT_SLOTS} slots`);
	assertVideos(slotSingle, 1);
	slots.runs.push({ setting: '—', result: slotSingle });
	for (const [setting, workflow] of [
		['4 (default)', workflows.slotsDefault],
		['0 (Auto)', workflows.slotsAuto],
	] as const) {
		const result = await measure(n8n, workflow, `N=${BATCH_ITEMS}, account with ${ACCOUNT_SLOTS} slots, maxConcurrency ${setting}`);
		assertVideos(result, BATCH_ITEMS);
		slots.runs.push({ setting, result });
	}
	await setSwitches({ concurrencySlots: switches.concurrencySlots });

	// 6. Frame link memory: distinct large links, before and after the checks stopped keeping bytes.
	const frameMemory = await runFrameMemory(n8n);

	const benchMs = performance.now() - benchStarted;
	const report = `${renderReport({ n8nVersion, switches, singles, batch, memory, lag, frames, slots, benchMs })}\n\n${renderFrameMemory(frameMemory)}`;
	process.stdout.write(`\n${report}\n`);
	if (OUT_FILE) {
		writeFileSync(OUT_FILE, `${report}\n`);
		process.stderr.write(`[bench] report written to ${path.relative(REPO_ROOT, OUT_FILE)}\n`);
	}
}

interface ReportInput {
	n8nVersion: string;
	switches: EmulatorSwitches;
	singles: Measured[];
	batch: Array<{ concurrency: string; result: Measured }>;
	memory: MemoryRuns[];
	lag: Measured[];
	frames: FrameRuns;
	slots: SlotRuns;
	benchMs: number;
}

/** Figure 4: the same batch on the package before one upload per distinct image (`before`) and on this build. */
interface FrameRuns {
	before: { commit: string; subject: string };
	runs: Array<{ build: 'before' | 'after'; result: Measured }>;
}

/** Figure 5: N=1, then the batch at the default and at Auto, on an account with ACCOUNT_SLOTS slots. */
interface SlotRuns {
	beyondSlots: string;
	runs: Array<{ setting: string; result: Measured }>;
}

/** One MP4 size of the memory runs: the n8n runs, where each video landed, and plain Node's peak RSS. */
interface MemoryRuns {
	bytes: number;
	runs: Measured[];
	stored: Array<StoredFile | undefined>;
	floor: number[];
}

function renderReport({ n8nVersion, switches, singles, batch, memory, lag, frames, slots, benchMs }: ReportInput): string {
	const out: string[] = [];
	out.push(`# LTX Video node benchmark${QUICK ? ' (QUICK MODE: not the published figures)' : ''}`);
	out.push('');
	out.push(`- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
	out.push(`- Machine: ${machine(n8nVersion)}`);
	out.push(
		'- Command: `npm ci && npm run bench` (builds the package, installs n8n into the cache on first use); this file: ' +
			'`npm run bench -- --out bench/RESULTS.md`',
	);
	out.push(`- Code: ${CODE_VERSION}`);
	out.push(
		`- Total bench time: ${(benchMs / 60_000).toFixed(1)} min; load average (1, 5, 15 min) at the start: ${LOAD_AT_START}, ` +
			`at the end: ${os.loadavg().map((load) => load.toFixed(2)).join(', ')} (the machine is shared)`,
	);
	out.push(
		`- Emulator: its default switches (test/emulator/README.md), except where a figure says: the create takes only the audio key ` +
			`\`${switches.audioField}\` (picked per emulator start; a node run that sends the other has that create refused once, then sends this one); ` +
			(firstReadMisses(switches)
				? `the first status read of a generation within ${switches.freshReadWindowMs / 1000} s of its create answers 404, null or 500; `
				: '') +
			`parameter errors in the \`${switches.validationErrorShape}\` shape; 429s ${switches.retryAfterHeader ? 'with' : 'without'} Retry-After; ` +
			`concurrency slots ${switches.concurrencySlots || 'unlimited'}; init images ${switches.initImagesSingleUse ? 'single-use' : 'reusable'}.`,
	);
	out.push('');

	// 1.
	const everyRun = [...singles, ...batch.map(({ result }) => result)];
	const singleMs = median(singles.map((result) => result.executionMs));
	const singleRow = `N=1 (one generation)${singles.length > 1 ? `, median of ${singles.length}: ${singles.map((result) => seconds(result.executionMs)).join(', ')}` : ''}`;
	out.push(`## 1. Batch: ${BATCH_ITEMS} items, emulator generation time ${GENERATION_MS / 1000} s, poll interval 5 s (default)`);
	out.push('');
	out.push(
		table(
			['Run', 'Wall (s)', 'Ratio to N=1', 'LTX node (s)', 'n8n execute process (s)'],
			[
				[
					singleRow,
					seconds(singleMs),
					'1.00',
					seconds(median(singles.map((result) => result.nodeMs))),
					seconds(median(singles.map((result) => result.processMs))),
				],
				...batch.map(({ concurrency, result }) => [
					`N=${BATCH_ITEMS}, maxConcurrency ${concurrency}`,
					seconds(result.executionMs),
					(result.executionMs / singleMs).toFixed(2),
					seconds(result.nodeMs),
					seconds(result.processMs),
				]),
			],
		),
	);
	out.push('');
	const best = batch.at(-1)!.result;
	const goal = best.executionMs <= 1.5 * singleMs;
	out.push(
		`Wall = the execution's startedAt → stoppedAt from n8n's run data (no n8n start-up). Goal ≤ 1.5 × N=1 with enough ` +
			`concurrency: ${goal ? 'met' : 'NOT met'} (${(best.executionMs / singleMs).toFixed(2)} × at maxConcurrency 20). ` +
			`One generation = ${GENERATION_MS / 1000} s on the emulator, ${findingPollText(switches)}. ` +
			`maxConcurrency 4 runs ${rounds(Math.ceil(BATCH_ITEMS / 4))}. At maxConcurrency 20 the polls of all items fall due ` +
			`together and the node allows an execution at most 10 status requests in any second: the ones that found the videos went out over ` +
			`${seconds(findingPollSpread(best))} s, most of the gap to N=1. "n8n execute process" = spawn to exit of the CLI; it adds n8n's ` +
			`own start-up and shut-down, median ${seconds(median(everyRun.map((result) => result.processMs - result.executionMs)))} s per run here.`,
	);
	out.push('');

	// 2.
	const peaks = (results: Measured[]) => results.map((result) => result.memory.peakTreeRss);
	const max = (values: number[]) => Math.max(...values);
	const [small, large, largest] = memory;
	/** Growth from the 1 MiB run to `size`: n8n tree and plain Node, by medians and by maxima. */
	const growth = (size: MemoryRuns) => ({
		median: median(peaks(size.runs)) - median(peaks(small.runs)),
		max: max(peaks(size.runs)) - max(peaks(small.runs)),
		floorMedian: median(size.floor) - median(small.floor),
		floorMax: max(size.floor) - max(small.floor),
	});
	const goalGrowth = growth(large);
	const role = (command: string) => (/ n8n execute/.test(command) ? 'main' : /--disallow-code-generation-from-strings/.test(command) ? 'runner' : 'helper');
	const peakOf = (results: Measured[], wanted: string) =>
		max(results.flatMap((result) => result.memory.processes.filter((entry) => role(entry.command) === wanted).map((entry) => entry.peakRss)));
	const helpers = memory.flatMap((size) => size.runs).map((result) => result.memory.processes.filter((entry) => role(entry.command) === 'helper'));
	const helperCount = max(helpers.map((list) => list.length));
	const helperExample = helpers.flat().find((entry) => entry.command)?.command.split(' ').slice(0, 3).join(' ');
	const memoryGoal = (difference: number) => (difference <= 64 * MiB ? 'met' : 'NOT met');
	out.push(`## 2. Memory: peak RSS of the \`n8n execute\` process tree, one item, ${MEMORY_REPEATS} runs per size`);
	out.push('');
	const bytesOut = (results: Measured[]) => {
		const sizes = results.map((result) => result.outputs[0].binary!.data.bytes);
		return new Set(sizes).size === 1 ? `${sizes[0]} (×${sizes.length})` : sizes.join(', ');
	};
	const sign = (bytes: number) => `${bytes >= 0 ? '+' : ''}${mib(bytes)}`;
	out.push(
		table(
			[
				'MP4 size',
				'Peak tree RSS per run (MiB)',
				'Median (MiB)',
				'Max (MiB)',
				'Growth over 1 MiB, median (MiB)',
				'n8n execute VmHWM, max (MiB)',
				'Task runner VmHWM, max (MiB)',
				'Binary bytes output',
			],
			memory.map((size) => [
				`${mib(size.bytes)} MiB`,
				peaks(size.runs).map(mib).join(', '),
				mib(median(peaks(size.runs))),
				mib(max(peaks(size.runs))),
				size === small ? '' : sign(growth(size).median),
				mib(peakOf(size.runs, 'main')),
				mib(peakOf(size.runs, 'runner')),
				bytesOut(size.runs),
			]),
		),
	);
	out.push('');
	const largestMore = growth(largest).median - goalGrowth.median;
	out.push(
		`**Difference ${mib(large.bytes)} MiB − ${mib(small.bytes)} MiB: ${mib(goalGrowth.median)} MiB (medians), ${mib(goalGrowth.max)} MiB (maxima)** ` +
			`for ${mib(large.bytes - small.bytes)} MiB more video. Goal ≤ 64 MiB: ${memoryGoal(goalGrowth.median)} (medians), ${memoryGoal(goalGrowth.max)} (maxima). ` +
			`Four times the video (${mib(largest.bytes)} MiB) moves the median peak by ${sign(largestMore)} MiB from ${mib(large.bytes)} MiB: ` +
			(largestMore <= 64 * MiB ? 'the peak does not grow with the video.' : 'the peak grows with the video.'),
	);
	out.push('');
	out.push('Floor: the same videos downloaded by plain Node 24 (`http.get` piped into a file, `bench/stream-copy.ts`, a fresh process, no n8n), each right after its n8n run:');
	out.push('');
	out.push(
		table(
			['MP4 size', 'Peak RSS per run (MiB)', 'Median (MiB)', 'Max (MiB)', 'Growth over 1 MiB, median (MiB)', 'n8n tree growth minus plain Node growth, median (MiB)'],
			memory.map((size) => [
				`${mib(size.bytes)} MiB`,
				size.floor.map(mib).join(', '),
				mib(median(size.floor)),
				mib(max(size.floor)),
				size === small ? '' : sign(growth(size).floorMedian),
				size === small ? '' : sign(growth(size).median - growth(size).floorMedian),
			]),
		),
	);
	out.push('');
	out.push(
		`Plain Node grows by ${mib(goalGrowth.floorMedian)} MiB (medians) / ${mib(goalGrowth.floorMax)} MiB (maxima) for the ${mib(large.bytes)} MiB video: ` +
			`every socket read is a new 64 KiB Buffer, and V8 frees dead Buffers only in a garbage collection, which their external ` +
			`memory forces once about 64 MiB of them have piled up. So any streamed download in Node.js peaks at least that much above ` +
			`where it started, whatever the video size. What n8n and the node add on top of that floor: **${mib(goalGrowth.median - goalGrowth.floorMedian)} MiB** ` +
			`(medians), ${mib(goalGrowth.max - goalGrowth.floorMax)} MiB (maxima).`,
	);
	out.push('');
	const landed = memory.slice(1).map((size) => {
		const stored = size.stored.map((entry) => (entry ? `${entry.bytes} bytes, starts with \`${entry.boxType}\`` : 'NOT FOUND')).join('; ');
		const storedOk = size.stored.every((entry) => entry?.bytes === size.bytes && entry.boxType === 'ftyp');
		return `${mib(size.bytes)} MiB: ${stored} (${storedOk ? 'right size, an MP4' : 'WRONG'})`;
	});
	out.push(
		`The videos landed in n8n's binary store (filesystem mode, e.g. \`<user folder>/${large.stored[0]?.file ?? '?'}\`; checked, then deleted): ` +
			`${landed.join('. ')}.`,
	);
	out.push(
		`RSS: /proc/<pid>/status every 50 ms, VmRSS summed over \`n8n execute\` and all its descendants (the JS task runner, and ` +
			`${helperCount ? `up to ${helperCount} short-lived helper processes at start-up, e.g. \`${helperExample}\`` : 'no other process'}); ` +
			`VmHWM per process read at the last sample before it exited.`,
	);
	out.push('');

	// 3.
	const spreadLags = lagsOf(lag);
	const fixedLags = lagsOf([...singles, ...batch.map(({ result }) => result)]);
	out.push('## 3. Detection lag (emulator completeAt → downloadStartedAt) at the default poll interval (5 s)');
	out.push('');
	const lagRow = (label: string, lags: number[]) => [
		label,
		lags.length,
		seconds(median(lags)),
		seconds(quantile(lags, 0.9)),
		`${seconds(Math.min(...lags))}–${seconds(Math.max(...lags))}`,
	];
	out.push(
		table(
			['Generations', 'n', 'Median (s)', 'p90 (s)', 'Range (s)'],
			[
				lagRow(`PENDING ${LAG_FIRST_MS / 1000}–${(LAG_FIRST_MS + (LAG_ITEMS - 1) * LAG_STEP_MS) / 1000} s (every phase), maxConcurrency 20, ${LAG_RUNS} run(s)`, spreadLags),
				lagRow(`fixed ${GENERATION_MS / 1000} s (the batch runs above)`, fixedLags),
			],
		),
	);
	out.push('');
	const findingS = findingPollMs(switches) / 1000;
	out.push(
		'Spread: each generation has its own PENDING time (`[emu:delay=MS]`, dealt in shuffled order), so completions fall at ' +
			'every phase of the 5 s poll cycle (a strict 5 s cycle would give a median of 2.5 s and a maximum of 5 s; the ' +
			'polls of 20 items also spread over about 2 s at ≤ 10 status requests/s, which catches some completions earlier). ' +
			`They start at ${LAG_FIRST_MS / 1000} s, after the first status read. ` +
			`Fixed ${GENERATION_MS / 1000} s: ${findingPollText(switches)}, so the lag is ${findingS - GENERATION_MS / 1000} s plus the poll spacing by construction` +
			(firstReadMisses(switches) ? ' (a first read that found the video would make it 2 s).' : '.'),
	);
	out.push('');
	out.push('API requests per generation (from the emulator’s request log):');
	out.push('');
	const requestRow = (label: string, result: Measured) => {
		const counts = requestCounts(result);
		const per = (value: number) => (value / result.generations.length).toFixed(2);
		return [label, result.generations.length, per(counts.creates), counts.refusedCreates, per(counts.polls), per(counts.downloads), counts.other + counts.accounts];
	};
	out.push(
		table(
			['Run', 'Generations', 'Creates / gen', 'Refused creates', 'Polls / gen', 'Downloads / gen', 'Other requests'],
			[
				requestRow('N=1 #1', singles[0]),
				...batch.map(({ concurrency, result }) => requestRow(`N=${BATCH_ITEMS}, maxConcurrency ${concurrency}`, result)),
				...lag.map((result, index) => requestRow(`detection lag (spread) #${index + 1}`, result)),
				...memory.slice(1).map((size) => requestRow(`memory ${mib(size.bytes)} MiB`, size.runs[0])),
			],
		),
	);
	out.push('');
	out.push('"Refused creates": answered 400 (the audio key this run does not take), nothing created; the node re-sends with the other key.');
	out.push('');

	// 4.
	const frameImageBytes = statSync(path.join(FIXTURES_DIR, 'frame.png')).size;
	out.push(`## 4. Frame uploads: ${FRAME_ITEMS} items, every one with the same start frame image, default maxConcurrency (4)`);
	out.push('');
	const frameRow = ({ build, result }: FrameRuns['runs'][number]) => {
		const counts = requestCounts(result);
		return [
			build === 'before' ? `before: ${frames.before.commit} (${frames.before.subject.slice(0, 40)}…)` : 'after: this build',
			seconds(result.executionMs),
			counts.initImages,
			counts.s3Uploads,
			counts.initImages + counts.s3Uploads,
			`${counts.creates} (${counts.refusedCreates} refused)`,
			new Set(startFrameIds(result)).size,
			counts.polls,
			counts.downloads,
			counts.other + counts.accounts,
		];
	};
	out.push(
		table(
			['Package', 'Wall (s)', 'POST /v1/init-image', 'S3 upload POSTs', 'Frame requests per batch', 'Creates', 'Distinct start frame IDs in the creates', 'Status reads', 'Downloads', 'Other'],
			frames.runs.map(frameRow),
		),
	);
	out.push('');
	const frameRequests = (build: 'before' | 'after') => {
		const counts = requestCounts(frames.runs.find((run) => run.build === build)!.result);
		return counts.initImages + counts.s3Uploads;
	};
	out.push(
		`**Frame requests per batch (POST /v1/init-image + S3 upload): ${frameRequests('before')} before, ${frameRequests('after')} after.** ` +
			`Each item read the same ${frameImageBytes}-byte PNG (test/fixtures/frame.png) with a Read/Write Files node, so it carried its own ` +
			`copy of the same bytes as its Start Frame (source Binary). "Before" is the package built from commit ${frames.before.commit} ` +
			`(\`${BEFORE_UPLOAD_REUSE}\`, the commit before one upload per distinct frame image per execution) with this clone's node_modules, ` +
			`loaded in a second n8n user folder; both ran in the same n8n against the same emulator, one after the other, from the request ` +
			`log of the emulator. Emulator: init images reusable (\`initImagesSingleUse\` ${switches.initImagesSingleUse ? 'on' : 'off'}, ` +
			`its default; that Leonardo accepts a reused init image ID is INFERRED in leonardo-api.md), and both audio keys accepted in this ` +
			`figure only, since the package before predates the error shape from which today's node learns the key.`,
	);
	out.push('');

	// 5.
	const [slotSingle, ...slotBatches] = slots.runs;
	out.push(
		`## 5. Concurrency: ${BATCH_ITEMS} items on an emulator account with ${ACCOUNT_SLOTS} API concurrency slots, each generation ${GENERATION_MS / 1000} s`,
	);
	out.push('');
	out.push(
		table(
			['Run', 'Wall (s)', 'Ratio to N=1', 'Most generations PENDING at once', 'Held back by the emulator for a slot', 'GET /v1/me'],
			slots.runs.map(({ setting, result }) => [
				result === slotSingle.result ? 'N=1' : `N=${BATCH_ITEMS}, Max Concurrent Generations ${setting}`,
				seconds(result.executionMs),
				(result.executionMs / slotSingle.result.executionMs).toFixed(2),
				peakPending(result),
				queuedBySlots(result),
				requestCounts(result).accounts,
			]),
		),
	);
	out.push('');
	const [atDefault, atAuto] = slotBatches.map(({ result }) => result);
	out.push(
		`**${seconds(atDefault.executionMs)} s at the default, ${seconds(atAuto.executionMs)} s at Auto: ` +
			`${(atDefault.executionMs / atAuto.executionMs).toFixed(2)} × faster**, measured one after the other in this run. ` +
			`Auto (0) reads \`apiConcurrencySlots\` from GET /v1/me once per execution (${ACCOUNT_SLOTS} on this account) and runs ` +
			`min(slots, 20) generations at once; the default runs 4. ${findingPollText(switches)[0].toUpperCase()}${findingPollText(switches).slice(1)}, ` +
			`so ${BATCH_ITEMS} items take ${rounds(Math.ceil(BATCH_ITEMS / 4))} at 4 and ${Math.ceil(BATCH_ITEMS / ACCOUNT_SLOTS)} at ${ACCOUNT_SLOTS}. ` +
			`Beyond its slots the emulator ${slots.beyondSlots === 'queue' ? 'queues a new generation (`beyondSlots: queue`, its default: it stays PENDING until a slot frees; `refuse` would answer 429 instead)' : 'answers 429 (`beyondSlots: refuse`)'}; ` +
			`"held back" counts generations PENDING longer than their ${GENERATION_MS / 1000} s: ` +
			(queuedBySlots(atDefault) + queuedBySlots(atAuto) === 0
				? 'none, so neither run went beyond the slots.'
				: `${queuedBySlots(atDefault) + queuedBySlots(atAuto)}, so a run went beyond the slots.`),
	);
	return out.join('\n');
}

/** The first status read comes one poll interval after the create; inside the fresh-read window it misses. */
const firstReadMisses = (switches: EmulatorSwitches) => switches.freshReadWindowMs > POLL_INTERVAL_MS;
/** When the status read that finds a generation of GENERATION_MS (< one poll interval) goes out, after its create. */
const findingPollMs = (switches: EmulatorSwitches) => (firstReadMisses(switches) ? 2 : 1) * POLL_INTERVAL_MS;
function findingPollText(switches: EmulatorSwitches): string {
	return firstReadMisses(switches)
		? `the first status read, ${POLL_INTERVAL_MS / 1000} s after the create, is answered 404, null or 500 by the emulator (a brand-new ID), ` +
				`the second, ${findingPollMs(switches) / 1000} s after, finds it COMPLETE`
		: `seen by the first status read ${POLL_INTERVAL_MS / 1000} s after the create`;
}

main()
	.then(
		() => cleanUp(),
		async (error: unknown) => {
			process.stderr.write(`\n[bench] FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
			await cleanUp();
			process.exitCode = 1;
		},
	)
	.catch(() => (process.exitCode = 1));
