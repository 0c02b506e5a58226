/**
 * Peak memory of a process tree (Linux /proc): every `intervalMs` the tree under `rootPid` is
 * listed (children found through the parent PID in /proc/<pid>/stat) and the VmRSS of its members
 * summed. Also keeps each member's last VmHWM (its own high-water mark, exact even between samples).
 */
import { readdirSync, readFileSync } from 'node:fs';

const KIB = 1024;

export interface TreeMemory {
	/** Highest sum of VmRSS over the tree seen in one sample, in bytes. */
	peakTreeRss: number;
	/** Sum over every process seen of its VmHWM (peak RSS), in bytes: an upper bound of the tree's peak. */
	sumOfPeaks: number;
	/** Each process seen: its command (shortened) and VmHWM in bytes. */
	processes: Array<{ pid: number; command: string; peakRss: number }>;
	samples: number;
}

function statusField(status: string, field: string): number | undefined {
	const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
	return match ? Number(match[1]) * KIB : undefined;
}

function readText(file: string): string | undefined {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return undefined; // The process ended meanwhile.
	}
}

/** PIDs of `rootPid` and all its descendants. */
export function processTree(rootPid: number): number[] {
	const children = new Map<number, number[]>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const stat = readText(`/proc/${entry}/stat`);
		if (!stat) continue;
		// "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split after the last ')'.
		const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
		const list = children.get(ppid) ?? [];
		list.push(Number(entry));
		children.set(ppid, list);
	}
	const tree: number[] = [];
	const queue = [rootPid];
	while (queue.length) {
		const pid = queue.shift()!;
		tree.push(pid);
		queue.push(...(children.get(pid) ?? []));
	}
	return tree;
}

export class TreeSampler {
	private readonly timer: NodeJS.Timeout;
	private peakTreeRss = 0;
	private samples = 0;
	private readonly seen = new Map<number, { command: string; peakRss: number }>();

	private readonly rootPid: number;

	constructor(rootPid: number, intervalMs = 50) {
		this.rootPid = rootPid;
		this.sample();
		this.timer = setInterval(() => this.sample(), intervalMs);
	}

	sample(): void {
		let total = 0;
		let alive = false;
		for (const pid of processTree(this.rootPid)) {
			const status = readText(`/proc/${pid}/status`);
			if (!status) continue;
			const rss = statusField(status, 'VmRSS');
			if (rss === undefined) continue; // A zombie: no memory left.
			alive = true;
			total += rss;
			const known = this.seen.get(pid);
			const peakRss = Math.max(known?.peakRss ?? 0, statusField(status, 'VmHWM') ?? rss);
			const command =
				known?.command ?? (readText(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean).map(shorten).join(' ').slice(0, 80);
			this.seen.set(pid, { command, peakRss });
		}
		if (alive) {
			this.samples++;
			this.peakTreeRss = Math.max(this.peakTreeRss, total);
		}
	}

	stop(): TreeMemory {
		clearInterval(this.timer);
		const processes = [...this.seen].map(([pid, entry]) => ({ pid, ...entry }));
		return {
			peakTreeRss: this.peakTreeRss,
			sumOfPeaks: processes.reduce((sum, entry) => sum + entry.peakRss, 0),
			processes,
			samples: this.samples,
		};
	}
}

/** `/long/path/to/node_modules/.bin/n8n` → `n8n`, so the report names processes readably. */
function shorten(argument: string): string {
	return argument.startsWith('/') ? argument.slice(argument.lastIndexOf('/') + 1) : argument;
}
