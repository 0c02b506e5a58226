/**
 * Drives the n8n editor in Debian's Chromium through playwright-core (which never downloads a browser).
 * Selectors are n8n's own `data-test-id`s (n8n 2.41.1).
 */
import { type Browser, chromium, type Locator, type Page, selectors } from 'playwright-core';

import type { Owner } from './n8n-instance.ts';

const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-dev-shm-usage',
	'--disable-quic',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/** The editor is slow to boot on a 2-core machine under load. */
export const UI_TIMEOUT_MS = 60_000;

export async function launchChromium(): Promise<Browser> {
	const executablePath = process.env.LTX_CHROMIUM ?? '/usr/bin/chromium';
	selectors.setTestIdAttribute('data-test-id');
	return await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

export async function logIn(page: Page, baseUrl: string, owner: Owner): Promise<void> {
	await page.goto(`${baseUrl}/signin`);
	await page.locator('input[name="emailOrLdapLoginId"]').fill(owner.email);
	await page.locator('input[name="password"]').fill(owner.password);
	await page.getByTestId('form-submit-button').click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: UI_TIMEOUT_MS });
}

/** A new workflow with a Manual Trigger, so the node creator offers regular nodes ("What happens next?"). */
export async function newWorkflowWithManualTrigger(page: Page, baseUrl: string): Promise<void> {
	await page.goto(`${baseUrl}/workflow/new`);
	await page.getByTestId('canvas-add-button').click({ timeout: UI_TIMEOUT_MS });
	await page.getByTestId('node-creator-search-bar').fill('manual');
	await page.getByTestId('node-creator-node-item').filter({ hasText: 'Trigger manually' }).click();
	await page.getByTestId('canvas-trigger-node').waitFor();
}

/** The parameter panel of the open node (the middle column of the node details view). */
export class ParameterPanel {
	readonly page: Page;
	readonly root: Locator;

	constructor(page: Page) {
		this.page = page;
		this.root = page.getByTestId('ndv').getByTestId('node-parameters');
	}

	field(name: string): Locator {
		return this.root.getByTestId(`parameter-input-${name}`);
	}

	/**
	 * Which of these fields are visible: read again until they match `expected` or 5 s have passed, because
	 * the panel re-renders a moment after a choice. The caller compares the result with `expected`.
	 */
	async shownFields(expected: Record<string, boolean>): Promise<Record<string, boolean>> {
		const deadline = Date.now() + 5000;
		for (;;) {
			const shown: Record<string, boolean> = {};
			for (const name of Object.keys(expected)) shown[name] = await this.field(name).isVisible();
			if (Object.keys(expected).every((name) => shown[name] === expected[name]) || Date.now() > deadline) return shown;
			await this.page.waitForTimeout(100);
		}
	}

	/** Scrolls the panel so that this field is at its top (for screenshots). */
	async scrollToTop(name: string): Promise<void> {
		await this.field(name).evaluate((element) => element.scrollIntoView({ block: 'start' }));
	}

	/** Opens an options field's dropdown and returns the option labels (without descriptions), leaving it open. */
	async openOptions(name: string): Promise<string[]> {
		await this.field(name).click();
		const labels = this.openDropdown().locator('.option-headline');
		await labels.first().waitFor();
		return await labels.allInnerTexts();
	}

	async closeOptions(): Promise<void> {
		await this.page.keyboard.press('Escape');
		await this.dropdownClosed();
	}

	async optionsOf(name: string): Promise<string[]> {
		const labels = await this.openOptions(name);
		await this.closeOptions();
		return labels;
	}

	async choose(name: string, label: string): Promise<void> {
		await this.field(name).click();
		await this.openDropdown()
			.getByRole('option')
			.filter({ has: this.page.locator('.option-headline').getByText(label, { exact: true }) })
			.click();
		await this.dropdownClosed();
	}

	/** The option list of the open dropdown (closed ones stay in the page, hidden). */
	private openDropdown(): Locator {
		return this.page.locator('[role="listbox"]:visible');
	}

	private async dropdownClosed(): Promise<void> {
		await this.openDropdown().first().waitFor({ state: 'detached' });
	}
}
