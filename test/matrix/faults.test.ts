/** Runs the fault matrix through n8n's engine against the emulator. */
import { generate, useEmulator, visibleText } from '../helpers/scenario';
import { FAULT_CASES } from './faults.cases';

const { emulator, run, requests, createdGenerations } = useEmulator();

describe.each(['create', 'poll', 'download', 'upload', 'redirect'] as const)('%s', (area) => {
	const cases = FAULT_CASES.filter((fault) => fault.area === area);
	test.each(cases.map((fault) => [fault.name, fault] as const))(
		'%s',
		async (_name, fault) => {
			if (fault.emulator) emulator.setOptions(fault.emulator);
			for (const spec of fault.faults) {
				emulator.injectFault(spec.location ? { ...spec, location: spec.location.replace('CDN_ORIGIN', emulator.cdnUrl) } : spec);
			}
			const result = await run(fault.parameters ?? generate(), { input: fault.input });

			if (fault.outcome === 'video') {
				expect(result.error).toBeUndefined();
				const bytes = await result.readBinary(result.items[0]);
				expect(bytes.toString('latin1', 4, 8)).toBe('ftyp');
				expect(result.items[0].binary!.data.bytes).toBe(bytes.length);
			} else {
				expect(result.error?.message).toMatch(fault.outcome);
				expect(result.items).toEqual([]);
			}
			expect(requests('create')).toHaveLength(fault.creates);

			// Never paid twice: at most one generation for the one item.
			const created = createdGenerations();
			expect(created.length).toBeLessThanOrEqual(1);
			// Nothing lost: an error after a known create names the generation.
			const createAnswered = requests('create').some((request) => request.status === 200) && !/without a generation ID/.test(result.error?.message ?? '');
			if (result.error && created.length === 1 && createAnswered) {
				expect(`${result.error.message} ${result.error.description}`).toContain(created[0]);
			}
			expect(visibleText(result)).not.toContain(emulator.apiKey);
			fault.check?.(requests());
		},
		fault_timeout(cases),
	);
});

function fault_timeout(cases: typeof FAULT_CASES): number {
	return Math.max(30_000, ...cases.map((fault) => fault.timeoutMs ?? 0));
}
