/** Max Concurrent Generations 0 (Auto): min(apiConcurrencySlots, 20) from GET /v1/me, once per execution; 4 as the fallback. */
import { captureLogs } from '../helpers/engine';
import { generate, useEmulator } from '../helpers/scenario';

const { emulator, run, requests } = useEmulator();

const me = (details: Record<string, unknown>) => ({ user_details: [{ user: { id: '7d2c4b1a-5e6f-4a3b-9c8d-0e1f2a3b4c5d', username: 'u' }, ...details }] });

async function autoRun(items: number, delayMs = 300) {
	const logs = captureLogs();
	try {
		const result = await run(generate({ prompt: `={{ "clip " + $json.n + " [emu:delay=${delayMs}]" }}` }, { maxConcurrency: 0 }), {
			input: Array.from({ length: items }, (_, n) => ({ json: { n } })),
		});
		return { result, chosen: logs.lines.filter((line) => line.includes('Max Concurrent Generations Auto')) };
	} finally {
		logs.stop();
	}
}

test('Auto reads the plan once: 10 slots run 10 items together, the 11th waits for one of them', async () => {
	const { result, chosen } = await autoRun(11, 4000);

	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(11);
	expect(chosen).toEqual([expect.stringContaining('Auto = 10 (API concurrency slots: 10)')]);
	expect(requests('me')).toHaveLength(1);
	const creates = requests('create').map((request) => request.at).sort((a, b) => a - b);
	// The 11th create goes out only when one of the first 10 has finished (4 s renders; generous margins).
	expect(creates[9] - creates[0]).toBeLessThan(2500);
	expect(creates[10] - creates[0]).toBeGreaterThanOrEqual(3000);
}, 60_000);

test('Auto caps a large plan at 20 and falls back to 4 when /v1/me does not report the slots or fails', async () => {
	emulator.injectFault({ route: 'me', status: 200, body: me({ apiConcurrencySlots: 50 }) });
	expect((await autoRun(1)).chosen).toEqual([expect.stringContaining('Auto = 20 (API concurrency slots: 50)')]);

	emulator.injectFault({ route: 'me', status: 200, body: me({}) });
	expect((await autoRun(1)).chosen).toEqual([expect.stringContaining('Auto = 4 (API concurrency slots: not reported)')]);

	emulator.injectFault({ route: 'me', status: 404, times: 5, body: { error: 'not found' } });
	const failed = await autoRun(1);
	expect(failed.chosen).toEqual([expect.stringContaining('Auto = 4')]);
	expect(failed.result.error).toBeUndefined();
}, 60_000);

test('Auto with bad input sends nothing, not even GET /v1/me', async () => {
	const result = await run(generate({ prompt: '={{ "" }}' }, { maxConcurrency: 0 }));
	expect(result.error?.message).toMatch(/The prompt is empty/);
	expect(requests()).toHaveLength(0);
});
