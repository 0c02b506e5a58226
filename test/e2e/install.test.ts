/**
 * The README's installation, as n8n does it: the packed package from a registry, installed by n8n's own
 * Community Nodes installer (what Settings → Community Nodes → Install sends), loaded without a restart
 * and run in the same n8n process. Also what that installer leaves on disk, which every other E2E and
 * queue test runs against (installed-package.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { outputOf, runManually, waitForExecution } from '../queue/executions.ts';
import { type EmulatorProcess, startEmulator } from './emulator-process.ts';
import { createWorld, type E2eWorld, oneVideoWorkflow } from './fixtures.ts';
import { collectOutput, type CommandResult, DEMO_OWNER, type InstalledPackage, type RestSession } from './n8n-instance.ts';
import { CREDENTIAL_TYPE, NODE_TYPE, PACKAGE_NAME, REPO_ROOT } from './project.ts';

const clonePackage = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; files: string[] };

function readJson<T>(file: string): T {
	return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Every path below `dir`, relative to it (folders end with /). */
function listTree(dir: string, prefix = ''): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory() ? [`${prefix}${entry.name}/`, ...listTree(path.join(dir, entry.name), `${prefix}${entry.name}/`)] : [`${prefix}${entry.name}`],
	);
}

describe('what n8n\'s installer left in the nodes folder (the installation every E2E test copies)', () => {
	const nodesDir = process.env.LTX_INSTALLED_NODES_DIR ?? '';
	const packageDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);

	beforeAll(() => {
		if (!nodesDir) throw new Error('LTX_INSTALLED_NODES_DIR is not set: run through `npm run test:e2e` (installed-package.ts prepares it)');
	});

	test('the package sits in ~/.n8n/nodes/node_modules/<name> with the published version, recorded in the nodes package.json', () => {
		const manifest = readJson<{ name: string; version: string }>(path.join(packageDir, 'package.json'));
		expect(manifest).toMatchObject({ name: PACKAGE_NAME, version: clonePackage.version });
		const record = readJson<{ dependencies: Record<string, string> }>(path.join(nodesDir, 'package.json'));
		expect(record.dependencies).toEqual({ [PACKAGE_NAME]: clonePackage.version });
	});

	test('it has no node_modules of its own and nothing else was installed beside it (n8n-workflow comes from n8n)', () => {
		expect(existsSync(path.join(packageDir, 'node_modules'))).toBe(false);
		const installedPackages = readdirSync(path.join(nodesDir, 'node_modules')).filter((entry) => !entry.startsWith('.'));
		expect(installedPackages).toEqual([PACKAGE_NAME]);
		expect(listTree(nodesDir).filter((entry) => /(^|\/)n8n-workflow\//.test(entry))).toEqual([]);
	});

	test('its package.json lost devDependencies, peerDependencies and optionalDependencies; only published files are there', () => {
		const manifest = readJson<Record<string, unknown>>(path.join(packageDir, 'package.json'));
		expect(Object.keys(manifest)).not.toEqual(expect.arrayContaining(['devDependencies']));
		expect(manifest.peerDependencies).toBeUndefined();
		expect(manifest.optionalDependencies).toBeUndefined();
		expect(manifest.dependencies).toBeUndefined();
		const topLevel = readdirSync(packageDir).sort();
		// npm always adds package.json, README and LICENSE to what package.json#files names.
		expect(topLevel).toEqual(['LICENSE', 'README.md', ...clonePackage.files, 'package.json'].sort());
		const files = listTree(packageDir);
		expect(files).toEqual(expect.arrayContaining(['dist/nodes/LtxVideo/LtxVideo.node.js', 'dist/credentials/LeonardoAiApi.credentials.js']));
		expect(files.filter((file) => /\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
	});
});

describe('Settings → Community Nodes → Install, from a registry, in a running n8n', () => {
	let world: E2eWorld;
	let emulator: EmulatorProcess;
	let session: RestSession;
	let installed: InstalledPackage;

	beforeAll(async () => {
		world = await createWorld({ packageSource: 'registry' });
		emulator = world.emulator;
		await world.n8n.start();
		session = await world.n8n.setupOwner(DEMO_OWNER);
		installed = await world.n8n.installPackage(session);
	}, 300_000);

	afterAll(async () => await world?.dispose());

	test('n8n downloads it and loads the LTX Video node without a restart', async () => {
		expect(installed).toMatchObject({ packageName: PACKAGE_NAME, installedVersion: clonePackage.version });
		expect(installed.installedNodes.map((node) => node.type)).toContain(NODE_TYPE);
		const packages = await session.request<Array<InstalledPackage & { failedLoading?: boolean }>>('GET', '/rest/community-packages');
		expect(packages.map((entry) => ({ name: entry.packageName, failedLoading: entry.failedLoading ?? false }))).toEqual([
			{ name: PACKAGE_NAME, failedLoading: false },
		]);
		expect(existsSync(path.join(world.n8n.packageInstallDir, 'node_modules'))).toBe(false);
	});

	test('the same n8n process runs a workflow with the node right away (credential and workflow created as in the editor)', async () => {
		await expectOneVideo(session, emulator);
	});
});

/** `npm <args>` in `cwd`, as a user types it. */
async function npm(args: string[], cwd: string): Promise<CommandResult> {
	const result = await collectOutput(spawn('npm', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
	if (result.exitCode !== 0) throw new Error(`npm ${args.join(' ')} failed (exit ${result.exitCode}):\n${result.stderr}${result.stdout}`);
	return result;
}

/** The packages npm put into <nodesDir>/node_modules (hidden entries such as .package-lock.json aside). */
function installedBeside(nodesDir: string): string[] {
	return readdirSync(path.join(nodesDir, 'node_modules')).filter((entry) => !entry.startsWith('.'));
}

describe("README Installation, by hand: `npm install --legacy-peer-deps` in ~/.n8n/nodes, then n8n start", () => {
	const tarball = process.env.LTX_PACKED_TARBALL ?? '';

	test('by name from a registry: the package alone, no second n8n-workflow (the only difference: --registry names the local one)', async () => {
		const home = mkdtempSync(path.join(tmpdir(), 'ltx-manual-'));
		try {
			const nodesDir = path.join(home, '.n8n', 'nodes');
			mkdirSync(nodesDir, { recursive: true });
			await npm(['install', '--legacy-peer-deps', PACKAGE_NAME, `--registry=${process.env.LTX_REGISTRY_URL}`], nodesDir);
			expect(installedBeside(nodesDir)).toEqual([PACKAGE_NAME]);
			expect(readJson<{ version: string }>(path.join(nodesDir, 'node_modules', PACKAGE_NAME, 'package.json')).version).toBe(clonePackage.version);
		} finally {
			rmSync(home, { recursive: true, force: true });
		}
	});

	describe('from source: the `npm pack` tarball', () => {
		let world: E2eWorld;
		let session: RestSession;

		beforeAll(async () => {
			if (!tarball) throw new Error('LTX_PACKED_TARBALL is not set: run through `npm run test:e2e`');
			world = await createWorld({ packageSource: 'none' });
			const nodesDir = path.dirname(path.dirname(world.n8n.packageInstallDir));
			// The README's commands: cd ~/.n8n/nodes && npm install --legacy-peer-deps /path/to/<tarball>
			await npm(['install', '--legacy-peer-deps', tarball], nodesDir);
			await world.n8n.start();
			session = await world.n8n.setupOwner(DEMO_OWNER);
		}, 300_000);

		afterAll(async () => await world?.dispose());

		test('npm installs the package alone (n8n-workflow then comes from n8n) and n8n loads it at start', async () => {
			expect(installedBeside(path.dirname(path.dirname(world.n8n.packageInstallDir)))).toEqual([PACKAGE_NAME]);
			const types = await session.getFile<Array<{ name: string }>>('/types/nodes.json');
			expect(types.map((type) => type.name)).toEqual(expect.arrayContaining([NODE_TYPE]));
		});

		test('a workflow with the node runs', async () => await expectOneVideo(session, world.emulator));
	});
});

/** Creates a credential for the emulator and a Manual Trigger → LTX Video workflow, runs it, checks the video. */
async function expectOneVideo(session: RestSession, emulator: EmulatorProcess): Promise<void> {
	await emulator.reset();
	const credential = await session.request<{ id: string; name: string }>('POST', '/rest/credentials', {
		name: 'Leonardo.AI (emulator)',
		type: CREDENTIAL_TYPE,
		data: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl },
	});
	const workflow = oneVideoWorkflow({ id: 'ltxInstallRun001', name: 'Installed package: one video', prompt: 'A paper boat on a rainy street', credential });
	// n8n 1.x gives the workflow an ID of its own.
	const created = await session.request<{ id: string }>('POST', '/rest/workflows', workflow);
	const execution = await waitForExecution(session, await runManually(session, { ...workflow, id: created.id }));
	expect(execution.data.resultData.error).toBeUndefined();
	expect(execution.status).toBe('success');
	const [item, ...rest] = outputOf(execution, 'LTX Video');
	expect(rest).toHaveLength(0);
	expect(item.json).toMatchObject({ status: 'COMPLETE', model: 'ltxv-2.3-fast' });
	expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4' });
	expect((await emulator.requests()).filter((request) => request.route === 'create' && request.status === 200)).toHaveLength(1);
}
