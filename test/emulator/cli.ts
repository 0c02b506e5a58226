/**
 * Runs the emulator as its own process (for a real n8n, or manual testing):
 *
 *   node test/emulator/cli.ts [--port-api N] [--port-s3 N] [--port-cdn N] [--delay MS] [--video-bytes N] [--key KEY] [--quiet]
 *
 * Prints one JSON line {"baseUrl","s3Url","cdnUrl","apiKey"} on stdout once listening, logs each request
 * to stderr (unless --quiet), and exits cleanly on SIGINT / SIGTERM. Drive it through /__emulator/*.
 */
import { LeonardoEmulator } from './index.ts';
import type { EmulatorOptions } from './types.ts';

const NUMBER_FLAGS: Record<string, (options: Partial<EmulatorOptions>, value: number) => void> = {
	'--port-api': (options, port) => (options.ports = { ...options.ports, api: port }),
	'--port-s3': (options, port) => (options.ports = { ...options.ports, s3: port }),
	'--port-cdn': (options, port) => (options.ports = { ...options.ports, cdn: port }),
	'--port-images': (options, port) => (options.ports = { ...options.ports, images: port }),
	'--delay': (options, ms) => (options.generationDelayMs = ms),
	'--video-bytes': (options, bytes) => (options.videoBytes = bytes),
};

function parseArguments(args: string[]): Partial<EmulatorOptions> {
	const options: Partial<EmulatorOptions> = { quiet: false };
	for (let i = 0; i < args.length; i += 1) {
		const flag = args[i];
		if (flag === '--quiet') {
			options.quiet = true;
			continue;
		}
		const value = args[++i];
		if (value === undefined) throw new Error(`${flag} needs a value`);
		if (flag === '--key') options.apiKey = value;
		else if (flag === '--host-images') options.imagesHost = value;
		else if (flag in NUMBER_FLAGS && /^\d+$/.test(value)) NUMBER_FLAGS[flag](options, Number(value));
		else throw new Error(`unknown flag or bad value: ${flag} ${value}`);
	}
	return options;
}

async function main(): Promise<void> {
	const emulator = new LeonardoEmulator(parseArguments(process.argv.slice(2)));
	await emulator.start();
	const stop = () => {
		emulator.stop().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
	const ready = { baseUrl: emulator.baseUrl, s3Url: emulator.s3Url, cdnUrl: emulator.cdnUrl, imagesUrl: emulator.imagesUrl, apiKey: emulator.apiKey };
	process.stdout.write(`${JSON.stringify(ready)}\n`);
}

main().catch((error: unknown) => {
	process.stderr.write(`leonardo-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(2);
});
