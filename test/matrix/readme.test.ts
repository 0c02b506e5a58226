/** The README's matrix tables must list every tested case, so the documentation cannot drift. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { BAD_INPUT_CASES } from './bad-input.cases';
import { FAULT_CASES } from './faults.cases';

const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const cell = (text: string) => `| ${text.replace(/\|/g, '\\|')} |`;

test.each(FAULT_CASES.map((fault) => fault.name))('fault matrix lists "%s"', (name) => {
	expect(readme).toContain(cell(name).slice(0, -2));
});

test.each(BAD_INPUT_CASES.map((badInput) => badInput.name))('bad-input matrix lists "%s"', (name) => {
	expect(readme).toContain(` ${name.replace(/\|/g, '\\|')} |`);
});
