/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, selectors, type BrowserContext, type Page } from 'playwright-core';

import { ensureDebianPackages } from '../system';

/** Debian's Chromium driven by playwright-core: never a downloaded browser, never a request off this machine. */

export const CHROMIUM = '/usr/bin/chromium';
export const VIEWPORT = { width: 1280, height: 800 };

export interface Browser {
	context: BrowserContext;
	page: Page;
	/** Every request the browser tried to send off loopback (and was refused). */
	blocked: string[];
	close(): Promise<void>;
}

const isLoopback = (url: string) => {
	const { protocol, hostname } = new URL(url);
	if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
	return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
};

export function ensureChromium(log: (line: string) => void) {
	ensureDebianPackages([{ name: 'chromium', provides: CHROMIUM }], log);
}

export async function openBrowser(): Promise<Browser> {
	// n8n marks its elements with data-test-id (Playwright's default is data-testid).
	selectors.setTestIdAttribute('data-test-id');
	const profile = mkdtempSync(join(tmpdir(), 'e2e-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		viewport: VIEWPORT,
		args: [
			...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run',
			'--disable-gpu',
			'--disable-quic',
		],
	});
	const blocked: string[] = [];
	// The editor looks community packages up on the npm registry when a node panel opens; nothing leaves loopback.
	await context.route('**/*', async (route) => {
		const url = route.request().url();
		if (isLoopback(url)) return await route.continue();
		blocked.push(url);
		await route.abort('blockedbyclient');
	});
	const page = context.pages()[0] ?? (await context.newPage());
	// Generous: other jobs share the 2 cores, and the editor's first load parses some 40 MB of scripts.
	page.setDefaultTimeout(60_000);
	page.setDefaultNavigationTimeout(90_000);
	return {
		context,
		page,
		blocked,
		async close() {
			await context.close().catch(() => undefined);
			rmSync(profile, { recursive: true, force: true });
		},
	};
}
