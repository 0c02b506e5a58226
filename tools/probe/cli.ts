/**
 * npm run probe -- [--base-url URL] [--spend [--image FILE]] [--update-doc] [--out DIR] …
 *
 * Settles the open questions of docs/leonardo-api.md §7 with a real key (LEONARDO_API_KEY). Free by
 * default; `--spend` runs one real generation (about $0.50 at most) after printing the estimate.
 * Writes probe-results/probe-<time>.json (send it back to the maintainers) and, with --update-doc,
 * a dated "observed" section for the API notes. The key is never printed or written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { renderObservedSection, renderTable } from './report.ts';
import { OFFICIAL_BASE_URL, runProbe, type ProbeOptions } from './run.ts';
import type { NodeErrorParser } from './validation.ts';

const USAGE = `Usage: LEONARDO_API_KEY=<key> npm run probe -- [options]

  --base-url URL        API base URL (default ${OFFICIAL_BASE_URL}; a gateway or the emulator)
  --spend               also run the paid part: one LTX 2.3 Fast 6 s 1080p video (estimate printed first)
  --image FILE          with --spend: one Pro image-to-video from FILE (.png/.jpg/.webp), prompt_enhance AUTO
  --webhook-port N      with --spend: record webhook calls arriving on this port (needs an https tunnel)
  --webhook-host HOST   address to listen on (default 127.0.0.1)
  --webhook-wait S      seconds to wait for the webhook after COMPLETE (default 120)
  --no-validation       skip the validation-only part
  --poll-interval S     seconds between status checks (default 5)
  --timeout S           seconds to wait for a generation (default 900)
  --out DIR             where the JSON (and the doc section) go (default probe-results)
  --update-doc          also write a dated "observed" section for docs/leonardo-api.md
  --help

LEONARDO_WEBHOOK_KEY (optional): the key's Webhook Callback API Key, to check webhook authorization.`;

interface CliArguments {
	options: Omit<ProbeOptions, 'apiKey' | 'nodeParser'>;
	outDir: string;
	updateDoc: boolean;
}

function seconds(flag: string, value: string | undefined): number {
	const number = Number(value);
	if (value === undefined || !Number.isFinite(number) || number < 0) throw new Error(`${flag} needs a number of seconds`);
	return number;
}

function port(value: string): number {
	if (!/^\d+$/.test(value) || Number(value) > 65535) throw new Error('--webhook-port needs a port number');
	return Number(value);
}

function parseArguments(args: string[]): CliArguments | 'help' {
	const parsed: CliArguments = {
		options: {
			baseUrl: OFFICIAL_BASE_URL,
			spend: false,
			skipValidation: false,
			pollIntervalMs: 5000,
			timeoutMs: 900_000,
			webhookHost: '127.0.0.1',
			webhookWaitMs: 120_000,
		},
		outDir: 'probe-results',
		updateDoc: false,
	};
	const { options } = parsed;
	for (let i = 0; i < args.length; i++) {
		const flag = args[i];
		const value = () => {
			const next = args[++i];
			if (next === undefined) throw new Error(`${flag} needs a value`);
			return next;
		};
		if (flag === '--help' || flag === '-h') return 'help';
		else if (flag === '--base-url') options.baseUrl = value();
		else if (flag === '--spend') options.spend = true;
		else if (flag === '--image') options.imageFile = value();
		else if (flag === '--webhook-port') options.webhookPort = port(value());
		else if (flag === '--webhook-host') options.webhookHost = value();
		else if (flag === '--webhook-wait') options.webhookWaitMs = seconds(flag, value()) * 1000;
		else if (flag === '--no-validation') options.skipValidation = true;
		else if (flag === '--poll-interval') options.pollIntervalMs = seconds(flag, value()) * 1000;
		else if (flag === '--timeout') options.timeoutMs = seconds(flag, value()) * 1000;
		else if (flag === '--out') parsed.outDir = value();
		else if (flag === '--update-doc') parsed.updateDoc = true;
		else throw new Error(`unknown option ${flag}`);
	}
	if (!/^https?:\/\//i.test(options.baseUrl)) throw new Error('--base-url must be an http(s) URL');
	if (options.imageFile && !options.spend) throw new Error('--image needs --spend (image-to-video is a paid generation)');
	if (options.webhookPort !== undefined && !options.spend) throw new Error('--webhook-port needs --spend (webhooks come only for real generations)');
	return parsed;
}

/** The node's own errors module from the build (dist/): its parser is checked, its redaction used (validation.ts). */
function loadNodeParser(): NodeErrorParser | undefined {
	try {
		// This file's path (import.meta is not available to the repository's CommonJS type check).
		const require = createRequire(path.resolve(process.argv[1]));
		return require('../../dist/nodes/shared/errors.js') as NodeErrorParser;
	} catch {
		return undefined;
	}
}

async function main(): Promise<number> {
	let parsed: CliArguments | 'help';
	try {
		parsed = parseArguments(process.argv.slice(2));
	} catch (error) {
		process.stderr.write(`probe: ${(error as Error).message}\n\n${USAGE}\n`);
		return 1;
	}
	if (parsed === 'help') {
		process.stdout.write(`${USAGE}\n`);
		return 0;
	}
	const apiKey = process.env.LEONARDO_API_KEY?.trim();
	if (!apiKey) {
		process.stderr.write('probe: set LEONARDO_API_KEY to your Leonardo.AI API key (it is sent only to the base URL and never printed)\n');
		return 1;
	}
	const nodeParser = loadNodeParser();
	if (!nodeParser) {
		process.stderr.write('probe: dist/nodes/shared/errors.js not found: run `npm run build` (npm run probe builds first)\n');
		return 1;
	}
	const say = (line: string) => process.stdout.write(`${line}\n`);
	const result = await runProbe({ ...parsed.options, apiKey, nodeParser, webhookCallbackKey: process.env.LEONARDO_WEBHOOK_KEY?.trim() || undefined }, say);

	say('');
	say(renderTable(result.rows));
	const stamp = result.probe.startedAt.replace(/[:.]/g, '-');
	mkdirSync(parsed.outDir, { recursive: true });
	const jsonFile = path.join(parsed.outDir, `probe-${stamp}.json`);
	writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
	say('');
	say(`Results: ${jsonFile} (no key inside; send this file to the maintainers)`);
	if (parsed.updateDoc) {
		const docFile = path.join(parsed.outDir, `leonardo-api-observed-${result.probe.startedAt.slice(0, 10)}.md`);
		writeFileSync(docFile, renderObservedSection(result, result.rows));
		say(`Observed section for docs/leonardo-api.md: ${docFile}`);
	}
	if (result.stoppedBecause) say(`Stopped: ${result.stoppedBecause}`);
	return result.account?.keyWorks ? 0 : 2;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		process.stderr.write(`probe: ${(error as Error)?.stack ?? String(error)}\n`);
		process.exit(3);
	},
);
