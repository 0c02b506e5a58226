/**
 * The Leonardo emulator (test/emulator) as a child process, as a real n8n talks to it over HTTP.
 * Driven through its unauthenticated control routes (/__emulator/*).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

import { EMULATOR_CLI, REPO_ROOT } from './project.ts';
import type { FaultSpec, RecordedRequest } from '../emulator/types.ts';
import type { WebhookDelivery, WebhookSettings } from '../emulator/webhooks.ts';

export interface EmulatorProcessOptions {
	/** Fixed port of the API server (the credential's base URL); 0 or absent = a free port. */
	apiPort?: number;
	s3Port?: number;
	cdnPort?: number;
	/** How long a new generation stays PENDING. */
	delayMs?: number;
	/** Listening address of the third-party image host (default 127.0.0.1). */
	imagesHost?: string;
	/** Log every request to stderr (the launcher shows them; tests keep them quiet). */
	verbose?: boolean;
}

/** One request the emulator recorded: the emulator's own type, as its control route returns it. */
export type { RecordedRequest };

export interface EmulatorProcess {
	/** Credential base URL, e.g. http://127.0.0.1:5680/api/rest */
	baseUrl: string;
	/** The one API key the emulator accepts. */
	apiKey: string;
	/** Origin of the third-party image host that frame links point at (test/emulator/images-server.ts). */
	imagesUrl: string;
	requests(): Promise<RecordedRequest[]>;
	/** Forgets recorded requests and pending faults. */
	reset(): Promise<void>;
	setOptions(options: Record<string, unknown>): Promise<void>;
	/** Queues faults (test/emulator/faults.ts): each answers the next requests of its route. */
	injectFaults(faults: FaultSpec[]): Promise<void>;
	/** The API key's webhook URL, callback key and variants (test/emulator/webhooks.ts). */
	configureWebhook(settings: WebhookSettings): Promise<void>;
	webhookDeliveries(): Promise<WebhookDelivery[]>;
	/** A finished image generation of the key; its callback goes out at once. */
	addImageGeneration(prompt?: string): Promise<string>;
	stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;

export async function startEmulator(options: EmulatorProcessOptions = {}): Promise<EmulatorProcess> {
	const args = [EMULATOR_CLI];
	const flags: Array<[string, number | undefined]> = [
		['--port-api', options.apiPort],
		['--port-s3', options.s3Port],
		['--port-cdn', options.cdnPort],
		['--delay', options.delayMs],
	];
	for (const [flag, value] of flags) if (value !== undefined) args.push(flag, String(value));
	if (options.imagesHost) args.push('--host-images', options.imagesHost);
	if (!options.verbose) args.push('--quiet');

	const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
	let stderr = '';
	child.stderr!.on('data', (chunk: Buffer) => {
		if (options.verbose) process.stderr.write(chunk);
		else stderr += chunk.toString();
	});
	const ready = await readReadyLine(child, () => stderr);
	const apiOrigin = new URL(ready.baseUrl).origin;
	const control = async (method: string, route: string, body?: unknown) => {
		const response = await fetch(`${apiOrigin}/__emulator/${route}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		if (!response.ok) throw new Error(`emulator ${method} /__emulator/${route}: HTTP ${response.status} ${await response.text()}`);
		return (await response.json()) as unknown;
	};
	return {
		baseUrl: ready.baseUrl,
		apiKey: ready.apiKey,
		imagesUrl: ready.imagesUrl,
		requests: async () => (await control('GET', 'requests')) as RecordedRequest[],
		reset: async () => void (await control('POST', 'reset')),
		setOptions: async (changes) => void (await control('POST', 'options', changes)),
		injectFaults: async (faults) => void (await control('POST', 'faults', faults)),
		configureWebhook: async (settings) => void (await control('POST', 'webhook', settings)),
		webhookDeliveries: async () => (await control('GET', 'webhook-deliveries')) as WebhookDelivery[],
		addImageGeneration: async (prompt) => ((await control('POST', 'image-generation', { prompt })) as { generationId: string }).generationId,
		stop: async () => await stopChild(child),
	};
}

/** The CLI prints one JSON line once all its servers listen, or exits (e.g. a port is taken). */
type ReadyLine = { baseUrl: string; apiKey: string; imagesUrl: string };

async function readReadyLine(child: ChildProcess, stderr: () => string): Promise<ReadyLine> {
	const lines = createInterface({ input: child.stdout! });
	try {
		return await new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`the emulator did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
			child.once('exit', (code) => {
				clearTimeout(timer);
				reject(new Error(`the emulator exited (code ${code}): ${stderr().trim() || 'no message'}`));
			});
			lines.once('line', (line) => {
				clearTimeout(timer);
				resolve(JSON.parse(line) as ReadyLine);
			});
		});
	} catch (error) {
		await stopChild(child);
		throw error;
	} finally {
		lines.close();
	}
}

async function stopChild(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
	await exited;
	clearTimeout(timer);
}
