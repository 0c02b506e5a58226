/**
 * A local npm registry (verdaccio, installed into the cache by scripts/registry-runtime.sh, not a
 * devDependency) holding only what a test publishes: n8n's Community Nodes installer downloads the
 * package from it as it would from registry.npmjs.org. No uplinks, so nothing it serves comes from
 * outside; it listens on 127.0.0.1 only and keeps its storage in a folder the caller deletes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { collectOutput, freePort, stopGroup } from './n8n-instance.ts';

const START_TIMEOUT_MS = 60_000;
const PUBLISHER = { name: 'ltx-e2e', password: 'ltx-e2e-publisher' };

export interface LocalRegistry {
	url: string;
	/** Publishes an `npm pack` tarball as the test publisher. */
	publish(tarball: string): Promise<void>;
	logTail(lines?: number): string;
	stop(): Promise<void>;
}

/** Starts verdaccio with its storage, config and log in `dir`; resolves once it answers /-/ping. */
export async function startRegistry(dir: string): Promise<LocalRegistry> {
	const bin = process.env.LTX_VERDACCIO_BIN;
	if (!bin) throw new Error('LTX_VERDACCIO_BIN is not set: run this through `npm run test:e2e` (scripts/registry-runtime.sh installs verdaccio)');
	mkdirSync(path.join(dir, 'storage'), { recursive: true });
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const config = path.join(dir, 'config.yaml');
	writeFileSync(
		config,
		[
			`storage: ${path.join(dir, 'storage')}`,
			'auth:',
			'  htpasswd:',
			`    file: ${path.join(dir, 'htpasswd')}`,
			'    max_users: 1',
			// No `uplinks`: a package that was not published here is "not found", never fetched from outside.
			'packages:',
			"  '**':",
			'    access: $all',
			'    publish: $authenticated',
			'    unpublish: $authenticated',
			'log: { type: stdout, format: pretty, level: warn }',
			'web: { enable: false }',
			`listen: 127.0.0.1:${port}`,
			'',
		].join('\n'),
	);
	const logFile = path.join(dir, 'verdaccio.log');
	const child = spawn(bin, ['--config', config], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	const log = createWriteStream(logFile);
	child.stdout!.pipe(log);
	child.stderr!.pipe(log);
	const logTail = (lines = 30) => readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
	try {
		await waitForPing(url, child);
	} catch (error) {
		await stopGroup(child, 5_000);
		throw new Error(`${(error as Error).message}\n--- verdaccio log ---\n${logTail()}`);
	}
	let token: string | undefined;
	return {
		url,
		logTail,
		publish: async (tarball) => {
			token ??= await createPublisher(url);
			// The token goes on the command line for this one registry; no ~/.npmrc is written.
			const result = await collectOutput(
				spawn('npm', ['publish', tarball, `--registry=${url}/`, `--//127.0.0.1:${port}/:_authToken=${token}`, '--loglevel=error'], {
					cwd: dir,
					stdio: ['ignore', 'pipe', 'pipe'],
				}),
			);
			if (result.exitCode !== 0) throw new Error(`npm publish ${path.basename(tarball)} failed (exit ${result.exitCode}): ${result.stderr}${result.stdout}`);
		},
		stop: async () => await stopGroup(child, 5_000),
	};
}

/** Registers the publisher (`npm adduser` does the same request) and returns its token. */
async function createPublisher(url: string): Promise<string> {
	const response = await fetch(`${url}/-/user/org.couchdb.user:${PUBLISHER.name}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ name: PUBLISHER.name, password: PUBLISHER.password }),
	});
	const body = (await response.json()) as { token?: string; error?: string };
	if (!response.ok || !body.token) throw new Error(`verdaccio refused the publisher: HTTP ${response.status} ${JSON.stringify(body)}`);
	return body.token;
}

async function waitForPing(url: string, child: ChildProcess): Promise<void> {
	const deadline = Date.now() + START_TIMEOUT_MS;
	while (Date.now() < deadline) {
		if (child.exitCode !== null || child.signalCode !== null) throw new Error(`verdaccio exited during start-up (code ${child.exitCode ?? child.signalCode})`);
		try {
			if ((await fetch(`${url}/-/ping`)).ok) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	throw new Error(`verdaccio did not answer ${url}/-/ping within ${START_TIMEOUT_MS / 1000} s`);
}
