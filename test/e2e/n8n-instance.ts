/**
 * A real n8n (the version scripts/n8n-runtime.sh installs, on the Node it needs) in a throwaway user
 * folder, with this package in <userFolder>/.n8n/nodes/node_modules/n8n-nodes-leonardo-ltx, where n8n
 * finds community packages (see `PackageSource`).
 *
 * Shared by the launcher (`npm start`), the E2E tests, the browser test, the queue cluster and the bench.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

import { CREDENTIAL_TYPE, N8N_FILES_DIR, n8nBin, PACKAGE_NAME, REPO_ROOT } from './project.ts';

/**
 * How the package gets into the user folder:
 * - `installed`: a copy of what n8n's own Community Nodes installer made of the packed package (the
 *   E2E and queue runs prepare one per run, see installed-package.ts, and name it in
 *   LTX_INSTALLED_NODES_DIR): the package's files without node_modules, n8n-workflow from n8n itself.
 * - `link`: a symlink to `packageDir` (default the clone), which then resolves n8n-workflow from the
 *   clone's devDependencies (`npm start`, so a rebuild shows after a restart).
 * - `registry`: nothing yet; n8n gets the run's local registry as its community-packages registry and
 *   `installPackage()` installs the package through n8n's installer, as Settings → Community Nodes does.
 * - `none`: an empty nodes folder, for a test that installs the package itself (the README's npm commands).
 */
export type PackageSource = 'installed' | 'link' | 'registry' | 'none';

export interface N8nInstanceOptions {
	/** The user folder is created inside this folder, named `<namePrefix><random>`. */
	parentDir: string;
	/** Default `run-`. */
	namePrefix?: string;
	/**
	 * n8n's home folder (HOME) and working folder; default: the user folder. n8n 2.x lets the Read/Write
	 * Files node use only `~/.n8n-files` (its default N8N_RESTRICT_FILE_ACCESS_TO, `~` being HOME), which
	 * `create()` makes as the README tells users to; the examples name it relative to the working folder.
	 * Processes of one machine (the queue cluster's main and worker) share one.
	 */
	homeDir?: string;
	/** Port of the editor and REST API; default: a free port. */
	port?: number;
	/** Port of the task runner broker (n8n's default is 5679); default: a free port. */
	brokerPort?: number;
	/** Default: `installed` when the run has an installation (LTX_INSTALLED_NODES_DIR), else `link`. */
	packageSource?: PackageSource;
	/** For `link`: the package n8n loads; default: this clone. E.g. an unpacked `npm pack` tarball. */
	packageDir?: string;
}

/** What POST /rest/community-packages answers (the installer's record of the package). */
export interface InstalledPackage {
	packageName: string;
	installedVersion: string;
	installedNodes: Array<{ name: string; type: string; latestVersion: number }>;
}

export interface CredentialSeed {
	id: string;
	name: string;
	data: { apiKey: string; baseUrl: string; webhookCallbackApiKey?: string };
}

/** A credential of another type than Leonardo's (e.g. `s3` for an example's storage). */
export interface OtherCredentialSeed {
	id: string;
	name: string;
	type: string;
	data: Record<string, string | boolean>;
}

export interface Owner {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

export interface CommandResult {
	exitCode: number;
	stdout: string;
	stderr: string;
}

/** `n8n execute` output: the run data of every node, or the error that ended the execution. */
export interface ExecutionResult extends CommandResult {
	run?: {
		finished?: boolean;
		status?: string;
		data: {
			resultData: {
				runData: Record<string, Array<{ executionStatus?: string; data?: { main: Array<Array<OutputItem> | null> } }>>;
				error?: { message: string; description?: string };
				lastNodeExecuted?: string;
			};
		};
	};
}

export interface OutputItem {
	json: Record<string, unknown>;
	binary?: Record<string, { mimeType: string; fileName?: string; fileSize?: string; bytes?: number; id?: string }>;
	pairedItem?: { item: number } | Array<{ item: number }>;
}

export const DEMO_OWNER: Owner = {
	email: 'demo@example.com',
	password: 'LtxVideo-demo1',
	firstName: 'Demo',
	lastName: 'User',
};

const STARTUP_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

export class N8nInstance {
	readonly userFolder: string;
	readonly port: number;
	private readonly brokerPort: number;
	readonly packageSource: PackageSource;
	readonly homeDir: string;
	private server: ChildProcess | undefined;
	private readonly exitListeners: Array<(code: number | null) => void> = [];

	private constructor(userFolder: string, homeDir: string, port: number, brokerPort: number, packageSource: PackageSource) {
		this.userFolder = userFolder;
		this.homeDir = homeDir;
		this.port = port;
		this.brokerPort = brokerPort;
		this.packageSource = packageSource;
	}

	/** Creates the user folder and puts the package into it (nothing runs yet). */
	static async create(options: N8nInstanceOptions): Promise<N8nInstance> {
		const installed = process.env.LTX_INSTALLED_NODES_DIR;
		const source: PackageSource = options.packageSource ?? (installed && !options.packageDir ? 'installed' : 'link');
		mkdirSync(options.parentDir, { recursive: true });
		const userFolder = mkdtempSync(path.join(options.parentDir, options.namePrefix ?? 'run-'));
		const nodesDir = path.join(userFolder, '.n8n', 'nodes');
		if (source === 'installed') {
			if (!installed) throw new Error('LTX_INSTALLED_NODES_DIR is not set: the E2E global set-up (installed-package.ts) prepares the installation');
			// The nodes folder as n8n's installer left it: node_modules/<package> and the package.json recording it.
			cpSync(installed, nodesDir, { recursive: true });
		} else {
			mkdirSync(path.join(nodesDir, 'node_modules'), { recursive: true });
			if (source === 'link') symlinkSync(options.packageDir ?? REPO_ROOT, path.join(nodesDir, 'node_modules', PACKAGE_NAME), 'dir');
		}
		const homeDir = options.homeDir ?? userFolder;
		// n8n creates neither this folder nor folders inside it: the README tells users to create it.
		mkdirSync(path.join(homeDir, N8N_FILES_DIR), { recursive: true });
		const port = options.port ?? (await freePort());
		const brokerPort = options.brokerPort ?? (await freePort());
		return new N8nInstance(userFolder, homeDir, port, brokerPort, source);
	}

	/** `~/.n8n-files`: the one folder a stock n8n 2.x lets workflows read and write. */
	get filesDir(): string {
		return path.join(this.homeDir, N8N_FILES_DIR);
	}

	/** Where n8n keeps community packages: <userFolder>/.n8n/nodes/node_modules/<package>. */
	get packageInstallDir(): string {
		return path.join(this.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** Where `start()` writes n8n's output when it is not shown on the console. */
	get logFile(): string {
		return path.join(this.userFolder, 'n8n.log');
	}

	/**
	 * n8n's defaults, as a user has them, but quiet and local-only: no telemetry, banners or calls home,
	 * listening on 127.0.0.1 on ports of its own. Nothing here changes what a workflow may do (files,
	 * environment access, database): the tests see what a user's n8n does.
	 */
	env(): NodeJS.ProcessEnv {
		// Not jest's NODE_ENV=test: n8n then runs as in its own unit tests (silent, no execution output).
		const { NODE_ENV: _testRunnerMode, JEST_WORKER_ID: _jestWorker, ...inherited } = process.env;
		// `npm run` exports this clone's npm settings (npm_config_*, e.g. engine-strict from .npmrc) to the
		// tests; n8n's installer runs npm too and must see a user's npm, not ours.
		for (const name of Object.keys(inherited)) if (/^npm_(config|package|lifecycle)_/i.test(name)) delete inherited[name];
		// n8n's defaults, not whatever the shell running the tests sets (e.g. N8N_RESTRICT_FILE_ACCESS_TO).
		for (const name of Object.keys(inherited)) if (name.startsWith('N8N_')) delete inherited[name];
		// n8n runs on the Node scripts/n8n-runtime.sh paired it with (22 for 1.x), the tests on Node 24.
		const nodeBin = process.env.LTX_N8N_NODE_DIR ? path.join(process.env.LTX_N8N_NODE_DIR, 'bin') : undefined;
		return {
			...inherited,
			HOME: this.homeDir,
			PATH: nodeBin ? `${nodeBin}${path.delimiter}${inherited.PATH ?? ''}` : inherited.PATH,
			...(this.packageSource === 'registry' ? registryEnv() : {}),
			// The matrix (scripts/test-matrix.sh) runs 1.x in both its binary data modes: `default` (in memory,
			// 1.x's default) and `filesystem`. Unset: the version's own default.
			...(process.env.LTX_N8N_BINARY_DATA_MODE ? { N8N_DEFAULT_BINARY_DATA_MODE: process.env.LTX_N8N_BINARY_DATA_MODE } : {}),
			// n8n's default (HOME) unless processes share a home (the queue cluster): then each has its own.
			N8N_USER_FOLDER: this.userFolder,
			N8N_PORT: String(this.port),
			N8N_HOST: '127.0.0.1',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			// The editor over plain http on 127.0.0.1 (n8n's own advice for a local http set-up).
			N8N_SECURE_COOKIE: 'false',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_DYNAMIC_BANNERS_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			// 2.x fetches a list of MCP servers from api.n8n.io at start-up (a stack trace when offline); unused
			// here. 1.x has no such module and refuses to start when an unknown one is named.
			...(N8N_VERSION.startsWith('1.') ? {} : { N8N_DISABLED_MODULES: 'mcp-registry' }),
		};
	}

	/** Runs an n8n CLI command against this user folder; `extraEnv` adds settings for this command only. */
	async command(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
		return await collectOutput(spawn(n8nBin(), args, { env: { ...this.env(), ...extraEnv }, cwd: this.homeDir, stdio: ['ignore', 'pipe', 'pipe'] }));
	}

	/**
	 * Imports credentials (`leonardoAiApi` unless a seed names its type). The key sits in a file readable by the owner only, for the
	 * few seconds of the import (n8n encrypts it into its database), and is never printed.
	 */
	async importCredentials(credentials: Array<CredentialSeed | OtherCredentialSeed>): Promise<void> {
		const file = path.join(this.userFolder, 'credentials-to-import.json');
		const seeds = credentials.map((credential) => ({ type: CREDENTIAL_TYPE, ...credential }));
		writeFileSync(file, JSON.stringify(seeds), { mode: 0o600 });
		try {
			await this.mustSucceed(['import:credentials', `--input=${file}`], 'import the credential');
		} finally {
			rmSync(file, { force: true });
		}
	}

	/** Imports workflows (objects as in examples/*.json, with their `id`). */
	async importWorkflows(workflows: object[]): Promise<void> {
		const dir = mkdtempSync(path.join(this.userFolder, 'workflows-'));
		workflows.forEach((workflow, index) => writeFileSync(path.join(dir, `${index}.json`), JSON.stringify(workflow)));
		try {
			await this.mustSucceed(['import:workflow', '--separate', `--input=${dir}`], 'import the workflows');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}

	/** `n8n execute --id`: runs a workflow from its Manual Trigger in a separate n8n process. */
	async execute(workflowId: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<ExecutionResult> {
		const result = await this.command(['execute', `--id=${workflowId}`, '--rawOutput'], extraEnv);
		// Log lines (e.g. the node's own "created generation" line) precede the JSON on stdout; after a
		// failed run n8n prints the error again below it. The run is the pretty-printed object in between.
		const jsonStart = result.stdout.search(/^\{$/m);
		const jsonEnd = jsonStart >= 0 ? result.stdout.slice(jsonStart).search(/^\}$/m) : -1;
		return { ...result, run: jsonEnd >= 0 ? JSON.parse(result.stdout.slice(jsonStart, jsonStart + jsonEnd + 1)) : undefined };
	}

	/** Starts `n8n start` and resolves once it answers /healthz/readiness; `env` adds settings for this start (e.g. WEBHOOK_URL). */
	async start(options: { showOutput?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
		if (this.server) throw new Error('n8n is already running');
		await assertPortFree(this.port, 'n8n (editor and REST API)');
		await assertPortFree(this.brokerPort, 'the n8n task runner broker');
		const output = options.showOutput ? 'inherit' : createWriteStream(this.logFile);
		const server = spawn(n8nBin(), ['start'], {
			env: { ...this.env(), ...options.env },
			cwd: this.homeDir,
			// Its own process group, so stop() can end n8n and the task runners it spawns together.
			detached: true,
			stdio: ['ignore', options.showOutput ? 'inherit' : 'pipe', options.showOutput ? 'inherit' : 'pipe'],
		});
		if (typeof output !== 'string') {
			server.stdout!.pipe(output);
			server.stderr!.pipe(output);
		}
		this.server = server;
		server.once('exit', (code) => {
			if (this.server !== server) return; // stop() asked for it
			this.server = undefined;
			for (const listener of this.exitListeners) listener(code);
		});
		try {
			await waitUntilReady(`${this.url}/healthz/readiness`, server);
			// Readiness means "database migrated"; the REST controllers come a moment later (seconds on 1.x),
			// and /rest/settings is registered after them.
			await waitUntilReady(`${this.url}/rest/settings`, server);
		} catch (error) {
			await this.stop();
			const log = options.showOutput ? '' : `\n--- n8n log ---\n${this.logTail()}`;
			throw new Error(`${(error as Error).message}${log}`);
		}
	}

	/** Called when the server exits without stop() having been called (e.g. it crashed). */
	onExit(listener: (code: number | null) => void): void {
		this.exitListeners.push(listener);
	}

	/** Sets up the owner account; n8n shows its login page instead of the setup page afterwards. */
	async setupOwner(owner: Owner = DEMO_OWNER): Promise<RestSession> {
		const session = new RestSession(this.url);
		await session.request('POST', '/rest/owner/setup', owner);
		return session;
	}

	/**
	 * Installs the package through n8n's Community Nodes installer (POST /rest/community-packages, what
	 * Settings → Community Nodes → Install sends) from the run's local registry, into the running n8n:
	 * it downloads the tarball, unpacks it into the nodes folder and loads the node without a restart.
	 */
	async installPackage(session: RestSession): Promise<InstalledPackage> {
		if (this.packageSource !== 'registry') throw new Error(`installPackage() needs packageSource 'registry' (this instance: '${this.packageSource}')`);
		// A registry other than registry.npmjs.org is an Enterprise licence feature (1.123 and 2.41 alike);
		// n8n's own test hook (E2E_TESTS, see registryEnv) switches that one licence flag on.
		await session.request('PATCH', '/rest/e2e/feature', { feature: 'feat:communityNodes:customRegistry', enabled: true });
		return await session.request<InstalledPackage>('POST', '/rest/community-packages', { name: PACKAGE_NAME });
	}

	async login(owner: Owner = DEMO_OWNER): Promise<RestSession> {
		const session = new RestSession(this.url);
		await session.request('POST', '/rest/login', { emailOrLdapLoginId: owner.email, password: owner.password });
		return session;
	}

	/** Stops the server (n8n shuts its task runners down on SIGTERM); kills the group if it hangs. */
	async stop(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (server) await stopGroup(server, STOP_TIMEOUT_MS);
	}

	/** Stops n8n and deletes the user folder. */
	async remove(): Promise<void> {
		await this.stop();
		rmSync(this.userFolder, { recursive: true, force: true });
	}

	logTail(lines = 40): string {
		if (!existsSync(this.logFile)) return '(no log)';
		return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
	}

	private async mustSucceed(args: string[], what: string): Promise<CommandResult> {
		const result = await this.command(args);
		if (result.exitCode !== 0) {
			throw new Error(`n8n could not ${what} (exit ${result.exitCode}):\n${(result.stderr + result.stdout).slice(-3000)}`);
		}
		return result;
	}
}

/** The n8n version the run uses (scripts/n8n-runtime.sh). */
export const N8N_VERSION = process.env.LTX_N8N_VERSION ?? '2.41.1';

/**
 * For `registry` instances: the run's local registry as n8n's community-packages registry, and n8n's
 * test mode, whose /rest/e2e/feature route sets licence flags (only the custom-registry one is used).
 */
function registryEnv(): Record<string, string> {
	const registry = process.env.LTX_REGISTRY_URL;
	if (!registry) throw new Error('LTX_REGISTRY_URL is not set: the E2E global set-up (installed-package.ts) starts the local registry');
	return { N8N_COMMUNITY_PACKAGES_REGISTRY: registry, E2E_TESTS: 'true' };
}

/** Calls n8n's internal REST API (/rest/...) with the session cookie of a logged-in user. */
export class RestSession {
	readonly baseUrl: string;
	private cookie = '';

	constructor(baseUrl: string) {
		this.baseUrl = baseUrl;
	}

	/** The `n8n-auth` cookie, e.g. to hand the session to a browser. */
	get authCookie(): string | undefined {
		return /n8n-auth=([^;]+)/.exec(this.cookie)?.[1];
	}

	/** Sends a request and returns the `data` of n8n's `{ data }` envelope; throws on HTTP errors. */
	async request<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<T> {
		const text = await this.send(method, urlPath, body);
		return (text ? (JSON.parse(text) as { data: T }).data : undefined) as T;
	}

	/** GETs a JSON file served to logged-in users (e.g. /types/nodes.json), which has no envelope. */
	async getFile<T = unknown>(urlPath: string): Promise<T> {
		return JSON.parse(await this.send('GET', urlPath)) as T;
	}

	private async send(method: string, urlPath: string, body?: unknown): Promise<string> {
		const response = await fetch(`${this.baseUrl}${urlPath}`, {
			method,
			headers: {
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
				...(this.cookie ? { cookie: this.cookie } : {}),
				'browser-id': 'ltx-e2e',
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = response.headers.getSetCookie().find((value) => value.startsWith('n8n-auth='));
		if (setCookie) this.cookie = setCookie.split(';')[0];
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} ${urlPath}: HTTP ${response.status} ${text.slice(0, 500)}`);
		return text;
	}
}

/**
 * Collects a child's output and resolves once it ends: on `close` (default) its output is complete; on
 * `exit` the wait does not depend on grandchildren (e.g. a task runner) that may still hold the pipes.
 * A child ended by a signal reports exit code 128.
 */
export async function collectOutput(child: ChildProcess, until: 'close' | 'exit' = 'close'): Promise<CommandResult> {
	let stdout = '';
	let stderr = '';
	child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const exitCode = await new Promise<number>((resolve, reject) => {
		child.once('error', reject);
		child.once(until, (code: number | null, signal: NodeJS.Signals | null) => resolve(code ?? (signal ? 128 : 1)));
	});
	return { exitCode, stdout, stderr };
}

export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

/** Fails with a message naming the port and what needs it, instead of n8n's own start-up error. */
export async function assertPortFree(port: number, purpose: string): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		const server = createServer();
		server.once('error', (error: NodeJS.ErrnoException) =>
			reject(
				new Error(
					error.code === 'EADDRINUSE'
						? `Port ${port} (${purpose}) is already in use. Stop whatever uses it (\`ss -ltnp | grep :${port}\` shows it) and try again.`
						: `Cannot listen on 127.0.0.1:${port} (${purpose}): ${error.message}`,
				),
			),
		);
		server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
	});
}

async function waitUntilReady(url: string, server: ChildProcess): Promise<void> {
	const deadline = Date.now() + STARTUP_TIMEOUT_MS;
	while (Date.now() < deadline) {
		if (server.exitCode !== null || server.signalCode !== null) {
			throw new Error(`n8n exited during start-up (code ${server.exitCode ?? server.signalCode})`);
		}
		try {
			if ((await fetch(url)).ok) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`n8n did not become ready within ${STARTUP_TIMEOUT_MS / 1000} s`);
}

/** Signals a detached child's whole process group (n8n and the task runners it started). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
	try {
		process.kill(-child.pid!, signal);
	} catch {
		// The group is gone already.
	}
}

/**
 * SIGTERM to the group (n8n finishes or cancels its work and stops its task runners), SIGKILL if it has
 * not exited after `timeoutMs`; then SIGKILL for anything a killed n8n left behind.
 */
export async function stopGroup(child: ChildProcess, timeoutMs: number): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	killGroup(child, 'SIGTERM');
	const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
	await exited;
	clearTimeout(timer);
	killGroup(child, 'SIGKILL');
}
