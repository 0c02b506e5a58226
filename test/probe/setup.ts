/** What the probe tests share: the emulator they probe and the probe options aimed at it. */
import * as nodeErrors from '../../nodes/shared/errors';
import { LeonardoEmulator } from '../emulator/index.ts';
import type { EmulatorOptions } from '../emulator/index.ts';
import type { ProbeOptions } from '../../tools/probe/run.ts';

/** Quick generations and no create rate limit; both audio spellings unless a test sets one itself. */
export async function startProbeEmulator(options: Partial<EmulatorOptions> = {}): Promise<LeonardoEmulator> {
	const emu = new LeonardoEmulator({ generationDelayMs: 150, createRatePerMinute: 100_000, quiet: true, audioField: 'both', ...options });
	await emu.start();
	return emu;
}

/** The free and validation parts against `emu`, polling fast, reading errors with the node's own parser. */
export function probeOptions(emu: LeonardoEmulator, changes: Partial<ProbeOptions> = {}): ProbeOptions {
	return {
		apiKey: emu.apiKey,
		baseUrl: emu.baseUrl,
		spend: false,
		skipValidation: false,
		pollIntervalMs: 50,
		timeoutMs: 20_000,
		webhookHost: '127.0.0.1',
		webhookWaitMs: 2000,
		nodeParser: nodeErrors,
		...changes,
	};
}
