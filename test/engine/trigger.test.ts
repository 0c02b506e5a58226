/**
 * The LTX Video Trigger through n8n's engine: the emulator calls it as Leonardo would (webhooks.ts), the
 * node's webhook() runs in n8n-core's WebhookContext and each item it returns starts an execution in
 * WorkflowExecute (test/helpers/webhook.ts). About callbacks that come before Leonardo's records show
 * the generation finished: every one leads to exactly one execution, answered at once.
 */
import type { WebhookDelivery, WebhookSettings } from '../emulator/index.ts';
import { useEmulator } from '../helpers/scenario';
import { TriggerHost } from '../helpers/webhook';

const { emulator, requests } = useEmulator();
const SECRET = 'engine-webhook-callback-secret';

const hosts: TriggerHost[] = [];
afterEach(async () => {
	emulator.webhooks.configure({});
	await emulator.webhooks.idle();
	await Promise.all(hosts.splice(0).map(async (host) => await host.stop()));
});

/** A published trigger (fast lookups for the test) that the emulator's key calls back. */
async function triggerFor(options: Record<string, unknown> = {}, webhook: WebhookSettings = {}, statuses = ['COMPLETE']): Promise<TriggerHost> {
	const host = new TriggerHost({ statuses, options: { pollInterval: 1, ...options } }, { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl, webhookCallbackApiKey: SECRET });
	hosts.push(host);
	emulator.webhooks.configure({ url: await host.start(), callbackApiKey: SECRET, ...webhook });
	return host;
}

async function createGeneration(prompt = 'a lighthouse in fog'): Promise<string> {
	const response = await fetch(`${emulator.baseUrl}/v2/generations`, {
		method: 'POST',
		headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'ltxv-2.3-fast', public: false, parameters: { prompt, duration: 6 } }),
	});
	return ((await response.json()) as { generate: { generationId: string } }).generate.generationId;
}

/** Waits for the generation's callbacks to be answered and for every call and execution they caused to end. */
async function settled(host: TriggerHost, generationId: string, count = 1): Promise<WebhookDelivery[]> {
	const deadline = Date.now() + 30_000;
	let done: WebhookDelivery[] = [];
	while ((done = emulator.webhooks.deliveries.filter((entry) => entry.generationId === generationId && entry.durationMs !== undefined)).length < count) {
		if (Date.now() > deadline) throw new Error(`only ${done.length} of ${count} callbacks for ${generationId} answered`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	await host.idle();
	return done;
}

const lookupsOf = (generationId: string) => requests('poll').filter((request) => request.path.endsWith(generationId));
const answers = (deliveries: WebhookDelivery[]) => deliveries.map((delivery) => [delivery.status, JSON.parse(delivery.responseBody ?? 'null')]);

test('the record reads null, then PENDING, for several seconds after the callback: one execution with the MP4, the call answered at once', async () => {
	const host = await triggerFor({}, { lagNullMs: 2500, lagPendingMs: 2500 });
	const generationId = await createGeneration();
	const [delivery] = await settled(host, generationId);

	expect(answers([delivery])).toEqual([[200, { received: true }]]);
	expect(delivery.durationMs).toBeLessThan(1000);
	expect(host.executions).toHaveLength(1);
	const [execution] = host.executions;
	expect(execution.error).toBeUndefined();
	expect(execution.items[0].json).toMatchObject({ generationId, status: 'COMPLETE', videoUrl: expect.stringContaining('.mp4') });
	expect(execution.items[0].json.error).toBeUndefined();
	expect((await host.readBinary(execution.items[0])).subarray(4, 8).toString()).toBe('ftyp');
	// Looked up through both stages: at least one null, one PENDING, then the finished record.
	expect(lookupsOf(generationId).length).toBeGreaterThanOrEqual(4);
	expect(host.staticData).toEqual({ 'node:LTX Video Trigger': { handledGenerationIds: [generationId] } });
});

test('a record that never reads finished within Timeout starts one execution with an error item naming the generation', async () => {
	const host = await triggerFor({ timeout: 3 }, { lagNullMs: 600_000 });
	const unknown = await createGeneration('never readable');
	const [delivery] = await settled(host, unknown);
	emulator.webhooks.configure({ url: host.url, callbackApiKey: SECRET, lagPendingMs: 600_000 });
	const pending = await createGeneration('stays PENDING to the reader');
	await settled(host, pending);

	expect(host.executions).toHaveLength(2);
	const [first, second] = host.executions.map((execution) => execution.items[0].json);
	expect(first).toMatchObject({
		generationId: unknown,
		status: 'COMPLETE', // what the callback said
		error: expect.stringMatching(new RegExp(`^Leonardo did not show generation ${unknown} as finished within 3 s of its callback \\(\\d+ lookups; at the last one Leonardo did not know the ID yet\\)$`)),
		errorDescription: expect.stringContaining(unknown),
	});
	expect(second).toMatchObject({ generationId: pending, error: expect.stringMatching(/within 3 s .*its status was PENDING\)$/) });
	expect(host.executions.every((execution) => !execution.error && !execution.items[0].binary)).toBe(true);
	// Started, so remembered: a redelivery now is a duplicate.
	const again = await fetch(host.url, { method: 'POST', headers: delivery.headers, body: JSON.stringify(delivery.body) });
	expect(await again.json()).toEqual({ received: true, duplicate: true });
	await host.idle();
	expect(host.executions).toHaveLength(2);
});

test('a callback that says FAILED, its record never readable: the error item calls the generation final, not "fetch it later"', async () => {
	const host = await triggerFor({ timeout: 2 }, { lagNullMs: 600_000 }, ['COMPLETE', 'FAILED']);
	const failed = await createGeneration('[emu:failed] a storm, read late');
	await settled(host, failed);
	const [json] = host.executions.map((execution) => execution.items[0].json);
	expect(json).toMatchObject({ generationId: failed, status: 'FAILED', error: expect.stringContaining(failed) });
	expect(json.errorDescription).toMatch(/This generation is final/);
	expect(json.errorDescription).not.toMatch(/may still finish/);
});

test('copies of the callback while the first one waits for the record start no second execution', async () => {
	const host = await triggerFor({}, { lagNullMs: 2000, lagPendingMs: 1500, copies: 3 });
	const sequential = await createGeneration('three copies one after another');
	const deliveries = await settled(host, sequential, 3);
	expect(answers(deliveries)).toEqual([
		[200, { received: true }],
		[200, { received: true, duplicate: true }],
		[200, { received: true, duplicate: true }],
	]);

	emulator.webhooks.configure({ url: host.url, callbackApiKey: SECRET, lagNullMs: 2000, lagPendingMs: 1500, copies: 3, concurrentCopies: true });
	const concurrent = await createGeneration('three copies at once');
	expect(answers(await settled(host, concurrent, 3)).filter(([, body]) => !body.duplicate)).toHaveLength(1);

	expect(host.executions.map((execution) => execution.items[0].json.generationId)).toEqual([sequential, concurrent]);
	expect(host.executions.every((execution) => execution.items[0].json.status === 'COMPLETE' && !execution.items[0].json.error)).toBe(true);
});

test('a callback that started nothing is not remembered: its redelivery is looked up again, not taken for a duplicate', async () => {
	// "Trigger On" Completed only: a FAILED generation starts nothing (here after a lag, so the final status decides).
	const host = await triggerFor({}, { lagNullMs: 1500 });
	const failed = await createGeneration('[emu:failed] a storm');
	const [delivery] = await settled(host, failed);
	expect(answers([delivery])).toEqual([[200, { received: true }]]);
	expect(host.executions).toEqual([]);
	const lookupsBefore = lookupsOf(failed).length;

	const redelivery = await fetch(host.url, { method: 'POST', headers: delivery.headers, body: JSON.stringify(delivery.body) });
	expect(await redelivery.json()).toEqual({ received: true });
	await host.idle();
	expect(lookupsOf(failed).length).toBeGreaterThan(lookupsBefore);
	expect(host.executions).toEqual([]);
	expect(host.staticData).toEqual({});
});

test('a long wait does not undo the marks that shorter calls saved meanwhile (static data is saved whole per call)', async () => {
	const host = await triggerFor({}, { lagNullMs: 4000 });
	const slow = await createGeneration('read late');
	while (!emulator.webhooks.deliveries.some((entry) => entry.generationId === slow)) await new Promise((resolve) => setTimeout(resolve, 50));
	// The second callback's record is readable at once: its call ends while the first one still waits.
	emulator.webhooks.configure({ url: host.url, callbackApiKey: SECRET });
	const quick = await createGeneration('read at once');
	await settled(host, quick);
	await settled(host, slow);

	expect(host.executions.map((execution) => execution.items[0].json.generationId).sort()).toEqual([slow, quick].sort());
	expect((host.staticData['node:LTX Video Trigger'] as { handledGenerationIds: string[] }).handledGenerationIds.sort()).toEqual([slow, quick].sort());
});
