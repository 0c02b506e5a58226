#!/usr/bin/env node
// n8n's community-package scanner, run locally.
//
// `npx @n8n/scan-community-package <name>` (what n8n runs before it verifies a package) downloads the
// published package from npm, requires an npm provenance attestation, fetches the attested GitHub source,
// and lints both with one fixed ESLint config. It cannot run on an unpublished package, so this script calls
// the scanner's own exported `analyzePackage` (same package, same config, same file patterns, inline
// `eslint-disable` comments ignored as the scanner ignores them) on:
//   1. the source: package.json and nodes/, credentials/ (*.ts, *.js, *.json), as the provenance leg does;
//   2. the tarball: `npm pack` of the built package, unpacked; compiled *.js and package.json, as the
//      published-artifact leg does.
// Only the provenance check and the downloads are left out. Needs a built dist/ (`npm run build`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'n8n-scan-'));
let failed = false;

async function leg(label, dir, patterns) {
	const result = await analyzePackage(dir, patterns);
	if (result.passed) {
		console.log(`✅ ${label}: passed${result.message ? ` (${result.message})` : ''}`);
	} else {
		failed = true;
		console.log(`❌ ${label}: ${result.message}`);
		if (result.details) console.log(result.details);
	}
}

try {
	await leg('source (package.json, nodes/, credentials/)', root, SOURCE_FILE_PATTERNS);

	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
	);
	const unpacked = join(work, 'package-dir');
	execFileSync('mkdir', ['-p', unpacked]);
	execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', unpacked, '--strip-components=1']);
	const shipped = readdirSync(join(unpacked, 'dist'), { recursive: true }).filter((file) => String(file).endsWith('.js'));
	if (shipped.length === 0) {
		failed = true;
		console.log('❌ tarball: dist/ has no JavaScript. Run `npm run build` first.');
	} else {
		await leg(`tarball (${packed.filename}: ${shipped.length} .js files, package.json)`, unpacked, ['**/*.js', 'package.json']);
	}
} finally {
	rmSync(work, { recursive: true, force: true });
}

if (failed) {
	console.log('\nThe n8n community-package scan found problems (see above).');
	process.exit(1);
}
console.log('n8n community-package scan: no violations (provenance is checked by n8n only after publishing).');
