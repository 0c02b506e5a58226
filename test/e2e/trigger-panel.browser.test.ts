/**
 * The LTX Video Trigger panel in the real n8n editor (n8n 2.41.1, Debian Chromium): example 06 opened as
 * a user would, its trigger showing the production URL to give Leonardo, the set-up notice (why a
 * callback key matters) and the fields. n8n runs as a user's behind an https reverse proxy does, with
 * WEBHOOK_URL set to its public address (Leonardo accepts only https callback URLs), so the panel shows that. Screenshot: docs/panel-trigger.png (see screenshotPanel in
 * panel.browser.test.ts for the .tmp convention).
 */
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { launchChromium, logIn, UI_TIMEOUT_MS } from './browser.ts';
import { loadExamples } from './examples.ts';
import { createWorld, type E2eWorld } from './fixtures.ts';
import { DEMO_OWNER } from './n8n-instance.ts';
import { REPO_ROOT } from './project.ts';

const TRIGGER_EXAMPLE = loadExamples().find(({ workflow }) => workflow.id === 'ltxExampleTrig01')!.workflow;
const TRIGGER = TRIGGER_EXAMPLE.nodes.find((node) => node.type.endsWith('.ltxVideoTrigger'))!;
/** The public address a user sets behind a reverse proxy (n8n's WEBHOOK_URL); the editor shows webhook URLs under it. */
const PUBLIC_URL = 'https://n8n.example.com/';

let world: E2eWorld;
let browser: Browser;
let page: Page;

beforeAll(async () => {
	world = await createWorld();
	await world.n8n.importWorkflows([TRIGGER_EXAMPLE]);
	await world.n8n.start({ env: { WEBHOOK_URL: PUBLIC_URL } });
	await world.n8n.setupOwner(DEMO_OWNER);
	browser = await launchChromium();
	page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
	page.setDefaultTimeout(30_000);
	await logIn(page, world.n8n.url, DEMO_OWNER);
}, 240_000);

afterAll(async () => {
	await browser?.close();
	await world?.dispose();
});

test('the trigger panel shows the production URL for Leonardo, the set-up notice and the fields', async () => {
	await page.goto(`${world.n8n.url}/workflow/${TRIGGER_EXAMPLE.id}`);
	const node = page.getByTestId('canvas-node').filter({ hasText: TRIGGER.name });
	await node.waitFor({ timeout: UI_TIMEOUT_MS });
	// The canvas subtitle is a sentence built from "Trigger On" (the example has both statuses).
	expect(await node.innerText()).toContain('When a video is complete or fails');
	await node.dblclick({ timeout: UI_TIMEOUT_MS });
	const ndv = page.getByTestId('ndv');
	await ndv.waitFor({ timeout: UI_TIMEOUT_MS });

	// n8n lists the node's webhook; its production URL is what the Leonardo API key must carry.
	await ndv.getByText('Webhook URLs').first().click();
	await ndv.getByText('Production URL', { exact: true }).first().click();
	const productionUrl = `${PUBLIC_URL}webhook/${TRIGGER.webhookId}/webhook`;
	await ndv.getByText(productionUrl).first().waitFor();

	await ndv.getByText(/Webhook Callback API Key/).first().waitFor();
	await ndv.getByText(/anyone who learns the URL can start this workflow/).first().waitFor();
	await ndv.getByTestId('parameter-input-statuses').waitFor();

	const suffix = process.env.LTX_UPDATE_SCREENSHOTS === '1' ? '' : '.tmp';
	await ndv.getByTestId('node-parameters').screenshot({ path: path.join(REPO_ROOT, 'docs', `panel-trigger${suffix}.png`), animations: 'disabled' });
	// The field labels, and the Options collection (download, field name, videos only, IP restriction), empty.
	const text = await ndv.innerText();
	expect(text).toMatch(/Trigger On/);
	expect(text).toMatch(/Options/);
	expect(text).toMatch(/Options\s+No properties/);
});
