// Whether node_modules is what package-lock.json says, checked without npm (about 0.2 s): every
// package the lockfile installs is there at its locked version, and isolated-vm (a native addon
// n8n-workflow needs, the part a wrong Node breaks) loads. Exit 0 when it is; else exit 1 and say why.
// Run by scripts/setup.sh --if-needed, so `npm test`/`npm start` install the dev dependencies only
// when node_modules is missing or stale (a changed lockfile, an install under another Node).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const stale = (reason) => {
	console.error(`[setup] node_modules is not ready: ${reason}`);
	process.exit(1);
};

if (!existsSync(path.join(root, 'node_modules'))) stale('there is none yet');
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
for (const [where, entry] of Object.entries(lock.packages ?? {})) {
	// The project itself, links, and optional packages npm skips on this platform.
	if (where === '' || entry.link || entry.optional || entry.devOptional) continue;
	const manifest = path.join(root, where, 'package.json');
	if (!existsSync(manifest)) stale(`${where} is missing`);
	const { version } = JSON.parse(readFileSync(manifest, 'utf8'));
	if (version !== entry.version) stale(`${where} is ${version}, the lockfile says ${entry.version}`);
}
try {
	const ivm = createRequire(path.join(root, 'package.json'))('isolated-vm');
	const isolate = new ivm.Isolate({ memoryLimit: 8 });
	if (isolate.compileScriptSync('6 * 7').runSync(isolate.createContextSync()) !== 42) stale('isolated-vm computes wrongly');
	isolate.dispose();
} catch (error) {
	stale(`isolated-vm does not load under Node ${process.version} (${error.message.split('\n')[0]})`);
}
