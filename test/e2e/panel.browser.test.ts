/**
 * The LTX Video panel in the real n8n editor (n8n 2.41.1, Debian Chromium): the node is added from the
 * node creator as a user would, and the conditional fields follow the capability table. Screenshots of
 * the panel go to docs/ (see screenshotPanel).
 */
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { launchChromium, logIn, newWorkflowWithManualTrigger, ParameterPanel, UI_TIMEOUT_MS } from './browser.ts';
import { createWorld, type E2eWorld } from './fixtures.ts';
import { DEMO_OWNER } from './n8n-instance.ts';
import { EXAMPLE_CREDENTIAL, REPO_ROOT } from './project.ts';

const PRO_DURATIONS = ['6 s', '8 s', '10 s'];
const FAST_DURATIONS = ['6 s', '8 s', '10 s', '12 s', '14 s', '16 s', '18 s', '20 s'];
const FIXED_ASPECTS = ['16:9 (Landscape)', '9:16 (Portrait)'];
const FOLLOW_IMAGE_ASPECT = 'Same as Start Frame';

let world: E2eWorld;
let browser: Browser;
let page: Page;
let panel: ParameterPanel;
/** Set once the first test has opened the panel; the others need it. */
let panelOpen = false;

function requirePanel(): void {
	if (!panelOpen) throw new Error('the LTX Video panel is not open: the node creator test failed first');
}

beforeAll(async () => {
	// n8n starts without the package; it is installed as Settings → Community Nodes → Install does (its
	// REST call), from the run's local registry, into the running n8n: the editor must show it, no restart.
	world = await createWorld({ packageSource: 'registry' });
	await world.n8n.start();
	await world.n8n.installPackage(await world.n8n.setupOwner(DEMO_OWNER));
	browser = await launchChromium();
	page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
	page.setDefaultTimeout(30_000);
	await logIn(page, world.n8n.url, DEMO_OWNER);
	await newWorkflowWithManualTrigger(page, world.n8n.url);
	panel = new ParameterPanel(page);
}, 240_000);

afterAll(async () => {
	await browser?.close();
	await world?.dispose();
});

/**
 * A PNG of the parameter column (with an open dropdown, if any). The README shows docs/panel-<name>.png;
 * runs write docs/panel-<name>.tmp.png (git-ignored) unless LTX_UPDATE_SCREENSHOTS=1 (npm run screenshots).
 */
/** The fields are shown (true) or hidden (false) as given, once the panel has re-rendered. */
async function expectShown(expected: Record<string, boolean>): Promise<void> {
	expect(await panel.shownFields(expected)).toEqual(expected);
}

async function screenshotPanel(name: string): Promise<void> {
	const suffix = process.env.LTX_UPDATE_SCREENSHOTS === '1' ? '' : '.tmp';
	await panel.root.screenshot({ path: path.join(REPO_ROOT, 'docs', `panel-${name}${suffix}.png`), animations: 'disabled' });
}

test('the node creator finds "LTX" and adds LTX Video from its actions, with the credential preselected', async () => {
	await page.getByTestId('node-creator-plus-button').click();
	await page.getByTestId('node-creator-search-bar').fill('LTX');
	const creator = page.getByTestId('node-creator');
	const result = creator.getByTestId('node-creator-item-name').getByText('LTX Video', { exact: true });
	await result.waitFor({ timeout: 10_000 }).catch(async () => {
		const shown = await creator.getByTestId('node-creator-item-name').allInnerTexts();
		throw new Error(`searching "LTX" in the node creator does not list "LTX Video"; it lists: ${JSON.stringify(shown)}`);
	});
	await result.click();

	const actions = ['Generate a video', 'Get a video', 'Get many videos', 'Delete a video'];
	for (const action of actions) await creator.getByText(action, { exact: true }).waitFor();
	await creator.getByText('Generate a video', { exact: true }).click();

	await page.getByTestId('ndv').waitFor({ timeout: UI_TIMEOUT_MS });
	expect(await page.getByTestId('node-credentials-select').locator('input').inputValue()).toBe(EXAMPLE_CREDENTIAL.name);
	// n8n itself appends "Custom API Call" for nodes whose credential authenticates generically.
	expect(await panel.optionsOf('operation')).toEqual(['Generate', 'Get', 'Get Many', 'Delete', 'Custom API Call']);
	// Batch users are told to continue on error.
	await page.getByTestId('ndv').getByText(/Generating several videos\? Set Settings → On Error to "Continue"/).waitFor();
	panelOpen = true;
});

test('Pro offers durations of 6, 8 and 10 s; Fast offers 6 to 20 s', async () => {
	requirePanel();
	expect(await panel.optionsOf('model')).toEqual(['LTX 2.3 Pro', 'LTX 2.3 Fast']);
	expect(await panel.openOptions('duration')).toEqual(PRO_DURATIONS);
	await screenshotPanel('pro-durations');
	await panel.closeOptions();

	await panel.choose('model', 'LTX 2.3 Fast');
	expect(await panel.openOptions('duration')).toEqual(FAST_DURATIONS);
	await screenshotPanel('fast-durations');
	await panel.closeOptions();

	await panel.choose('model', 'LTX 2.3 Pro');
	expect(await panel.optionsOf('duration')).toEqual(PRO_DURATIONS);
});

test('End Frame and the "Same as Start Frame" aspect ratio appear only once a start frame is chosen', async () => {
	requirePanel();
	expect(await panel.optionsOf('startFrame')).toEqual(['None', 'Image From Input (Binary)', 'Leonardo Image ID', 'Image From URL']);
	await expectShown({ endFrame: false });
	expect(await panel.optionsOf('aspectRatio')).toEqual(FIXED_ASPECTS);

	await panel.choose('startFrame', 'Image From Input (Binary)');
	await expectShown({ endFrame: true });
	expect(await panel.optionsOf('aspectRatio')).toEqual([...FIXED_ASPECTS, FOLLOW_IMAGE_ASPECT]);
	await panel.choose('aspectRatio', FOLLOW_IMAGE_ASPECT);
	await panel.scrollToTop('resolution');
	await screenshotPanel('start-frame');
	await panel.choose('aspectRatio', FIXED_ASPECTS[0]);

	await panel.choose('startFrame', 'None');
	await expectShown({ endFrame: false });
	expect(await panel.optionsOf('aspectRatio')).toEqual(FIXED_ASPECTS);
});

test('binary property fields appear only for the binary source, image ID fields only for the ID source, the URL only for the URL source', async () => {
	requirePanel();
	const startFields = (shown: 'binary' | 'imageId' | 'url' | 'none') => ({
		startFrameBinaryProperty: shown === 'binary',
		startFrameImageId: shown === 'imageId',
		startFrameImageType: shown === 'imageId',
		startFrameUrl: shown === 'url',
	});
	await expectShown(startFields('none'));

	await panel.choose('startFrame', 'Image From Input (Binary)');
	await expectShown(startFields('binary'));
	expect(await panel.field('startFrameBinaryProperty').locator('input').inputValue()).toBe('data');
	await panel.root.getByText('Start Frame Input Binary Field', { exact: true }).waitFor();

	await panel.choose('startFrame', 'Image From URL');
	await expectShown({ ...startFields('url'), endFrame: true });
	expect(await panel.field('startFrameUrl').locator('input').getAttribute('placeholder')).toBe('e.g. https://example.com/product-photo.png');
	expect(await panel.optionsOf('aspectRatio')).toEqual([...FIXED_ASPECTS, FOLLOW_IMAGE_ASPECT]);

	await panel.choose('startFrame', 'Leonardo Image ID');
	await expectShown(startFields('imageId'));

	await expectShown({ endFrameBinaryProperty: false, endFrameUrl: false });
	await panel.choose('endFrame', 'Image From Input (Binary)');
	await expectShown({ endFrameBinaryProperty: true, endFrameUrl: false });
	expect(await panel.field('endFrameBinaryProperty').locator('input').inputValue()).toBe('endFrame');
	await panel.choose('endFrame', 'Image From URL');
	await expectShown({ endFrameBinaryProperty: false, endFrameUrl: true, endFrameImageId: false });
});

test('closed, the node shows a sentence as its subtitle on the canvas', async () => {
	requirePanel();
	// The first Escape may only close an open dropdown.
	for (let tries = 0; tries < 3 && (await page.getByTestId('ndv').isVisible()); tries++) {
		await page.keyboard.press('Escape');
		await page.waitForTimeout(300);
	}
	// n8n names a node added from an action after the action ("Generate a video"); the subtitle is below it.
	await page.getByTestId('canvas-node').first().waitFor({ timeout: UI_TIMEOUT_MS });
	expect(await page.getByTestId('canvas-node').allInnerTexts()).toContain('Generate a video\nGenerate a video with LTX 2.3 Pro');
});
