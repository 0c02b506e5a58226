/**
 * The package as n8n's community-package rules see it, checked on the BUILT output (`npm test` builds
 * first): package.json, what `npm pack` would publish, the compiled node and credential, icons and codex.
 * The ESLint rule sets (n8n's lint plugin and scanner) run separately in `npm run lint`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { ICredentialType, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { headingAnchors } from './helpers/markdown';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

interface PackageJson {
	name: string;
	version: string;
	license: string;
	keywords: string[];
	homepage?: string;
	author?: { name?: string; email?: string };
	repository?: { url?: string };
	main?: string;
	files: string[];
	scripts: Record<string, string>;
	dependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	overrides?: unknown;
	n8n: { n8nNodesApiVersion: number; nodes: string[]; credentials: string[] };
}

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as PackageJson;
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** What `npm pack` would put into the tarball (paths relative to the package root). */
function packedFiles(): string[] {
	const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'ignore'],
	});
	const [report] = JSON.parse(output) as Array<{ files: Array<{ path: string }> }>;
	return report.files.map((file) => file.path).sort();
}

/** Loads a class exported by a compiled file listed in package.json#n8n. */
function loadBuilt<T>(relativePath: string): T {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const exports = require(path.join(ROOT, relativePath)) as Record<string, new () => T>;
	const [Class] = Object.values(exports);
	return new Class();
}

const readmeAnchors = headingAnchors(readme);

beforeAll(() => {
	if (!existsSync(path.join(DIST, 'nodes')) || !existsSync(path.join(DIST, 'credentials'))) {
		throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
	}
});

describe('package.json follows the community-package rules', () => {
	test('name, keyword, license, author, homepage, repository', () => {
		expect(pkg.name).toMatch(/^n8n-nodes-[a-z0-9-]+$/);
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.license).toBe('MIT');
		expect(pkg.author?.name).toBeTruthy();
		expect(pkg.author?.email).toMatch(/^[^@\s]+@[^@\s]+$/);
		expect(pkg.homepage).toMatch(/^https:\/\//);
		expect(pkg.repository?.url).toMatch(/github\.com/);
		expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
	});

	test('no runtime dependencies; peer dependency exactly n8n-workflow "*"; no overrides', () => {
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg).not.toHaveProperty('overrides');
	});

	test('publishes dist only, with no install-time scripts', () => {
		expect(pkg.files).toEqual(['dist']);
		const forbidden = ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare', 'prepublish'];
		expect(Object.keys(pkg.scripts).filter((script) => forbidden.includes(script))).toEqual([]);
		// A "main" outside dist would be published too (npm always packs it).
		if (pkg.main !== undefined) expect(pkg.main).toMatch(/^dist\//);
	});

	test('n8n section: API version 1, and every listed node and credential exists in dist', () => {
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		expect(pkg.n8n.nodes.length).toBeGreaterThan(0);
		expect(pkg.n8n.credentials.length).toBeGreaterThan(0);
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
			expect(file).toMatch(/^dist\/.+\.js$/);
			expect({ file, exists: existsSync(path.join(ROOT, file)) }).toEqual({ file, exists: true });
		}
	});
});

describe('what npm would publish', () => {
	const files = packedFiles();

	test('nothing but dist/, README.md, LICENSE and package.json', () => {
		expect(files.filter((file) => !file.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json'].includes(file))).toEqual([]);
		expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
		expect(readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/MIT License/);
	});

	test('every file package.json#n8n names is in the tarball; no tests or TypeScript sources', () => {
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(files).toContain(file);
		expect(files.filter((file) => /(^|\/)test\//.test(file) || /\.test\.|\.spec\./.test(file))).toEqual([]);
		expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
	});

	test('the shipped JavaScript never touches the file system, child processes or environment variables', () => {
		const scripts = files.filter((file) => file.endsWith('.js'));
		expect(scripts.length).toBeGreaterThan(0);
		const forbidden: Array<[string, RegExp]> = [
			['fs', /require\(\s*["'](node:)?fs(\/promises)?["']\s*\)|from\s+["'](node:)?fs(\/promises)?["']/],
			['child_process', /child_process/],
			['process.env', /\bprocess\s*\.\s*env\b|\bprocess\s*\[\s*["']env["']\s*\]/],
		];
		const findings = scripts.flatMap((file) => {
			const code = readFileSync(path.join(ROOT, file), 'utf8');
			return forbidden.filter(([, pattern]) => pattern.test(code)).map(([what]) => `${file}: ${what}`);
		});
		expect(findings).toEqual([]);
	});
});

describe('the built node, credential, icons and codex', () => {
	const nodeFile = pkg.n8n.nodes[0];
	const nodeDir = path.dirname(path.join(ROOT, nodeFile));
	const node = loadBuilt<INodeType>(nodeFile);
	const description: INodeTypeDescription = node.description;
	const credential = loadBuilt<ICredentialType>(pkg.n8n.credentials[0]);

	/** An icon reference `file:x.svg`, resolved against the folder of the file that declares it. */
	function iconFile(reference: unknown, fromDir: string): string {
		expect(reference).toMatch(/^file:.+\.(svg|png)$/);
		return path.resolve(fromDir, String(reference).slice('file:'.length));
	}

	function expectThemedIcons(icon: unknown, fromDir: string) {
		const { light, dark } = icon as { light: string; dark: string };
		const files = [iconFile(light, fromDir), iconFile(dark, fromDir)];
		for (const file of files) {
			expect({ file, exists: existsSync(file) }).toEqual({ file, exists: true });
			expect(readFileSync(file, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
		}
		expect(files[0]).not.toBe(files[1]);
		expect(readFileSync(files[0], 'utf8')).not.toBe(readFileSync(files[1], 'utf8'));
	}

	test('node: the contract name, version 1, usable as an AI tool, main in and out', () => {
		expect(description.name).toBe('ltxVideo');
		expect(description.version).toBe(1);
		expect(description.usableAsTool).toBe(true);
		expect(description.inputs).toEqual(['main']);
		expect(description.outputs).toEqual(['main']);
		expect(description.subtitle).toBeTruthy();
		expect(description.credentials).toEqual([{ name: 'leonardoAiApi', required: true }]);
	});

	test('node: light and dark icons exist in dist and differ', () => {
		expectThemedIcons(description.icon, nodeDir);
	});

	test('credential: the contract name, themed icons, a README documentation link, a test request', () => {
		expect(credential.name).toBe('leonardoAiApi');
		expectThemedIcons(credential.icon, path.dirname(path.join(ROOT, pkg.n8n.credentials[0])));
		const docs = new URL(credential.documentationUrl!);
		expect(`${docs.origin}${docs.pathname}`).toBe(pkg.homepage!.replace(/#.*$/, ''));
		expect(readmeAnchors).toContain(docs.hash.slice(1));
		expect(credential.authenticate).toMatchObject({ type: 'generic' });
		expect(credential.test?.request.url).toBe('/v1/me');
		expect(credential.properties.find((property) => property.name === 'apiKey')?.typeOptions?.password).toBe(true);
	});

	test('codex file beside the node: node type, categories, aliases, documentation links', () => {
		const codexFile = nodeFile.replace(/\.js$/, '.json');
		expect(existsSync(path.join(ROOT, codexFile))).toBe(true);
		const codex = JSON.parse(readFileSync(path.join(ROOT, codexFile), 'utf8')) as {
			node: string;
			nodeVersion: string;
			codexVersion: string;
			categories: string[];
			alias: string[];
			resources: Record<string, Array<{ url: string }>>;
		};
		expect(codex.node).toBe(`${pkg.name}.${description.name}`);
		expect(codex.nodeVersion).toBe('1.0');
		expect(codex.codexVersion).toBe('1.0');
		expect(codex.categories.length).toBeGreaterThan(0);
		const aliases = codex.alias.map((alias) => alias.toLowerCase());
		for (const alias of ['video', 'text to video', 'image to video', 'ai video', 'leonardo', 'ltx']) expect(aliases).toContain(alias);
		for (const kind of ['primaryDocumentation', 'credentialDocumentation']) {
			expect(codex.resources[kind]?.length).toBeGreaterThan(0);
			for (const { url } of codex.resources[kind]) {
				expect(url.startsWith(pkg.homepage!.replace(/#.*$/, ''))).toBe(true);
				const hash = new URL(url).hash.slice(1);
				if (hash && hash !== 'readme') expect(readmeAnchors).toContain(hash);
			}
		}
	});
});

/** `npm run lint` in CI runs the same two checks; here they keep `npm test` honest between CI runs. */
describe('n8n’s community-node rules', () => {
	// jest sets NODE_ENV=test, which switches eslint-plugin-n8n-nodes-base into its own self-test mode.
	const env = { ...process.env, NODE_ENV: 'production' };
	/** A tool's whole outcome: a crash (exit code, stderr) fails the test as surely as a finding does. */
	const run = (args: string[]) => {
		const { status, signal, stdout, stderr, error } = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
		// stderr is shown when the tool failed (tools may warn there on success, e.g. npm inside the scanner).
		return { status, signal, stdout, stderr: status === 0 ? '' : stderr.trim(), spawnError: error?.message };
	};

	test('ESLint with @n8n/eslint-plugin-community-nodes and eslint-plugin-n8n-nodes-base: no errors, no warnings', () => {
		const lint = run(['node_modules/eslint/bin/eslint.js', '--max-warnings=0', '--format=json', 'nodes', 'credentials', 'package.json']);
		expect({ status: lint.status, signal: lint.signal, stderr: lint.stderr, spawnError: lint.spawnError }).toEqual({
			status: 0,
			signal: null,
			stderr: '',
			spawnError: undefined,
		});
		// The success line of ESLint is its report: every source file linted, none with a finding.
		const report = JSON.parse(lint.stdout) as Array<{ filePath: string; errorCount: number; warningCount: number; fatalErrorCount: number }>;
		const linted = report.map((file) => path.relative(ROOT, file.filePath));
		expect(linted).toEqual(expect.arrayContaining(['package.json', 'nodes/LtxVideo/LtxVideo.node.ts', 'credentials/LeonardoAiApi.credentials.ts']));
		expect(report.filter((file) => file.errorCount + file.warningCount + file.fatalErrorCount > 0).map((file) => file.filePath)).toEqual([]);
	}, 120_000);

	test('n8n’s package scanner rule set on the source and on the packed tarball', () => {
		const scan = run(['tools/scan-community-package.mjs']);
		expect({ status: scan.status, signal: scan.signal, stderr: scan.stderr, spawnError: scan.spawnError }).toEqual({
			status: 0,
			signal: null,
			stderr: '',
			spawnError: undefined,
		});
		expect(scan.stdout).toMatch(/^✅ source \(.*\): passed$/m);
		expect(scan.stdout).toMatch(/^✅ tarball \(.*\): passed$/m);
		expect(scan.stdout).toMatch(/^n8n community-package scan: no violations/m);
		expect(scan.stdout).not.toMatch(/❌/);
	}, 120_000);
});

describe('README has every section of n8n’s community-node template', () => {
	test.each([
		['Installation'],
		['Operations'],
		['Credentials'],
		['Compatibility'],
		['Usage'],
		['Errors'],
		['Version history'],
		['License'],
	])('%s', (section) => {
		expect({ section, present: new RegExp(`^## ${section}`, 'm').test(readme) }).toEqual({ section, present: true });
	});
});
