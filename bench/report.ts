/**
 * The benchmark's report (markdown): the header, figures 1 (batch), 3 (detection lag and requests) and 5
 * (concurrency) here; 2 in report-memory.ts, 4 and 6 in report-frames.ts. run.ts measures, this renders.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { REPO_ROOT } from '../test/e2e/project.ts';

import type { EmulatorSwitches, Measured } from './lab.ts';
import { type FrameRuns, renderFrameUploads } from './report-frames.ts';
import { type MemoryRuns, renderMemory } from './report-memory.ts';
import {
	ACCOUNT_SLOTS,
	BATCH_ITEMS,
	CODE_VERSION,
	GENERATION_MS,
	LAG_FIRST_MS,
	LAG_ITEMS,
	LAG_RUNS,
	LAG_STEP_MS,
	LOAD_AT_START,
	OUT_FILE,
	POLL_INTERVAL_MS,
	QUICK,
} from './settings.ts';
import { findingPollSpread, lagsOf, machine, median, mib, peakPending, quantile, queuedBySlots, requestCounts, rounds, seconds, table } from './stats.ts';

export interface ReportInput {
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

/** Figure 5: N=1, then the batch at the default and at Auto, on an account with ACCOUNT_SLOTS slots. */
export interface SlotRuns {
	beyondSlots: string;
	runs: Array<{ setting: string; result: Measured }>;
}

export function renderReport(input: ReportInput): string {
	return [
		renderHeader(input),
		renderBatch(input),
		renderMemory(input.memory),
		renderLag(input),
		renderFrameUploads(input.frames, input.switches),
		renderConcurrency(input),
	].join('\n');
}

/** The title line of a report: quick runs say they are not the published figures. */
export const title = (what: string) => `# LTX Video node benchmark${what}${QUICK ? ' (QUICK MODE: not the published figures)' : ''}`;

/** Writes the report to OUT_FILE, keeping the file's section of one-off comparisons (bench/RESULTS.md). */
const ONE_OFF_HEADING = '# One-off comparisons';
export function writeReport(report: string): void {
	if (!OUT_FILE) return;
	let kept = '';
	try {
		const existing = readFileSync(OUT_FILE, 'utf8');
		if (existing.includes(ONE_OFF_HEADING)) kept = `\n${existing.slice(existing.indexOf(ONE_OFF_HEADING))}`;
	} catch {
		// A new file.
	}
	writeFileSync(OUT_FILE, `${report}\n${kept}`);
	process.stderr.write(`[bench] report written to ${path.relative(REPO_ROOT, OUT_FILE)}\n`);
}

function renderHeader({ n8nVersion, switches, benchMs }: ReportInput): string {
	const out: string[] = [];
	out.push(title(''));
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

	return out.join('\n');
}

function renderBatch({ switches, singles, batch }: ReportInput): string {
	const out: string[] = [];
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

	return out.join('\n');
}

function renderLag({ switches, singles, batch, lag, memory }: ReportInput): string {
	const out: string[] = [];
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

	return out.join('\n');
}

function renderConcurrency({ switches, slots }: ReportInput): string {
	const out: string[] = [];
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
