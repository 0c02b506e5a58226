/**
 * n8n in queue mode, as users scale it: one main process (`n8n start`: editor, REST API, webhooks,
 * enqueues executions) and one `n8n worker` (runs them), sharing Redis (Bull queue + pub/sub) and one
 * database. Built on the E2E harness (test/e2e): each process is an N8nInstance with its own user
 * folder, its own copy of the package as n8n's installer made it (test/e2e/installed-package.ts; installed
 * on main and on every worker, as users do) and its own task-runner broker port, so nothing but Redis and
 * the database connects them (no shared disk for binary data, as on separate machines).
 *
 * Redis and PostgreSQL are started by scripts/test-queue.sh, which passes them in LTX_QUEUE_* variables.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { type EmulatorProcess, startEmulator } from '../e2e/emulator-process.ts';
import { assertPortFree, N8nInstance, type RestSession, stopGroup } from '../e2e/n8n-instance.ts';
import type { Workflow } from '../e2e/examples.ts';
import { CREDENTIAL_TYPE, EXAMPLE_CREDENTIAL, FIXTURES_DIR, N8N_FILES_DIR, n8nBin } from '../e2e/project.ts';

const WORKER_READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;

/** The settings main and worker share (the ones a user puts in both containers' environment). */
export function queueModeEnv(scratchDir: string): Record<string, string> {
	const need = (name: string): string => {
		const value = process.env[name];
		if (!value) {
			throw new Error(`${name} is not set: run the queue-mode test through \`npm run test:queue\` (scripts/test-queue.sh starts Redis and PostgreSQL)`);
		}
		return value;
	};
	const db = process.env.LTX_QUEUE_DB ?? 'postgresdb';
	const database: Record<string, string> =
		db === 'sqlite'
			? // Both processes open the same file (n8n warns: not officially supported in queue mode).
				{ DB_TYPE: 'sqlite', DB_SQLITE_DATABASE: path.join(scratchDir, 'database.sqlite'), DB_SQLITE_POOL_SIZE: '2' }
			: {
					DB_TYPE: 'postgresdb',
					DB_POSTGRESDB_HOST: need('LTX_QUEUE_PG_HOST'),
					DB_POSTGRESDB_PORT: need('LTX_QUEUE_PG_PORT'),
					DB_POSTGRESDB_USER: need('LTX_QUEUE_PG_USER'),
					DB_POSTGRESDB_DATABASE: need('LTX_QUEUE_PG_DATABASE'),
					DB_POSTGRESDB_PASSWORD: '',
				};
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: need('LTX_QUEUE_REDIS_HOST'),
		QUEUE_BULL_REDIS_PORT: need('LTX_QUEUE_REDIS_PORT'),
		// Decrypts the credential on the worker: it must be the same in every process.
		N8N_ENCRYPTION_KEY: randomBytes(24).toString('base64url'),
		// n8n 2.41 still runs manual executions ("Execute workflow", POST /rest/workflows/:id/run) on
		// the main process unless this is set; production executions (webhooks, forms, schedules)
		// always go to the workers. n8n 3 makes offloading the only behaviour.
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		// Test speed only: after a workflow timeout, main 2.41.1 keeps the execution in its list of active
		// executions and would wait the default 30 s for it when stopped.
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
		...database,
	};
}

export interface QueueCluster {
	emulator: EmulatorProcess;
	main: N8nInstance;
	worker: WorkerProcess;
	/** Logged in as the owner, on the main process. */
	session: RestSession;
	/** `~/.n8n-files` of the home both processes share (the examples' `.n8n-files`); holds start-frame.png. */
	filesDir: string;
	/** The output both processes wrote so far (the current worker's). */
	mainLog(): string;
	workerLog(): string;
	/** Creates a workflow through main's REST API, its LTX Video nodes using the emulator's credential. */
	createWorkflow(workflow: Workflow): Promise<void>;
	/**
	 * Stops the worker and starts a new `n8n worker` process in a new user folder, as when a worker is
	 * replaced or scaled: returns the stopped one (its log stays readable).
	 */
	replaceWorker(): Promise<WorkerProcess>;
	dispose(): Promise<void>;
}

export interface QueueClusterOptions {
	emulatorDelayMs?: number;
	/**
	 * Workflows to create (with their `id`); their Leonardo
	 * credential is replaced by the one created for the emulator.
	 */
	workflows: () => Workflow[];
}

/** Starts the emulator, main and worker; sets up the owner; creates the credential and the workflows. */
export async function startQueueCluster(options: QueueClusterOptions): Promise<QueueCluster> {
	// Inside the run folder of scripts/test-queue.sh, which deletes it even when jest is killed.
	const scratch = mkdtempSync(path.join(process.env.LTX_QUEUE_RUN ?? tmpdir(), 'cluster-'));
	// One machine's home: main and worker find the examples' `.n8n-files` in the same place.
	const homeDir = path.join(scratch, 'home');
	const filesDir = path.join(homeDir, N8N_FILES_DIR);
	const env = queueModeEnv(scratch);
	const cleanups: Array<() => Promise<void> | void> = [
		() => rmSync(scratch, { recursive: true, force: true }),
		// scripts/test-queue.sh keeps this folder when the run fails: n8n's logs go there too.
		() => keepLogs(scratch, process.env.LTX_QUEUE_LOG_DIR),
	];
	const dispose = async () => {
		for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
	};
	const t0 = Date.now();
	const step = (what: string) => process.stderr.write(`[queue] ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
	try {
		const emulator = await startEmulator({ delayMs: options.emulatorDelayMs });
		cleanups.push(() => emulator.stop());
		const main = withEnv(await N8nInstance.create({ parentDir: scratch, namePrefix: 'main-', homeDir }), env);
		// Every process builds webhook and resume URLs ($execution.resumeUrl) from it: main's, where webhooks are served.
		env.WEBHOOK_URL = `${main.url}/`;
		cleanups.push(() => main.stop());
		const newWorker = async () =>
			new WorkerProcess(withEnv(await N8nInstance.create({ parentDir: scratch, namePrefix: 'worker-', homeDir }), env));
		let worker = await newWorker();
		cleanups.push(() => worker.stop());
		copyFileSync(path.join(FIXTURES_DIR, 'frame.png'), path.join(filesDir, 'start-frame.png'));

		// Main first: it runs the database migrations; a worker starting alongside would race them.
		await main.start();
		step('main ready');
		// Then the worker starts while the owner sets up through main's REST API, as in the editor:
		// the credential and the workflows land in the shared database, where the worker reads them.
		let credential: { id: string; name: string } | undefined;
		const [session] = await Promise.all([
			(async () => {
				const owner = await main.setupOwner();
				credential = await owner.request<{ id: string; name: string }>('POST', '/rest/credentials', {
					name: EXAMPLE_CREDENTIAL.name,
					type: CREDENTIAL_TYPE,
					data: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl },
				});
				for (const workflow of options.workflows()) {
					await owner.request('POST', '/rest/workflows', withCredential(workflow, credential));
				}
				step('credential and workflows created');
				return owner;
			})(),
			worker.start().then(() => step('worker ready')),
		]);
		const cluster: QueueCluster = {
			emulator,
			main,
			worker,
			session,
			filesDir,
			mainLog: () => readLog(main.logFile),
			workerLog: () => readLog(worker.logFile),
			createWorkflow: async (workflow) => void (await session.request('POST', '/rest/workflows', withCredential(workflow, credential!))),
			replaceWorker: async () => {
				const previous = worker;
				await previous.stop();
				worker = await newWorker(); // the cleanup registered above stops whichever worker is current
				await worker.start();
				cluster.worker = worker;
				return previous;
			},
			dispose,
		};
		return cluster;
	} catch (error) {
		await dispose();
		throw error;
	}
}

/** The workflow as POST /rest/workflows takes it, its LTX Video nodes using `credential`. */
function withCredential(workflow: Workflow, credential: { id: string; name: string }): object {
	const nodes = workflow.nodes.map((node) =>
		node.credentials?.[CREDENTIAL_TYPE] ? { ...node, credentials: { ...node.credentials, [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } } } : node,
	);
	const { id, name, connections, settings } = workflow;
	return { id, name, nodes, connections, settings };
}

/**
 * Adds settings to what an N8nInstance passes to every n8n it runs (its env() inherits process.env,
 * which would leak them into other tests of the same jest worker).
 */
function withEnv(instance: N8nInstance, extra: Record<string, string>): N8nInstance {
	const base = instance.env.bind(instance);
	instance.env = () => ({ ...base(), ...extra });
	return instance;
}

function keepLogs(scratch: string, into: string | undefined): void {
	if (!into || !existsSync(into)) return;
	for (const entry of readdirSync(scratch)) {
		for (const log of ['n8n.log', 'worker.log']) {
			const file = path.join(scratch, entry, log);
			if (existsSync(file)) copyFileSync(file, path.join(into, `${entry}-${log}`));
		}
	}
}

function readLog(file: string): string {
	return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/**
 * `n8n worker` in the user folder of an N8nInstance that is never started itself. Its port serves the
 * worker's health endpoints (QUEUE_HEALTH_CHECK_*); its broker port differs from main's.
 */
export class WorkerProcess {
	private child: ChildProcess | undefined;

	constructor(private readonly instance: N8nInstance) {}

	get logFile(): string {
		return path.join(this.instance.userFolder, 'worker.log');
	}

	get healthUrl(): string {
		return `${this.instance.url}/healthz/readiness`;
	}

	get log(): string {
		return readLog(this.logFile);
	}

	/** Whether the process still runs. */
	get running(): boolean {
		return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
	}

	async start(): Promise<void> {
		await assertPortFree(this.instance.port, 'the n8n worker health server');
		const child = spawn(n8nBin(), ['worker'], {
			env: {
				...this.instance.env(),
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(this.instance.port),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			},
			cwd: this.instance.homeDir, // where a user starts n8n: relative `.n8n-files/` paths resolve there
			detached: true, // its own process group: stop() ends its task runner with it
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const log = createWriteStream(this.logFile);
		child.stdout!.pipe(log);
		child.stderr!.pipe(log);
		this.child = child;
		const deadline = Date.now() + WORKER_READY_TIMEOUT_MS;
		while (Date.now() < deadline) {
			if (!this.running) throw new Error(`n8n worker exited during start-up (code ${child.exitCode ?? child.signalCode})\n${this.logTail()}`);
			try {
				if ((await fetch(this.healthUrl)).ok) return;
			} catch {
				// Not listening yet.
			}
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		await this.stop();
		throw new Error(`n8n worker was not ready within ${WORKER_READY_TIMEOUT_MS / 1000} s\n${this.logTail()}`);
	}

	/** SIGTERM (the worker finishes or cancels its jobs), SIGKILL for the group if it hangs. */
	async stop(): Promise<void> {
		const child = this.child;
		this.child = undefined;
		if (child) await stopGroup(child, STOP_TIMEOUT_MS);
	}

	logTail(lines = 40): string {
		return readLog(this.logFile).trimEnd().split('\n').slice(-lines).join('\n');
	}
}
