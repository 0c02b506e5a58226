/**
 * The documentation holds together: every section of the API notes that code, tests or docs cite (`§2`,
 * `leonardo-api.md §7.1`) is a heading of docs/leonardo-api.md; every relative link in the README,
 * CONTRIBUTING.md and docs/ reaches a file (and a heading, when it names one); CI runs exactly the commands
 * the README's Development section lists.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { headingAnchors, linkTargets, section } from '../helpers/markdown';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const THIS_FILE = path.relative(ROOT, __filename);

/** Files below `dir` (relative to the root) whose names end with one of `extensions`. */
function filesBelow(dir: string, extensions: string[]): string[] {
	return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
		.filter((file) => !file.split(path.sep).includes('node_modules') && extensions.some((extension) => file.endsWith(extension)))
		.map((file) => path.join(dir, file));
}

const docs = readdirSync(path.join(ROOT, 'docs'))
	.filter((file) => file.endsWith('.md'))
	.map((file) => path.join('docs', file));

describe('§ references name a section of docs/leonardo-api.md', () => {
	/** Section numbers as the notes' headings start: `## 2. Poll…`, `### 1.2 LTX…`, `### 7.10 Webhook…`. */
	const sections = new Set(
		[...read('docs/leonardo-api.md').matchAll(/^#{2,4} (\d+(?:\.\d+)*)\.? /gm)].map((match) => match[1]),
	);
	const citing = [
		...['nodes', 'credentials', 'test', 'tools'].flatMap((dir) => filesBelow(dir, ['.ts', '.mjs', '.md'])),
		'README.md',
		'CONTRIBUTING.md',
		...docs,
	].filter((file) => file !== THIS_FILE);
	const references = citing.flatMap((file) =>
		read(file)
			.split('\n')
			.flatMap((line, index) => [...line.matchAll(/§\s*(\d+(?:\.\d+)*)/g)].map((match) => ({ where: `${file}:${index + 1}`, section: match[1] }))),
	);

	test('the notes have their sections and the code cites them', () => {
		expect([...sections]).toEqual(expect.arrayContaining(['0', '1', '1.4', '2', '3.3', '5', '6.1', '6.3', '7', '7.1', '7.10']));
		expect(references.length).toBeGreaterThan(60);
	});

	test.each(references.map(({ where, section: cited }) => [where, cited]))('%s cites §%s, which exists', (where, cited) => {
		expect({ where, cited, exists: sections.has(cited) }).toEqual({ where, cited, exists: true });
	});
});

describe('relative Markdown links reach a file, and the heading they name', () => {
	const linking = ['README.md', 'CONTRIBUTING.md', ...docs];
	const links = linking.flatMap((file) =>
		linkTargets(read(file))
			.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
			.map((target) => ({ file, target })),
	);

	test('the documents link to each other', () => {
		expect(links.length).toBeGreaterThan(50);
	});

	test.each(links.map(({ file, target }) => [file, target]))('%s → %s', (file, target) => {
		const [pathPart, anchor] = target.split('#', 2);
		const resolved = pathPart ? path.join(path.dirname(file), decodeURIComponent(pathPart)) : file;
		const exists = existsSync(path.join(ROOT, resolved));
		expect({ file, target, resolved, exists }).toEqual({ file, target, resolved, exists: true });
		if (anchor === undefined || !resolved.endsWith('.md') || statSync(path.join(ROOT, resolved)).isDirectory()) return;
		expect({ file, target, headingExists: headingAnchors(read(resolved)).has(anchor) }).toEqual({ file, target, headingExists: true });
	});
});

test('.ci/run runs exactly the commands the README lists under Development, in order', () => {
	const listed = /```sh\n([\s\S]*?)```/.exec(section(read('README.md'), '## Development'))?.[1] ?? '';
	const commands = (text: string) =>
		text
			.split('\n')
			.map((line) => line.trim())
			.filter((line) => line.startsWith('npm '));
	expect(commands(read('.ci/run'))).toEqual(commands(listed));
	expect(commands(listed)).toEqual(expect.arrayContaining(['npm run setup', 'npm run lint', 'npm test']));
});

test('the README gives the manual install commands that test/e2e/install.test.ts runs word for word', () => {
	const readme = read('README.md');
	// install.test.ts: `npm install --legacy-peer-deps <name>` and `… <tarball>` in ~/.n8n/nodes.
	expect(readme).toContain('mkdir -p ~/.n8n/nodes && cd ~/.n8n/nodes\nnpm install --legacy-peer-deps n8n-nodes-leonardo-ltx\n');
	const { version } = JSON.parse(read('package.json')) as { version: string };
	expect(readme).toMatch(new RegExp(String.raw`mkdir -p ~/\.n8n/nodes && cd ~/\.n8n/nodes\n\s*npm install --legacy-peer-deps /path/to/n8n-nodes-leonardo-ltx-${version.replace(/\./g, '\\.')}\.tgz`));
	const e2e = read('test/e2e/install.test.ts');
	expect(e2e).toContain("['install', '--legacy-peer-deps', PACKAGE_NAME,");
	expect(e2e).toContain("['install', '--legacy-peer-deps', tarball]");
});
