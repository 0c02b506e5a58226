/**
 * The paused Generate executions this trigger resumes: generation ID → the execution's resume URL,
 * kept in the workflow's static data (saved by n8n) and in this process. n8n loads the static data when a
 * webhook call starts and saves it whole when the call ends, so overlapping calls undo each other's
 * writes. Hence: nothing is deleted when a callback is relayed (a duplicate finds the entry again; the
 * resume URL answers "finished" by then), every write of this trigger adds what this process has
 * registered, and Generate repeats a registration until a call finds it stored (register-then-verify,
 * pauseProtocol.ts). Entries go when their wait has long expired, at the next write.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Registration } from '../shared/pauseProtocol';

interface ParkedExecution extends IDataObject {
	resumeUrl: string;
	expiresAt: number;
}

const STATIC_KEY = 'pausedGenerations';
/** Kept this long past its execution's timeout: a late callback still finds the execution (which answers "finished"). */
const KEEP_AFTER_EXPIRY_MS = 24 * 60 * 60 * 1000;

/** Per trigger node (`scope`): the registrations this process received. */
const registeredInProcess = new Map<string, Map<string, ParkedExecution>>();

const isLive = (entry: ParkedExecution, now: number) => entry.expiresAt + KEEP_AFTER_EXPIRY_MS > now;

function isParkedExecution(value: unknown): value is ParkedExecution {
	if (typeof value !== 'object' || value === null) return false;
	const { resumeUrl, expiresAt } = value as Record<string, unknown>;
	return typeof resumeUrl === 'string' && typeof expiresAt === 'number';
}

export class PauseRegistry {
	constructor(
		private readonly staticData: IDataObject,
		private readonly scope: string,
	) {}

	/** The registry as this call loaded it from the static data. */
	private stored(): Record<string, ParkedExecution> {
		const stored = this.staticData[STATIC_KEY];
		if (typeof stored !== 'object' || stored === null) return {};
		return Object.fromEntries(Object.entries(stored).filter(([, entry]) => isParkedExecution(entry))) as Record<string, ParkedExecution>;
	}

	private here(): Map<string, ParkedExecution> {
		let here = registeredInProcess.get(this.scope);
		if (!here) registeredInProcess.set(this.scope, (here = new Map()));
		return here;
	}

	/** The parked execution waiting for this generation, if any (stored or registered in this process). */
	find(generationId: string): ParkedExecution | undefined {
		return this.here().get(generationId) ?? this.stored()[generationId];
	}

	/**
	 * Adds the registration; returns the IDs the stored registry already held with this resume URL when
	 * the call began (all of them: the registration survived every save so far).
	 */
	register({ generationIds, resumeUrl, expiresAt }: Registration): string[] {
		const stored = this.stored();
		const known = generationIds.filter((id) => stored[id]?.resumeUrl === resumeUrl);
		for (const id of generationIds) this.here().set(id, { resumeUrl, expiresAt });
		if (known.length < generationIds.length) this.save();
		return known;
	}

	/**
	 * Writes the stored registry with this process's registrations added, expired ones left out. Called by
	 * every call of this trigger that changes the static data, since n8n saves the whole of it.
	 */
	save(): void {
		const now = Date.now();
		const merged: Record<string, ParkedExecution> = {};
		for (const [id, entry] of [...Object.entries(this.stored()), ...this.here().entries()]) {
			if (isLive(entry, now)) merged[id] = entry;
		}
		for (const [id, entry] of this.here()) if (!isLive(entry, now)) this.here().delete(id);
		// A trigger nobody registered with keeps its static data as it was.
		if (Object.keys(merged).length === 0 && !(STATIC_KEY in this.staticData)) return;
		this.staticData[STATIC_KEY] = merged;
	}
}

/**
 * Whether `resumeUrl` is a resume URL of the n8n this trigger runs on: same origin and base path as the
 * trigger's own production URL (`<base>/<webhook endpoint>/<webhookId>/webhook`), then
 * `/webhook-waiting/<execution ID>?signature=<token>` and nothing else. So a registration cannot make the
 * trigger call any other address.
 */
export function isOwnResumeUrl(ownWebhookUrl: string, webhookId: string | undefined, resumeUrl: string): boolean {
	let own: URL;
	let candidate: URL;
	try {
		own = new URL(ownWebhookUrl);
		candidate = new URL(resumeUrl);
	} catch {
		return false;
	}
	const suffix = `/${webhookId ?? ''}/webhook`;
	if (!webhookId || !own.pathname.endsWith(suffix)) return false;
	const basePath = own.pathname.slice(0, -suffix.length).replace(/\/[^/]*$/, '');
	if (candidate.origin !== own.origin || candidate.username || candidate.password || candidate.hash) return false;
	if (!candidate.pathname.startsWith(`${basePath}/webhook-waiting/`)) return false;
	const executionId = candidate.pathname.slice(`${basePath}/webhook-waiting/`.length);
	return /^[A-Za-z0-9-]{1,64}$/.test(executionId) && /^\?signature=[A-Za-z0-9._~-]{16,256}$/.test(candidate.search);
}
