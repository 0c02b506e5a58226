/**
 * Control routes for driving the emulator from another process (e.g. a real n8n run by an E2E test).
 * No auth. They are logged (route 'control') but not kept in `requests`, so they never disturb what
 * a test asserts about the node's own traffic.
 *
 *   GET  /__emulator/requests     the recorded requests
 *   GET  /__emulator/generations  the generations (with their current status)
 *   POST /__emulator/reset        clears recorded requests, pending faults and webhook deliveries
 *   POST /__emulator/faults       body: a FaultSpec, or an array of them
 *   POST /__emulator/options      body: partial EmulatorOptions; answers the resulting options
 *   POST /__emulator/webhook      body: WebhookSettings (webhooks.ts): the key's webhook URL, callback key, variants
 *   GET  /__emulator/webhook-deliveries   the callbacks sent so far
 *   POST /__emulator/image-generation     body: {prompt?}; a finished image generation (its callback goes out)
 */
import type { Exchange } from './http.ts';
import type { Reply } from './replies.ts';
import { jsonReply } from './replies.ts';
import type { EmulatorState } from './state.ts';
import type { EmulatorOptions, FaultSpec } from './types.ts';
import type { WebhookSettings } from './webhooks.ts';

const CONTROL_PREFIX = '/__emulator/';

export function isControlPath(path: string): boolean {
	return path.startsWith(CONTROL_PREFIX);
}

export function handleControl(state: EmulatorState, { record }: Exchange, body: unknown): Reply {
	const action = `${record.method} ${record.path.slice(CONTROL_PREFIX.length)}`;
	try {
		switch (action) {
			case 'GET requests':
				return jsonReply(200, state.requests);
			case 'GET generations':
				return jsonReply(200, [...state.generations.values()]);
			case 'POST reset':
				state.clearRequests();
				state.faults.clear();
				state.webhooks.deliveries.length = 0;
				return jsonReply(200, { ok: true });
			case 'POST faults':
				for (const spec of (Array.isArray(body) ? body : [body]) as FaultSpec[]) state.faults.add(spec);
				return jsonReply(200, { ok: true, pendingFaults: state.faults.pending });
			case 'POST options':
				state.setOptions((body ?? {}) as Partial<EmulatorOptions>);
				return jsonReply(200, state.options);
			case 'POST webhook':
				return jsonReply(200, state.webhooks.configure((body ?? {}) as WebhookSettings));
			case 'GET webhook-deliveries':
				return jsonReply(200, state.webhooks.deliveries);
			case 'POST image-generation':
				return jsonReply(200, { generationId: state.webhooks.addImageGeneration((body as { prompt?: string } | undefined)?.prompt) });
			default:
				return jsonReply(404, { error: `unknown control route: ${record.method} ${record.path}` });
		}
	} catch (error) {
		return jsonReply(400, { error: error instanceof Error ? error.message : String(error) });
	}
}
