/**
 * The matrix tables of docs/reliability.md must list every tested case with what the test asserts for it
 * (outcome and create requests; error and fix), so the documentation cannot drift from the suites.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { section, tableRows } from '../helpers/markdown';
import { BAD_INPUT_CASES } from './bad-input.cases';
import { FAULT_CASES } from './faults.cases';

const reliability = readFileSync(path.join(__dirname, '..', '..', 'docs', 'reliability.md'), 'utf8');

/** A regular expression as the tables show it: its source, unescaped where it is plain text. */
const shown = (pattern: RegExp) => pattern.source.replace(/\\([./()"[\]])/g, '$1');

const faultRows = new Map(tableRows(section(reliability, '## Fault matrix')).map(([name, ...cells]) => [name, cells]));
const badInputRows = new Map(tableRows(section(reliability, '## Bad-input matrix')).map(([, name, ...cells]) => [name, cells]));

test('both tables were found and have one row per case', () => {
	expect(faultRows.size).toBe(FAULT_CASES.length);
	expect(badInputRows.size).toBe(BAD_INPUT_CASES.length);
});

test.each(FAULT_CASES.map((fault) => [fault.name, fault] as const))('fault matrix: "%s" with its outcome and create requests', (name, fault) => {
	const [outcome, creates] = faultRows.get(name) ?? [];
	expect({ name, outcome, creates }).toEqual({
		name,
		outcome: fault.outcome === 'video' ? 'video delivered' : `error: \`${shown(fault.outcome)}\``,
		creates: String(fault.creates),
	});
});

test.each(BAD_INPUT_CASES.map((badInput) => [badInput.name, badInput] as const))('bad-input matrix: "%s" with its error and fix', (name, badInput) => {
	const [message, fix] = badInputRows.get(name) ?? [];
	expect({ name, message, fix }).toEqual({ name, message: shown(badInput.message), fix: shown(badInput.fix) });
});
