/**
 * n8n's SSRF protection (N8N_SSRF_PROTECTION_ENABLED, off by default) applies to frame links: the node
 * fetches them with n8n's own request helper. The API (127.0.0.1) is allowed; the image host listens on
 * 127.0.0.2, a private address SSRF protection refuses. The node's own refusal of private links is
 * turned off (Allow Private Links), to show that n8n's protection applies on its own.
 */
import './ssrf-env';

import { generate, useEmulator } from '../helpers/scenario';

const { emulator, run } = useEmulator({ imagesHost: '127.0.0.2' });

test("a link to a private address is refused by n8n's SSRF protection before anything is sent; the error says what to do", async () => {
	// Allow Private Links turns off the node's own refusal only: n8n's protection still applies.
	const result = await run(generate({ startFrame: 'url', startFrameUrl: `${emulator.imagesUrl}/images/frame.png` }, { allowPrivateLinks: true }));

	expect(result.error?.message).toMatch(/^The Start Frame link http:\/\/127\.0\.0\.2:\d+\/images\/frame\.png was blocked by n8n's SSRF protection \[item 0\]$/);
	expect(result.error?.description).toMatch(/127\.0\.0\.2 is not allowed.*N8N_SSRF_ALLOWED_HOSTNAMES/);
	expect(emulator.requests).toEqual([]);
});

test('with protection on, a run without links still reaches the API (127.0.0.1 is allowed)', async () => {
	const result = await run(generate());

	expect(result.error).toBeUndefined();
	expect(result.items[0].json.status).toBe('COMPLETE');
});
