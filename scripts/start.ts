/**
 * `npm start` (through scripts/start.sh, which installs Node 24 + n8n and builds first): a real n8n on
 * http://127.0.0.1:5678 with this package installed as a community package, the example workflows
 * imported and an owner account ready to log in with.
 *
 *   LEONARDO_API_KEY set   the examples' credential uses the real Leonardo.AI API (billed)
 *   otherwise              demo mode: the project's Leonardo emulator answers, videos are a sample MP4
 *
 * Optional: LTX_PORT (n8n, default 5678), LTX_EMULATOR_PORT (first of three, default 5680),
 * LEONARDO_BASE_URL (real mode, e.g. a proxy), LEONARDO_WEBHOOK_CALLBACK_API_KEY (real mode: the key's
 * Webhook Callback API Key, for the LTX Video Trigger of example 06).
 *
 * Demo mode also plays Leonardo's webhook: the emulator's key carries the local URL of example 06's
 * trigger (published here) and a callback key, so every finished demo video starts example 06.
 * Ctrl-C stops n8n and the emulator and deletes the throwaway n8n user folder.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

import { type EmulatorProcess, startEmulator } from '../test/e2e/emulator-process.ts';
import { loadExamples } from '../test/e2e/examples.ts';
import { assertPortFree, type CredentialSeed, DEMO_OWNER, N8nInstance } from '../test/e2e/n8n-instance.ts';
import { CACHE_DIR, EXAMPLE_CREDENTIAL, FIXTURES_DIR, N8N_FILES_DIR } from '../test/e2e/project.ts';

const N8N_PORT = Number(process.env.LTX_PORT ?? 5678);
/** n8n's default task-runner broker port; fixed so a second launcher on the same ports fails clearly. */
const BROKER_PORT = N8N_PORT + 1;
/** Fixed emulator ports: API, S3 upload, CDN. */
const EMULATOR_PORT = Number(process.env.LTX_EMULATOR_PORT ?? 5680);
/** Demo generations take this long, so waiting looks like the real thing without taking minutes. */
const DEMO_GENERATION_MS = 5000;
const REAL_API_BASE_URL = 'https://cloud.leonardo.ai/api/rest';
/** Example 06, the LTX Video Trigger workflow the emulator calls in demo mode. */
const TRIGGER_EXAMPLE_ID = 'ltxExampleTrig01';
/**
 * n8n runs in your home folder with n8n's default file access, as your own n8n would: the examples read
 * and write `~/.n8n-files` (created here if missing), which outlives the throwaway user folder.
 */
const HOME_DIR = homedir();
const FILES_DIR = path.join(HOME_DIR, N8N_FILES_DIR);

const log = (message: string) => console.log(`[ltx] ${message}`);

async function main(): Promise<void> {
	const apiKey = process.env.LEONARDO_API_KEY?.trim();
	const demo = !apiKey;
	await checkPorts(demo);
	removeLeftoverUserFolders();
	prepareFilesFolder();

	const cleanup = new Cleanup();
	process.once('SIGINT', () => void cleanup.exit(0, 'stopping (Ctrl-C)'));
	process.once('SIGTERM', () => void cleanup.exit(0, 'stopping (SIGTERM)'));
	try {
		let credential: CredentialSeed;
		const examples = loadExamples();
		if (demo) {
			const emulator = await startEmulator({ apiPort: EMULATOR_PORT, s3Port: EMULATOR_PORT + 1, cdnPort: EMULATOR_PORT + 2, delayMs: DEMO_GENERATION_MS });
			cleanup.emulator = emulator;
			const webhookCallbackApiKey = randomBytes(24).toString('base64url');
			await emulator.configureWebhook({ url: triggerUrl(examples), callbackApiKey: webhookCallbackApiKey });
			credential = {
				id: EXAMPLE_CREDENTIAL.id,
				name: 'Leonardo.AI (demo emulator)',
				data: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, webhookCallbackApiKey },
			};
			log(`DEMO MODE: no LEONARDO_API_KEY, so the Leonardo emulator answers on ${emulator.baseUrl} (no account, no cost, sample videos)`);
			log(`DEMO MODE: the emulator calls the LTX Video Trigger of example 06 at ${triggerUrl(examples)} when a video is finished`);
		} else {
			const baseUrl = process.env.LEONARDO_BASE_URL?.trim() || REAL_API_BASE_URL;
			const webhookCallbackApiKey = process.env.LEONARDO_WEBHOOK_CALLBACK_API_KEY?.trim();
			credential = {
				id: EXAMPLE_CREDENTIAL.id,
				name: EXAMPLE_CREDENTIAL.name,
				data: { apiKey: apiKey!, baseUrl, ...(webhookCallbackApiKey ? { webhookCallbackApiKey } : {}) },
			};
			log(`REAL API MODE: the credential uses LEONARDO_API_KEY against ${baseUrl}; every generation is billed to your Leonardo account`);
		}

		const n8n = await N8nInstance.create({
			parentDir: CACHE_DIR,
			namePrefix: userFolderPrefix(),
			homeDir: HOME_DIR,
			port: N8N_PORT,
			brokerPort: BROKER_PORT,
		});
		cleanup.n8n = n8n;
		log(`n8n user folder (deleted on exit): ${n8n.userFolder}`);
		await n8n.importCredentials([credential]);
		await n8n.importWorkflows(examples.map((example) => example.workflow));
		log(`imported the credential "${credential.name}" and ${examples.length} example workflows`);

		log('starting n8n ...');
		await n8n.start({ showOutput: true });
		const owner = await n8n.setupOwner(DEMO_OWNER);
		if (demo) {
			// Published, so its production URL (the one the emulator calls) is live.
			const stored = await owner.request<{ versionId: string }>('GET', `/rest/workflows/${TRIGGER_EXAMPLE_ID}`);
			await owner.request('POST', `/rest/workflows/${TRIGGER_EXAMPLE_ID}/activate`, { versionId: stored.versionId });
			log('published example 06 (LTX Video Trigger): run example 05 and watch its executions');
		}
		cleanup.watch(n8n);
		printReady(n8n.url, demo, examples.map((example) => example.workflow.name));
	} catch (error) {
		console.error(`[ltx] ERROR: ${(error as Error).message}`);
		await cleanup.exit(1);
	}
}

/** Fails before anything starts, naming the port that is taken. */
async function checkPorts(demo: boolean): Promise<void> {
	try {
		await assertPortFree(N8N_PORT, 'n8n editor; choose another with LTX_PORT');
		await assertPortFree(BROKER_PORT, 'n8n task runner broker, LTX_PORT + 1');
		if (demo) {
			for (const [offset, server] of ['API', 'S3 upload', 'CDN'].entries()) {
				await assertPortFree(EMULATOR_PORT + offset, `Leonardo emulator ${server}; choose other ports with LTX_EMULATOR_PORT`);
			}
		}
	} catch (error) {
		console.error(`[ltx] ERROR: ${(error as Error).message}`);
		process.exit(1);
	}
}

/** The production URL of example 06's trigger on this n8n: /webhook/<webhookId>/webhook. */
function triggerUrl(examples: ReturnType<typeof loadExamples>): string {
	const trigger = examples.find(({ workflow }) => workflow.id === TRIGGER_EXAMPLE_ID)?.workflow.nodes.find((node) => node.webhookId);
	if (!trigger) throw new Error(`examples/ lacks the trigger workflow ${TRIGGER_EXAMPLE_ID}`);
	return `http://127.0.0.1:${N8N_PORT}/webhook/${trigger.webhookId}/webhook`;
}

const userFolderPrefix = () => `run-${N8N_PORT}-`;

/** User folders of earlier launches on this port that were killed before they could clean up. */
function removeLeftoverUserFolders(): void {
	if (!existsSync(CACHE_DIR)) return;
	for (const entry of readdirSync(CACHE_DIR)) {
		if (entry.startsWith(userFolderPrefix())) rmSync(path.join(CACHE_DIR, entry), { recursive: true, force: true });
	}
}

/** The examples read and write files only here; image-to-video needs a picture to start from. */
function prepareFilesFolder(): void {
	mkdirSync(FILES_DIR, { recursive: true });
	const startFrame = path.join(FILES_DIR, 'start-frame.png');
	if (!existsSync(startFrame)) copyFileSync(path.join(FIXTURES_DIR, 'frame.png'), startFrame);
}

function printReady(url: string, demo: boolean, workflowNames: string[]): void {
	const lines = [
		'',
		`  n8n ${process.env.LTX_N8N_VERSION ?? ''} with n8n-nodes-leonardo-ltx is ready (${demo ? 'DEMO MODE: Leonardo emulator' : 'REAL API MODE: billed'})`,
		`  Open      ${url}`,
		`  Log in    ${DEMO_OWNER.email} / ${DEMO_OWNER.password}`,
		`  Files     MP4s are written to ${FILES_DIR}`,
		'  Examples  (open one, click "Execute workflow")',
		...workflowNames.map((name) => `            - ${name}`),
		'  Stop      Ctrl-C',
		'',
	];
	console.log(lines.join('\n'));
}

/** Stops what the launcher started, once, in order: n8n, then the emulator; deletes the user folder. */
class Cleanup {
	n8n: N8nInstance | undefined;
	emulator: EmulatorProcess | undefined;
	private exiting = false;

	/** If n8n dies on its own, take the emulator down too and report it. */
	watch(n8n: N8nInstance): void {
		n8n.onExit((code) => void this.exit(code === 0 ? 0 : 1, `n8n exited (code ${code})`));
	}

	async exit(code: number, reason?: string): Promise<void> {
		if (this.exiting) return;
		this.exiting = true;
		if (reason) log(reason);
		await this.n8n?.remove();
		await this.emulator?.stop();
		const stopped = [this.n8n && 'n8n (user folder removed)', this.emulator && 'the emulator'].filter(Boolean);
		if (stopped.length > 0) log(`stopped ${stopped.join(' and ')}`);
		process.exit(code);
	}
}

void main();
