/**
 * docs/troubleshooting.md "Errors and what to do" must list every message LTX Video can give: each error the
 * code constructs is looked up in that section by its longest fixed part (the text between `${…}` values).
 * The README's short table of the most likely errors must quote only messages that list has.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { section, tableRows } from '../helpers/markdown';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
/** The section as rendered text runs: a line break inside a sentence is a space. */
const asText = (markdown: string) => markdown.replace(/\s+/g, ' ');
const errorsSection = asText(section(read('docs/troubleshooting.md'), '## Errors and what to do'));

const sourceFiles = ['nodes/LtxVideo', 'nodes/shared'].flatMap((dir) =>
	readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
		.filter((file) => file.endsWith('.ts'))
		.map((file) => path.join(dir, file)),
);

/** The message argument of every `new NodeOperationError(node, '…')` / `new InvalidInputError('…')`, and the call descriptions and network reasons of the transport. */
function messagesIn(file: string): string[] {
	const code = readFileSync(path.join(ROOT, file), 'utf8');
	const literal = String.raw`('(?:[^'\\]|\\.)*'|\x60(?:[^\x60\\]|\\.)*\x60)`;
	const patterns = [
		new RegExp(String.raw`new NodeOperationError\(\s*[\w.()]+,\s*${literal}`, 'g'),
		new RegExp(String.raw`new InvalidInputError\(\s*${literal}`, 'g'),
		...(file.endsWith('transport.ts') ? [new RegExp(String.raw`return ${literal};`, 'g')] : []),
	];
	return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1].slice(1, -1)));
}

/** The longest part of a template that does not vary. */
const fixedPart = (template: string) =>
	template
		.split(/\$\{(?:[^{}]|\{[^{}]*\})*\}/)
		.map((part) => part.replace(/\s+/g, ' ').trim())
		.sort((a, b) => b.length - a.length)[0];

const messages = sourceFiles.flatMap((file) => messagesIn(file).map((message) => ({ file, message, fixed: fixedPart(message) })));

test('the scan finds the node’s errors', () => {
	expect(messages.length).toBeGreaterThan(35);
});

test.each(messages.filter(({ fixed }) => fixed.length >= 6).map(({ file, message, fixed }) => [fixed, file, message]))(
	'docs/troubleshooting.md lists "%s" (%s)',
	(fixed) => {
		expect(errorsSection).toContain(fixed);
	},
);

/** The README's "Errors" table: the fixed parts of the messages its first column quotes. */
const readmeMessages = tableRows(section(read('README.md'), '## Errors')).flatMap(([message]) =>
	[...message.matchAll(/`([^`]+)`/g)].flatMap((match) =>
		match[1]
			.split('…')
			.map((part) => part.trim())
			.filter((part) => part.length >= 6),
	),
);

test('the README lists the most likely errors', () => {
	expect(readmeMessages.length).toBeGreaterThanOrEqual(8);
});

test.each(readmeMessages)('the README\'s error "%s" is in docs/troubleshooting.md', (message) => {
	expect(errorsSection).toContain(asText(message));
});
