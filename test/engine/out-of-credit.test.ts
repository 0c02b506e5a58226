/**
 * An account that cannot pay: Leonardo documents neither the status nor the text (leonardo-api.md §6.2), so
 * the emulator's 'out-of-credit' fault answers the create with each unkind reading (a bare 402, or a 400/403
 * whose text says it). The user must read that the credit ran out, where to top up, and that no video was
 * made; the node must not send the create again, and nothing may be created.
 */
import { generate, useEmulator } from '../helpers/scenario';

const { emulator, run, requests, createdGenerations } = useEmulator();

const OUT_OF_CREDIT_MESSAGE = /^Leonardo refused to create the video: your Leonardo account is out of API credit \(/;
const OUT_OF_CREDIT_FIX = /run out of API credit.*https:\/\/app\.leonardo\.ai\/api-access.*no video was created/;

test.each([
	['a bare 402 Payment Required', 402],
	['a 400 whose text says the credits are not enough', 400],
	['a 403 whose text says the credits are not enough', 403],
])('%s: the error says the credit ran out and where to top up; nothing created, the create not sent again', async (_reading, status) => {
	emulator.injectFault({ route: 'create', kind: 'out-of-credit', status, times: 5 });
	const result = await run(generate());
	expect(result.error?.name).toBe('NodeApiError');
	expect(result.error?.message).toMatch(OUT_OF_CREDIT_MESSAGE);
	expect(result.error?.description).toMatch(OUT_OF_CREDIT_FIX);
	expect(result.error?.httpCode).toBe(String(status));
	expect(requests('create').map((request) => request.status)).toEqual([status]);
	expect(requests('create').filter((request) => request.status === 200)).toHaveLength(0);
	expect(createdGenerations()).toEqual([]);
});

test('continueOnFail: every item of a batch gets the out-of-credit error item; nothing is created', async () => {
	emulator.injectFault({ route: 'create', kind: 'out-of-credit', times: 10 });
	const result = await run(generate({ prompt: '={{ $json.prompt }}' }), {
		continueOnFail: true,
		input: [{ json: { prompt: 'one' } }, { json: { prompt: 'two' } }],
	});
	expect(result.error).toBeUndefined();
	for (const item of result.items) {
		expect(item.json.error).toMatch(OUT_OF_CREDIT_MESSAGE);
		expect((item.json.details as { description: string }).description).toMatch(OUT_OF_CREDIT_FIX);
	}
	expect(requests('create')).toHaveLength(2);
	expect(createdGenerations()).toEqual([]);
});
