/** Runs the bad-input matrix through n8n's engine and proves no request reached the emulator. */
import { runLtxNode } from '../helpers/engine';
import { useEmulator } from '../helpers/scenario';
import { BAD_INPUT_CASES } from './bad-input.cases';

const { emulator, requests } = useEmulator();

test('the matrix has at least 30 cases', () => {
	expect(BAD_INPUT_CASES.length).toBeGreaterThanOrEqual(30);
});

test.each(BAD_INPUT_CASES.map((badInput) => [badInput.name, badInput] as const))('%s', async (_name, badInput) => {
	const result = await runLtxNode({
		parameters: badInput.parameters,
		input: badInput.input,
		credentials: { apiKey: emulator.apiKey, baseUrl: badInput.baseUrl ?? emulator.baseUrl },
	});
	expect(result.error?.name).toBe('NodeOperationError');
	expect(result.error?.message).toMatch(badInput.message);
	expect(result.error?.description).toMatch(badInput.fix);
	if (!badInput.nodeLevel) {
		expect(result.error?.message).toMatch(/\[item 0\]$/);
		expect(result.error?.context?.itemIndex).toBe(0);
	}
	expect(requests()).toEqual([]);
});

test('with several items, the bad one is named and none is sent', async () => {
	const result = await runLtxNode({
		parameters: { ...BAD_INPUT_CASES[0].parameters, duration: '={{ $json.seconds }}' },
		input: [{ json: { seconds: 8 } }, { json: { seconds: 6 } }, { json: { seconds: 9 } }],
		credentials: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl },
	});
	expect(result.error?.message).toMatch(/9-second video \[item 2\]/);
	expect(result.error?.context?.itemIndex).toBe(2);
	expect(requests()).toEqual([]);
});

test('with Continue On Fail, bad items become error items and the good ones still run', async () => {
	const result = await runLtxNode({
		parameters: { ...BAD_INPUT_CASES[0].parameters, duration: '={{ $json.seconds }}' },
		input: [{ json: { seconds: 7 } }, { json: { seconds: 6 } }],
		continueOnFail: true,
		credentials: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl },
	});
	expect(result.items[0].json.error).toMatch(/7-second video \[item 0\]/);
	expect(result.items[0].json.details).toMatchObject({ description: expect.stringMatching(/6, 8, 10 seconds/) });
	expect(result.items[1].json.status).toBe('COMPLETE');
	expect(requests('create')).toHaveLength(1);
});
