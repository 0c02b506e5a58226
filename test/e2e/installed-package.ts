/**
 * The package as n8n installs it, prepared once per E2E or queue run (jest globalSetup/globalTeardown):
 * `npm pack` of the built clone, published to a local registry (registry.ts), then installed by a
 * throwaway n8n through its own Community Nodes installer (N8nInstance.installPackage). Its nodes
 * folder is then what every N8nInstance of the run copies (packageSource `installed`): the tarball's
 * files in node_modules/<package> with dev/peer/optional dependencies removed from package.json, no
 * node_modules of its own, so n8n-workflow comes from n8n. n8n reads that folder at start-up, as after
 * a manual install; `n8n execute` sees it too, since it lives in the user folder.
 *
 * Exported to the tests: LTX_INSTALLED_NODES_DIR (that nodes folder), LTX_REGISTRY_URL (the registry
 * keeps running, for instances that install themselves) and LTX_PACKED_TARBALL.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DEMO_OWNER, N8nInstance } from './n8n-instance.ts';
import { PACKAGE_NAME, REPO_ROOT } from './project.ts';
import { type LocalRegistry, startRegistry } from './registry.ts';

interface Prepared {
	dir: string;
	registry: LocalRegistry;
}

const STATE_KEY = Symbol.for('ltx.installedPackage');

/** `npm pack` of the clone (dist/ must be built): the tarball a publish would upload. */
export function packPackage(into: string): string {
	const result = spawnSync('npm', ['pack', '--silent', '--pack-destination', into], { cwd: REPO_ROOT, encoding: 'utf8' });
	const name = result.stdout.trim().split('\n').at(-1);
	if (result.status !== 0 || !name) throw new Error(`npm pack failed (exit ${result.status}): ${result.stderr}`);
	return path.join(into, name);
}

export default async function globalSetup(): Promise<void> {
	if (process.env.LTX_E2E_PACKAGE_DIR) return; // an explicit build to link instead (docs/run-in-n8n.md)
	const started = Date.now();
	const dir = mkdtempSync(path.join(tmpdir(), 'ltx-installed-'));
	const registry = await startRegistry(path.join(dir, 'registry'));
	(globalThis as Record<symbol, Prepared>)[STATE_KEY] = { dir, registry };
	const tarball = packPackage(dir);
	await registry.publish(tarball);
	process.env.LTX_REGISTRY_URL = registry.url;
	process.env.LTX_PACKED_TARBALL = tarball;
	// The browser test installs into its own running n8n and needs no copy.
	if (process.env.LTX_E2E_SUITE === 'browser') return;

	const installer = await N8nInstance.create({ parentDir: dir, namePrefix: 'installer-', packageSource: 'registry' });
	try {
		await installer.start();
		const session = await installer.setupOwner(DEMO_OWNER);
		const installed = await installer.installPackage(session);
		const types = installed.installedNodes.map((node) => node.type).sort();
		if (!types.includes(`${PACKAGE_NAME}.ltxVideo`)) {
			throw new Error(`n8n installed ${PACKAGE_NAME} but loaded no LTX Video node: ${JSON.stringify(installed)}`);
		}
	} catch (error) {
		throw new Error(`installing ${PACKAGE_NAME} through n8n's installer failed: ${(error as Error).message}\n--- n8n log ---\n${installer.logTail()}`);
	} finally {
		await installer.stop();
	}
	// Only the nodes folder is kept; the installer's database and settings go.
	const nodesDir = path.join(installer.userFolder, '.n8n', 'nodes');
	for (const entry of readdirSync(installer.userFolder)) if (entry !== '.n8n') rmSync(path.join(installer.userFolder, entry), { recursive: true, force: true });
	process.env.LTX_INSTALLED_NODES_DIR = nodesDir;
	process.stderr.write(`\n[installed-package] ${path.basename(tarball)} installed by n8n's installer from ${registry.url} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

export async function globalTeardown(): Promise<void> {
	const state = (globalThis as Record<symbol, Prepared | undefined>)[STATE_KEY];
	if (!state) return;
	await state.registry.stop();
	rmSync(state.dir, { recursive: true, force: true });
}
