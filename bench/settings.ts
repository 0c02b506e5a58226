/** The benchmark's settings: command-line flags, run sizes, the emulator account; shared by the runs and the report. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

import { REPO_ROOT } from '../test/e2e/project.ts';

const args = process.argv.slice(2);
const FLAGS = ['--quick', '--only-frame-memory'];
const FLAGS_WITH_VALUE = ['--out', '--compare-with'];
for (const [index, arg] of args.entries()) {
	const isValue = index > 0 && FLAGS_WITH_VALUE.includes(args[index - 1]);
	if (!isValue && !FLAGS.includes(arg) && !FLAGS_WITH_VALUE.includes(arg)) throw new Error(`bench: unknown argument ${arg}`);
}
function valueOf(flag: string): string | undefined {
	if (!args.includes(flag)) return undefined;
	const value = args[args.indexOf(flag) + 1];
	if (!value || value.startsWith('--')) throw new Error(`bench: ${flag} needs a value`);
	return value;
}

export const QUICK = args.includes('--quick');
export const ONLY_FRAME_MEMORY = args.includes('--only-frame-memory');
const outFile = valueOf('--out');
export const OUT_FILE = outFile === undefined ? undefined : path.resolve(outFile);
/** `--compare-with REV`: figures 4 and 6 also run on the package built at REV, a commit of this clone. */
export const COMPARE_WITH = valueOf('--compare-with');

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const BATCH_ITEMS = QUICK ? 4 : 20;
export const GENERATION_MS = 3000;
/**
 * MP4 sizes of the memory runs. The goal compares the first two (1 MiB vs 1 GiB); the third, four times
 * larger, shows whether the peak keeps growing with the video or stays put.
 */
export const SMALL_VIDEO = 1 * MiB;
export const LARGE_VIDEO = QUICK ? 64 * MiB : 1 * GiB;
export const LARGEST_VIDEO = 4 * LARGE_VIDEO;
export const MEMORY_SIZES = [SMALL_VIDEO, LARGE_VIDEO, LARGEST_VIDEO];
export const MEMORY_REPEATS = 3;
/**
 * Detection lag: PENDING times 8 s + k × 250 ms (k = 0…19) cover every phase of one 5 s poll period.
 * They start after the first status read (5 s), which the emulator answers 404/null/500 by default
 * (freshReadWindowMs), so the figure measures the poll cycle, not that miss (the fixed 3 s runs show it).
 * They are dealt to the items in a shuffled order (k = 7·i mod 20), so an item's place in the poll
 * queue (the node allows at most 10 status requests in any second) is independent of when it completes.
 */
export const LAG_ITEMS = QUICK ? 5 : 20;
export const LAG_FIRST_MS = 8000;
export const LAG_STEP_MS = QUICK ? 1000 : 250;
export const LAG_SHUFFLE = QUICK ? 2 : 7; // Coprime with LAG_ITEMS.
export const LAG_RUNS = 1;
/** N=1 is the denominator of every ratio: its median over a few runs. */
export const SINGLE_RUNS = QUICK ? 1 : 3;
export const RUN_TIMEOUT_MS = 10 * 60_000;
/** The node's default Poll Interval. */
export const POLL_INTERVAL_MS = 5000;
export const FRAME_ITEMS = BATCH_ITEMS;
/**
 * Figure 6: distinct links (own sizes, own bytes) of FRAME_LINK_MIN…MAX bytes on the emulator's image host
 * (padded.png?bytes=N); the baseline run uses the 535-byte frame.png for all.
 */
export const FRAME_LINK_ITEMS = QUICK ? 4 : 16;
export const FRAME_LINK_MIN = 30 * MiB;
export const FRAME_LINK_MAX = 40 * MiB;
/** Runs on the large links per package (the peak depends on when garbage collections fall): the median is reported. */
export const FRAME_MEMORY_REPEATS = QUICK ? 1 : 3;
/** Figure 5: the emulator account's API concurrency slots (GET /v1/me apiConcurrencySlots). */
export const ACCOUNT_SLOTS = 10;
export const LOAD_AT_START = os.loadavg().map((load) => load.toFixed(2)).join(', ');
/** The commit measured (`-dirty`: with uncommitted changes). */
export const CODE_VERSION = (() => {
	try {
		return `commit ${execFileSync('git', ['-C', REPO_ROOT, 'describe', '--always', '--dirty', '--abbrev=7'], { encoding: 'utf8' }).trim()}`;
	} catch {
		return 'not a git clone';
	}
})();
export const CREDENTIAL = { id: 'ltxBenchCred01', name: 'Leonardo.AI (emulator)' };
