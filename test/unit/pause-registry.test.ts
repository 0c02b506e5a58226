/**
 * The trigger's registry of paused executions (nodes/LtxVideoTrigger/registry.ts) under n8n's static-data
 * rule: each webhook call loads the workflow's static data when it starts and saves it whole when it ends.
 */
import type { IDataObject } from 'n8n-workflow';

import { isOwnResumeUrl, PauseRegistry } from '../../nodes/LtxVideoTrigger/registry';

const OWN = 'https://n8n.example.com/webhook/4d5e6f70-8192-4a3b-9c4d-5e6f70819201/webhook';
const WEBHOOK_ID = '4d5e6f70-8192-4a3b-9c4d-5e6f70819201';
const SIGNATURE = 'a1b2c3d4'.repeat(8);
const ID_A = '00000000-0000-4000-8000-00000000000a';
const ID_B = '00000000-0000-4000-8000-00000000000b';

describe('isOwnResumeUrl', () => {
	test.each([
		[`https://n8n.example.com/webhook-waiting/1234?signature=${SIGNATURE}`, true],
		[`https://n8n.example.com/webhook-waiting/1234?signature=${SIGNATURE}&x=1`, false],
		[`https://other.example.com/webhook-waiting/1234?signature=${SIGNATURE}`, false],
		[`http://n8n.example.com/webhook-waiting/1234?signature=${SIGNATURE}`, false],
		[`https://n8n.example.com:8443/webhook-waiting/1234?signature=${SIGNATURE}`, false],
		[`https://user:pw@n8n.example.com/webhook-waiting/1234?signature=${SIGNATURE}`, false],
		[`https://n8n.example.com/webhook-waiting/1234/../../rest?signature=${SIGNATURE}`, false],
		[`https://n8n.example.com/rest/workflows?signature=${SIGNATURE}`, false],
		['https://n8n.example.com/webhook-waiting/1234', false],
		['not a url', false],
	])('%s → %s', (url, accepted) => {
		expect(isOwnResumeUrl(OWN, WEBHOOK_ID, url)).toBe(accepted);
	});

	test('n8n under a path (N8N_PATH / WEBHOOK_URL with a path): the waiting endpoint under the same path', () => {
		const own = `https://example.com/n8n/webhook/${WEBHOOK_ID}/webhook`;
		expect(isOwnResumeUrl(own, WEBHOOK_ID, `https://example.com/n8n/webhook-waiting/7?signature=${SIGNATURE}`)).toBe(true);
		expect(isOwnResumeUrl(own, WEBHOOK_ID, `https://example.com/webhook-waiting/7?signature=${SIGNATURE}`)).toBe(false);
	});
});

describe('PauseRegistry: register-then-verify', () => {
	const registration = (id: string) => ({ generationIds: [id], resumeUrl: `https://n8n.example.com/webhook-waiting/${id.slice(-1)}?signature=${SIGNATURE}`, expiresAt: Date.now() + 60_000 });

	test('a registration undone by another process\'s save is reported unknown by the next call, which stores it again', () => {
		let database: IDataObject = {};
		const call = (registry: typeof PauseRegistry) => {
			const staticData = structuredClone(database);
			return { registry: new registry(staticData, 'wf:node'), save: () => (database = staticData) };
		};
		// Process 1 registers A; process 2 (its own memory) loaded the static data before and saves after.
		let otherProcess!: typeof PauseRegistry;
		jest.isolateModules(() => {
			otherProcess = (jest.requireActual('../../nodes/LtxVideoTrigger/registry') as { PauseRegistry: typeof PauseRegistry }).PauseRegistry;
		});
		const first = call(PauseRegistry);
		const stale = call(otherProcess);
		expect(first.registry.register(registration(ID_A))).toEqual([]);
		first.save();
		stale.registry.register(registration(ID_B));
		stale.save();
		expect(Object.keys((database.pausedGenerations as IDataObject) ?? {})).toEqual([ID_B]);

		// Generate's verify: process 1 is asked again; A was not stored when the call began, so it is not "known", and is stored again.
		const verify = call(PauseRegistry);
		expect(verify.registry.register(registration(ID_A))).toEqual([]);
		verify.save();
		expect(Object.keys(database.pausedGenerations as IDataObject).sort()).toEqual([ID_A, ID_B]);
		const confirm = call(PauseRegistry);
		expect(confirm.registry.register(registration(ID_A))).toEqual([ID_A]);
	});

	test('a call of this process that saves the static data for another reason keeps what this process registered', () => {
		const staticData: IDataObject = {};
		const loadedBefore = structuredClone(staticData);
		new PauseRegistry(staticData, 'wf:node2').register(registration(ID_A));
		// A long callback call loaded the static data before the registration and saves after it.
		new PauseRegistry(loadedBefore, 'wf:node2').save();
		expect(Object.keys(loadedBefore.pausedGenerations as IDataObject)).toEqual([ID_A]);
	});
});
