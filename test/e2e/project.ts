/**
 * Where things are, and the names the launcher (`npm start`), the examples and the E2E tests share.
 * Runs both under jest (compiled to CommonJS) and under plain `node` (native ESM, types stripped), so
 * it uses neither `__dirname` nor `import.meta`: the clone is found from the working directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export const PACKAGE_NAME = 'n8n-nodes-leonardo-ltx';
export const NODE_TYPE = `${PACKAGE_NAME}.ltxVideo`;
export const CREDENTIAL_TYPE = 'leonardoAiApi';

/**
 * The credential every example workflow references. `npm start` imports it under this ID (pointing at
 * the emulator in demo mode, at the real API with LEONARDO_API_KEY), so the examples run unchanged.
 */
export const EXAMPLE_CREDENTIAL = { id: 'ltxLeonardoApi01', name: 'Leonardo.AI account' } as const;

/**
 * `~/.n8n-files`, the one folder a stock n8n 2.x lets the Read/Write Files node use (its default
 * N8N_RESTRICT_FILE_ACCESS_TO; 1.x allows every folder). The examples read and write there, naming it
 * relative to n8n's working folder: a workflow cannot name the home folder (2.x blocks `$env`), and n8n
 * resolves relative paths against its working folder, the home folder in Docker and for `n8n` started in ~.
 */
export const N8N_FILES_DIR = '.n8n-files';

/** The clone: the nearest folder upwards from the working directory whose package.json is ours. */
export const REPO_ROOT = findRepoRoot(process.cwd());
export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures');
export const EMULATOR_CLI = path.join(REPO_ROOT, 'test', 'emulator', 'cli.ts');

/** The cache outside the clone that holds Node 24, n8n and the throwaway n8n user folders. */
export const CACHE_DIR =
	process.env.LTX_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), PACKAGE_NAME);

/** The n8n executable, exported by scripts/n8n-runtime.sh (sourced by every script that runs n8n). */
export function n8nBin(): string {
	const bin = process.env.LTX_N8N_BIN;
	if (!bin || !existsSync(bin)) {
		throw new Error(
			'LTX_N8N_BIN is not set or missing: run this through `npm start`, `npm run test:e2e` or `npm run test:browser` ' +
				'(they source scripts/n8n-runtime.sh, which installs n8n into the cache)',
		);
	}
	return bin;
}

function findRepoRoot(from: string): string {
	for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
		const manifest = path.join(dir, 'package.json');
		if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
			return dir;
		}
		if (path.dirname(dir) === dir) throw new Error(`run this from inside the ${PACKAGE_NAME} clone (cwd: ${from})`);
	}
}
