/** Stopping an execution through n8n's engine: it ends within about a second and sends nothing more. */
import { generate, useEmulator } from '../helpers/scenario';

const { emulator, run, requests } = useEmulator();

describe('cancel stops within about a second and sends nothing more', () => {
	async function stopAfter(delayMs: number, parameters = generate({ prompt: 'Forever [emu:never]' }), input?: Array<{ json: { n: number } }>) {
		let stop: () => void = () => {};
		const running = run(parameters, { input, onStarted: (stopRun) => (stop = stopRun) });
		await new Promise((resolve) => setTimeout(resolve, delayMs));
		const stoppedAt = Date.now();
		stop();
		await running;
		const stopTook = Date.now() - stoppedAt;
		await new Promise((resolve) => setTimeout(resolve, 1500));
		return { stopTook, after: requests().filter((request) => request.at > stoppedAt + 300) };
	}

	/** Ended within about a second of the stop, and nothing sent from 300 ms after it. */
	function expectStoppedQuietly({ stopTook, after }: Awaited<ReturnType<typeof stopAfter>>) {
		expect(stopTook).toBeLessThan(1200);
		expect(after).toEqual([]);
	}

	test('while polling', async () => {
		const stopped = await stopAfter(2500);
		expect(requests('poll').length).toBeGreaterThanOrEqual(1);
		expectStoppedQuietly(stopped);
	});

	test('while the create request is in flight', async () => {
		emulator.injectFault({ route: 'create', kind: 'hang' });
		const stopped = await stopAfter(800, generate());
		expect(requests('create')).toHaveLength(1);
		expectStoppedQuietly(stopped);
	});

	test('while downloading', async () => {
		emulator.injectFault({ route: 'download', kind: 'hang' });
		const stopped = await stopAfter(2500, generate());
		expect(requests('download')).toHaveLength(1);
		expectStoppedQuietly(stopped);
	});

	test('with many items in flight', async () => {
		const items = Array.from({ length: 10 }, (_, n) => ({ json: { n } }));
		const stopped = await stopAfter(2500, generate({ prompt: '={{ "clip " + $json.n + " [emu:never]" }}' }, { maxConcurrency: 8 }), items);
		expect(requests('create')).toHaveLength(8);
		expectStoppedQuietly(stopped);
	});
});
