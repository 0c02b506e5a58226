/**
 * Figures 4 (frame uploads) and 6 (frame link memory) of the report. Each shows this build; with
 * `--compare-with REV` also the package built at REV, in a row of its own. The one-off before/after
 * comparisons that introduced these figures are kept in bench/RESULTS.md.
 */
import { statSync } from 'node:fs';
import path from 'node:path';

import { FIXTURES_DIR } from '../test/e2e/project.ts';
import type { BuiltPackage, EmulatorSwitches, Measured } from './lab.ts';
import { FRAME_ITEMS, FRAME_LINK_ITEMS, FRAME_LINK_MAX, FRAME_LINK_MIN, FRAME_MEMORY_REPEATS } from './settings.ts';
import { median, mib, requestCounts, seconds, startFrameIds, table } from './stats.ts';

export type Build = 'before' | 'after';

/** Figure 4: the batch with one shared image, per package. */
export interface FrameRuns {
	/** With --compare-with: the package built at that commit. */
	before?: BuiltPackage;
	runs: Array<{ build: Build; result: Measured }>;
}

/** Figure 6: per package, the baseline run (one tiny link for all items) and the runs on distinct large links. */
export interface FrameMemoryRuns {
	before?: BuiltPackage;
	linkBytes: number[];
	runs: Array<{ build: Build; baseline: Measured; large: Measured[] }>;
}

const packageName = (build: Build, before?: BuiltPackage) =>
	build === 'before' && before ? `before: ${before.commit} (${before.subject.slice(0, 40)}…)` : 'this build';

/** The package in a sentence: "this build" or "efd4496". */
const shortName = (build: Build, before?: BuiltPackage) => (build === 'before' && before ? before.commit : 'this build');

const frameRequests = (result: Measured) => {
	const counts = requestCounts(result);
	return counts.initImages + counts.s3Uploads;
};

export function renderFrameUploads(frames: FrameRuns, switches: EmulatorSwitches): string {
	const out: string[] = [];
	const frameImageBytes = statSync(path.join(FIXTURES_DIR, 'frame.png')).size;
	out.push(`## 4. Frame uploads: ${FRAME_ITEMS} items, every one with the same start frame image, default maxConcurrency (4)`);
	out.push('');
	const frameRow = ({ build, result }: FrameRuns['runs'][number]) => {
		const counts = requestCounts(result);
		return [
			packageName(build, frames.before),
			seconds(result.executionMs),
			counts.initImages,
			counts.s3Uploads,
			frameRequests(result),
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
	const perPackage = frames.runs.map(({ build, result }) => `${frameRequests(result)} (${shortName(build, frames.before)})`);
	out.push(
		`**Frame requests per batch (POST /v1/init-image + S3 upload): ${perPackage.join(', ')}.** ` +
			`Each item read the same ${frameImageBytes}-byte PNG (test/fixtures/frame.png) with a Read/Write Files node, so it carried its own ` +
			`copy of the same bytes as its Start Frame (source Binary). Emulator: init images reusable (\`initImagesSingleUse\` ` +
			`${switches.initImagesSingleUse ? 'on' : 'off'}, its default; that Leonardo accepts a reused init image ID is INFERRED in ` +
			`leonardo-api.md), and both audio keys accepted in this figure only, so that a package built at an older commit ` +
			`(\`--compare-with\`, which may predate the error shape today's node learns the key from) meets the same emulator.`,
	);
	out.push('');
	return out.join('\n');
}

export function renderFrameMemory({ before, linkBytes, runs }: FrameMemoryRuns): string {
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
				packageName(run.build, before),
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
	const totalLinks = linkBytes.reduce((sum, bytes) => sum + bytes, 0);
	const perPackage = runs.map((run) => `+${mib(medianGrowth(run))} MiB (${shortName(run.build, before)})`);
	out.push(
		`**Peak RSS growth for ${FRAME_LINK_ITEMS} distinct large frame links, median of ${FRAME_MEMORY_REPEATS}: ${perPackage.join(', ')}** ` +
			`(${mib(totalLinks)} MiB of links in all; 4 × 50 MiB, the cap per frame times the default concurrency, is 200 MiB). Growth = peak tree RSS of ` +
			`a run on the large links minus that of the same ${FRAME_LINK_ITEMS} items on one 535-byte link, per package` +
			`${runs.length > 1 ? ', the packages taking turns' : ''}, in this run against the same emulator; the peak of one run depends on when ` +
			`garbage collections fall, hence several. Links on this machine, so Allow Private Links is on. This build downloads each link once to ` +
			`check it and once more for its upload (so it has twice as many link downloads as items), into one Blob that the upload streams as it is.`,
	);
	return out.join('\n');
}
