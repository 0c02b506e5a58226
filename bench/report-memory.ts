/** Figure 2 of the report: peak RSS of the `n8n execute` process tree for a small and two large MP4s, and plain Node's floor. */
import type { Measured, StoredFile } from './lab.ts';
import { MEMORY_REPEATS, MiB } from './settings.ts';
import { median, mib, table } from './stats.ts';

/** One MP4 size of the memory runs: the n8n runs, where each video landed, and plain Node's peak RSS. */
export interface MemoryRuns {
	bytes: number;
	runs: Measured[];
	stored: Array<StoredFile | undefined>;
	floor: number[];
}

export function renderMemory(memory: MemoryRuns[]): string {
	const out: string[] = [];
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

	return out.join('\n');
}
