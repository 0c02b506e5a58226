/**
 * Throughput and memory benchmark of the LTX Video node in a real n8n (npm run bench): the runs only.
 *
 * One Leonardo emulator (its default switches, except where a figure says) and an n8n user folder with this
 * package linked in as a community package. Every measured run is `n8n execute --id` (lab.ts). Figures:
 *   1. Batch: N=1, then N=20 at maxConcurrency 1, default (4) and 20; emulator generation time 3 s.
 *   2. Memory: peak RSS of the n8n process tree for a 1 MiB vs a 1 GiB (and a 4 GiB) MP4.
 *   3. Detection lag: emulator COMPLETE → download start, and API requests per generation.
 *   4. Frame uploads: 20 items with the same start frame image, requests per batch.
 *   5. Concurrency: 20 items on an account with 10 slots, the default (4) vs Auto (0).
 *   6. Frame link memory: 16 items with distinct 30–40 MiB frame links, peak RSS growth (median of 3).
 * The report is rendered by report.ts; before/after comparisons measured once are in bench/RESULTS.md.
 *
 *   bash bench/bench.sh [--out FILE] [--quick] [--only-frame-memory] [--compare-with REV]
 *     --out FILE             also write the report (markdown) to FILE (its one-off comparisons section is kept)
 *     --quick                smaller runs (N=4, 64 MiB), to check the harness; not the published figures
 *     --only-frame-memory    figure 6 alone
 *     --compare-with REV     figures 4 and 6 also on the package built at commit REV of this clone, in a
 *                            second user folder (a shallow clone without REV stops with a message at the start)
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startEmulator } from '../test/e2e/emulator-process.ts';
import { N8nInstance } from '../test/e2e/n8n-instance.ts';
import { FIXTURES_DIR, N8N_FILES_DIR, n8nBin } from '../test/e2e/project.ts';
import { assertVideos, buildPackageAt, type BuiltPackage, cleanUp, lab, measure, type Measured, setSwitches, storedFile, streamCopy } from './lab.ts';
import { renderReport, type SlotRuns, title, writeReport } from './report.ts';
import { type FrameMemoryRuns, type FrameRuns, renderFrameMemory } from './report-frames.ts';
import type { MemoryRuns } from './report-memory.ts';
import {
	ACCOUNT_SLOTS,
	BATCH_ITEMS,
	CODE_VERSION,
	COMPARE_WITH,
	CREDENTIAL,
	FRAME_ITEMS,
	FRAME_LINK_ITEMS,
	FRAME_LINK_MAX,
	FRAME_LINK_MIN,
	FRAME_MEMORY_REPEATS,
	GENERATION_MS,
	LAG_FIRST_MS,
	LAG_ITEMS,
	LAG_RUNS,
	LAG_SHUFFLE,
	LAG_STEP_MS,
	MEMORY_REPEATS,
	MEMORY_SIZES,
	ONLY_FRAME_MEMORY,
	SINGLE_RUNS,
} from './settings.ts';
import { machine, mib, startFrameIds } from './stats.ts';
import { generateWorkflow } from './workflows.ts';

/** The n8n instances runs go to: this build, and with --compare-with the package built at that commit. */
interface Instances {
	after: N8nInstance;
	before?: { n8n: N8nInstance; built: BuiltPackage };
}

const withCredential = async (n8n: N8nInstance) =>
	await n8n.importCredentials([{ ...CREDENTIAL, data: { apiKey: lab.emulator!.apiKey, baseUrl: lab.emulator!.baseUrl } }]);

/** The package at COMPARE_WITH in a user folder of its own (built first: a missing commit stops the run at once). */
async function comparedInstance(built: BuiltPackage | undefined, packageDir: string, homeDir?: string): Promise<Instances['before']> {
	if (!built) return undefined;
	const n8n = await N8nInstance.create({ parentDir: lab.scratch!, namePrefix: 'before-', homeDir, packageDir });
	await withCredential(n8n);
	return { n8n, built };
}

/** The builds to measure, in order: the compared one first, then this build. */
const builds = ({ after, before }: Instances) => [...(before ? [['before', before.n8n] as const] : []), ['after', after] as const];

/**
 * Figure 6: the same two batches (one tiny link for all items; distinct large links) per build. Links on
 * this machine: Allow Private Links on (a package from before that option ignores it).
 */
async function runFrameMemory(instances: Instances): Promise<FrameMemoryRuns> {
	const step = FRAME_LINK_ITEMS > 1 ? Math.floor((FRAME_LINK_MAX - FRAME_LINK_MIN) / (FRAME_LINK_ITEMS - 1)) : 0;
	const linkBytes = Array.from({ length: FRAME_LINK_ITEMS }, (_, index) => FRAME_LINK_MIN + index * step);
	const prompts = linkBytes.map((_, index) => `Frame memory clip ${index + 1}`);
	const options = { allowPrivateLinks: true };
	const imagesUrl = lab.emulator!.imagesUrl;
	const workflows = {
		baseline: generateWorkflow('ltxBenchFrameLinksSmall', prompts, options, CREDENTIAL, { startFrameUrls: prompts.map(() => `${imagesUrl}/images/frame.png`) }),
		large: generateWorkflow('ltxBenchFrameLinksLarge', prompts, options, CREDENTIAL, {
			startFrameUrls: linkBytes.map((bytes) => `${imagesUrl}/images/padded.png?bytes=${bytes}`),
		}),
	};
	const label = (what: string, build: string) => `frame link memory, ${FRAME_LINK_ITEMS} items, ${what}, ${build}`;
	const runs: FrameMemoryRuns['runs'] = [];
	for (const [build, instance] of builds(instances)) {
		await instance.importWorkflows(Object.values(workflows));
		const baseline = await measure(instance, workflows.baseline, label('one 535-byte link', build));
		assertVideos(baseline, FRAME_LINK_ITEMS);
		runs.push({ build, baseline, large: [] });
	}
	// The packages take turns, so drift on the machine affects both alike.
	for (let repeat = 1; repeat <= FRAME_MEMORY_REPEATS; repeat++) {
		for (const [index, [build, instance]] of builds(instances).entries()) {
			const large = await measure(instance, workflows.large, label(`distinct ${mib(FRAME_LINK_MIN)}–${mib(FRAME_LINK_MAX)} MiB links #${repeat}`, build));
			assertVideos(large, FRAME_LINK_ITEMS);
			if (new Set(startFrameIds(large)).size !== FRAME_LINK_ITEMS) throw new Error(`${large.label}: not one uploaded frame per item`);
			runs[index].large.push(large);
		}
	}
	return { before: instances.before?.built, linkBytes, runs };
}

function prompts(count: number, marker: (index: number) => string = () => ''): string[] {
	return Array.from({ length: count }, (_, index) => `Benchmark clip ${index + 1}: waves on a pebble beach ${marker(index)}`.trim());
}

async function main(): Promise<void> {
	const benchStarted = performance.now();
	const n8nVersion = execFileSync(n8nBin(), ['--version'], { encoding: 'utf8' }).trim();
	lab.scratch = mkdtempSync(path.join(os.tmpdir(), 'ltx-bench-'));
	process.stderr.write(`[bench] ${machine(n8nVersion)}\n[bench] scratch folder ${lab.scratch}\n`);
	const comparedDir = path.join(lab.scratch, 'package-compared');
	const compared = COMPARE_WITH === undefined ? undefined : buildPackageAt(COMPARE_WITH, comparedDir);
	lab.emulator = await startEmulator({ delayMs: GENERATION_MS });
	if (ONLY_FRAME_MEMORY) {
		const after = await N8nInstance.create({ parentDir: lab.scratch });
		await withCredential(after);
		const report = [
			title(', figure 6 only'),
			'',
			`- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; machine: ${machine(n8nVersion)}; code: ${CODE_VERSION}`,
			'',
			renderFrameMemory(await runFrameMemory({ after, before: await comparedInstance(compared, comparedDir) })),
		].join('\n');
		process.stdout.write(`\n${report}\n`);
		writeReport(report);
		return;
	}

	const switches = await setSwitches({});
	// Both packages' n8n share one home: its ~/.n8n-files (n8n's default file folder) holds the start frame.
	const homeDir = path.join(lab.scratch, 'home');
	const filesDir = path.join(homeDir, N8N_FILES_DIR);
	const n8n = await N8nInstance.create({ parentDir: lab.scratch, homeDir });
	await withCredential(n8n);
	const instances: Instances = { after: n8n, before: await comparedInstance(compared, comparedDir, homeDir) };
	const startFrameFile = path.join(filesDir, 'start-frame.png');
	copyFileSync(path.join(FIXTURES_DIR, 'frame.png'), startFrameFile);

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
	await instances.before?.n8n.importWorkflows([framesWorkflow]);

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

	// 4. Frame uploads: the same batch per build. The emulator takes both audio spellings here: a package
	// built at an older commit may predate the error shapes it learns the spelling from.
	await setSwitches({ audioField: 'both' });
	const frames: FrameRuns = { before: instances.before?.built, runs: [] };
	for (const [build, instance] of builds(instances)) {
		const result = await measure(instance, framesWorkflow, `frame uploads, ${FRAME_ITEMS} items, one image, ${build}`);
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

	// 6. Frame link memory: distinct large links.
	const frameMemory = await runFrameMemory(instances);

	const benchMs = performance.now() - benchStarted;
	const report = `${renderReport({ n8nVersion, switches, singles, batch, memory, lag, frames, slots, benchMs })}\n\n${renderFrameMemory(frameMemory)}`;
	process.stdout.write(`\n${report}\n`);
	writeReport(report);
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
