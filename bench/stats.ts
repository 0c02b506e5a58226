/** Numbers read from measured runs (request counts, lags, peaks) and the formatting the report uses. */
import os from 'node:os';

import type { Measured } from './lab.ts';
import { GENERATION_MS, GiB, MiB } from './settings.ts';

export const median = (values: number[]) => quantile(values, 0.5);
export function quantile(values: number[], q: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	if (!sorted.length) return NaN;
	const position = (sorted.length - 1) * q;
	const low = Math.floor(position);
	const high = Math.ceil(position);
	return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}
export const seconds = (ms: number) => (ms / 1000).toFixed(2);
export const mib = (bytes: number) => (bytes / MiB).toFixed(1);
export const rounds = (count: number) => `${count} ${count === 1 ? 'round' : 'rounds'}`;

export function table(headers: string[], rows: Array<Array<string | number>>): string {
	const cells = [headers, ...rows.map((row) => row.map(String))];
	const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
	const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
	return [line(headers), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

export interface RequestCounts {
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

export function requestCounts(result: Measured): RequestCounts {
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
export function startFrameIds(result: Measured): Array<string | undefined> {
	return result.requests
		.filter((request) => request.route === 'create' && request.status < 400)
		.map((request) => {
			const guidances = (request.body as { parameters?: { guidances?: { start_frame?: Array<{ image?: { id?: string } }> } } } | undefined)?.parameters?.guidances;
			return guidances?.start_frame?.[0]?.image?.id;
		});
}

/** Time between the status requests that found the first and the last generation of a run COMPLETE (each one's last). */
export function findingPollSpread(result: Measured): number {
	const findingPolls = result.generations.map(
		(generation) => Math.max(...result.requests.filter((request) => request.route === 'poll' && request.path.endsWith(generation.id)).map((request) => request.at)),
	);
	return Math.max(...findingPolls) - Math.min(...findingPolls);
}

/** Most generations PENDING on the emulator at once during a run (createdAt → completeAt). */
export function peakPending(result: Measured): number {
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
export const queuedBySlots = (result: Measured) =>
	result.generations.filter((generation) => generation.completeAt !== null && generation.completeAt - generation.createdAt > GENERATION_MS + 50).length;

export const lagsOf = (results: Measured[]) =>
	results.flatMap((result) => result.generations.map((generation) => generation.downloadStartedAt! - generation.completeAt!));

export function machine(n8nVersion: string): string {
	const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
	return (
		`${os.cpus().length} × ${cpu}, ${(os.totalmem() / GiB).toFixed(1)} GiB RAM, Linux ${os.release()}, ` +
		`Node ${process.version}, n8n ${n8nVersion} (regular mode, filesystem binary store, SQLite)`
	);
}
