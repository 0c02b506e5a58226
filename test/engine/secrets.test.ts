/**
 * Secrets in error text, through n8n's engine: wherever Leonardo (or a proxy in front of it) answers an
 * error that echoes the request's Authorization header and the key's settings (the emulator's
 * 'echo-secrets' fault, 1 MB long), neither the API key nor the Webhook Callback API Key reaches the
 * node's error, its description, the error output item, the run data or the log, and the quote is capped.
 */
import { randomUUID } from 'node:crypto';
import type { INodeParameters } from 'n8n-workflow';

import { QUOTE_MAX_LENGTH } from '../../nodes/shared/errors';
import type { RouteName } from '../emulator/types.ts';
import { captureLogs, type InputItem, runLtxNode, type RunResult } from '../helpers/engine';
import { generate, useEmulator, visibleText } from '../helpers/scenario';

const { emulator, run, requests } = useEmulator();
const CALLBACK_SECRET = 'callback-secret-5b1e9d';
const GENERATION_ID = randomUUID();
const withStartFrame: InputItem[] = [{ binary: { data: { file: 'frame.png' } } }];

beforeEach(() => emulator.webhooks.configure({ callbackApiKey: CALLBACK_SECRET }));
afterAll(() => emulator.webhooks.configure({}));

/** Every string the run holds, Error properties that JSON leaves out (cause, messages, errorResponse) included. */
function everyString(value: unknown): string {
	const strings: string[] = [];
	const seen = new Set<unknown>();
	const visit = (item: unknown): void => {
		if (typeof item === 'string') strings.push(item);
		if (typeof item !== 'object' || item === null || seen.has(item)) return;
		seen.add(item);
		for (const key of Object.getOwnPropertyNames(item)) visit((item as Record<string, unknown>)[key]);
	};
	visit(value);
	return strings.join('\n');
}

/** The failure as the user sees it: the node's error, or the item on the error output. */
function failureOf(result: RunResult): { message: string; description: string } {
	if (result.error) return { message: result.error.message, description: result.error.description ?? '' };
	const json = result.outputs[1]?.[0]?.json as { error?: string; details?: { description?: string } } | undefined;
	if (!json?.error) throw new Error('the node neither failed nor put an item on its error output');
	return { message: json.error, description: json.details?.description ?? '' };
}

/** Every row has all three values: jest hands a shorter row's test a `done` callback in the missing place. */
const places: Array<[RouteName, INodeParameters, InputItem[] | undefined]> = [
	['create', generate(), undefined],
	['poll', { resource: 'video', operation: 'get', generationId: GENERATION_ID }, undefined],
	['initImage', generate({ startFrame: 'binary' }), withStartFrame],
	['s3Upload', generate({ startFrame: 'binary' }), withStartFrame],
	['delete', { resource: 'video', operation: 'delete', generationId: GENERATION_ID }, undefined],
	['me', { resource: 'video', operation: 'getAll' }, undefined],
	['listByUser', { resource: 'video', operation: 'getAll' }, undefined],
];

describe.each(['stopWorkflow', 'continueErrorOutput'] as const)('On Error %s', (onError) => {
	test.each(places)('%s answers a 1 MB error echoing the key and the callback secret: quoted redacted and capped', async (route, parameters, input) => {
		emulator.injectFault({ route, kind: 'echo-secrets', messageLength: 1_000_000 });
		const logs = captureLogs();
		let result: RunResult;
		try {
			result = await runLtxNode({
				parameters,
				input,
				onError,
				credentials: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, webhookCallbackApiKey: CALLBACK_SECRET },
			});
		} finally {
			logs.stop();
		}
		expect(requests(route).map((request) => request.status)).toEqual([401]);

		const failure = failureOf(result);
		// The echo was quoted (so this is about quoting, not about an error that says nothing) ...
		expect(failure.message).toMatch(/The gateway refused .*\*\*\*/);
		// ... capped ...
		expect(failure.message.length).toBeLessThan(QUOTE_MAX_LENGTH + 200);
		expect(failure.description.length).toBeLessThan(1000);
		const everything = everyString({ run: result.run, error: result.error, logs: logs.lines });
		expect(everything.length).toBeLessThan(200_000);
		// ... and without the secrets, anywhere.
		for (const secret of [emulator.apiKey, CALLBACK_SECRET]) expect(everything).not.toContain(secret);
	});
});

test('the key is never in output, errors or logs; created generation IDs are logged', async () => {
	const logs = captureLogs();
	try {
		const ok = await run(generate({ startFrame: 'binary' }), { input: [{ binary: { data: { file: 'frame.png' } } }] });
		emulator.injectFault({ route: 'poll', status: 401, body: { error: 'Authentication hook unauthorized this request', path: '$', code: 'access-denied' } });
		const failed = await run(generate());
		expect(visibleText(ok)).not.toContain(emulator.apiKey);
		expect(visibleText(failed)).not.toContain(emulator.apiKey);
		expect(failed.error?.description).toMatch(/Generation ID: [0-9a-f-]{36}/);
		const generationId = ok.items[0].json.generationId as string;
		expect(logs.lines).toContainEqual(expect.stringContaining(`info: LTX Video: created generation ${generationId}`));
	} finally {
		logs.stop();
	}
	expect(logs.lines.join('\n')).not.toContain(emulator.apiKey);
	for (const request of requests()) {
		if (request.server !== 'api') expect(request.headers.authorization).toBeUndefined();
	}
});
