/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';

import { ROOT } from '../harness';
import type { N8n } from '../n8n';

/** The n8n editor as a user drives it: the canvas, the nodes panel, a node's panel (NDV). */

export const OWNER = { email: 'e2e@example.com', password: 'E2e-Password-123' };
export const SCREENSHOTS = join(ROOT, 'docs', 'images');

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
}

let nodeIds = 0;
const uuid = () => `e2e00000-0000-4000-8000-${String(++nodeIds).padStart(12, '0')}`;

export const manualTrigger = (): WorkflowNode => ({
	name: "When clicking 'Execute workflow'",
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
});

/** Text as a user reads it: without invisible format characters such as the word joiner (U+2060). */
export const visible = (text: string) => text.replace(/[\u200b-\u200d\u2060\ufeff]/g, '').replace(/\s+/g, ' ').trim();

export function fail(message: string): never {
	throw new Error(message);
}

/** Which of these elements shows first; rejects only when none shows within the timeout. */
export async function firstOf<K extends string>(candidates: Record<K, Locator>): Promise<K> {
	const waits = (Object.entries(candidates) as Array<[K, Locator]>).map(([key, locator]) => locator.waitFor().then(() => key));
	return await Promise.any(waits).catch(() => waits[0]);
}

export class Editor {
	constructor(
		readonly page: Page,
		readonly n8n: N8n,
	) {}

	async signIn() {
		await this.page.goto(`${this.n8n.url}/signin`, { waitUntil: 'domcontentloaded' });
		await this.page.getByTestId('emailOrLdapLoginId').locator('input').fill(OWNER.email);
		await this.page.getByTestId('password').locator('input').fill(OWNER.password);
		await this.page.getByTestId('form-submit-button').click();
		await this.page.getByTestId('project-home-menu-item').waitFor();
	}

	/**
	 * Goes to a page of the editor the way its own links do (its router), not by reloading it: a reload
	 * parses some 40 MB of scripts again, a minute when other jobs share the cores. Leaves unsaved work.
	 */
	async navigate(path: string, ready: Locator) {
		await this.dismissDialogs();
		await this.page.evaluate((to) => {
			const app = (document.querySelector('#app') as { __vue_app__?: { config: { globalProperties: { $router: { push(to: string): Promise<unknown> } } } } } | null)?.__vue_app__;
			if (!app) throw new Error('the n8n editor app is not mounted');
			void app.config.globalProperties.$router.push(to);
		}, path);
		const leave = this.page.getByRole('button', { name: 'Leave without saving' });
		if ((await firstOf({ ready, leave })) === 'leave') {
			await leave.click();
			await ready.waitFor();
		}
	}

	/** Saves a workflow over REST (as an import would) and opens it in the editor. */
	async openWorkflow(name: string, nodes: WorkflowNode[], connections: Record<string, unknown> = {}): Promise<string> {
		const withIds = nodes.map((node) => ({ id: uuid(), ...node }));
		const created = await this.n8n.rest('POST', '/rest/workflows', { name, nodes: withIds, connections, settings: { executionOrder: 'v1' } });
		const id = String((created.data as { id: string }).id);
		await this.navigate(`/workflow/${id}`, this.page.getByTestId('workflow-name-input').filter({ hasText: name }));
		for (const node of nodes) if (!node.type.endsWith('stickyNote')) await this.canvasNode(node.name).waitFor({ state: 'attached' });
		return id;
	}

	async newWorkflow() {
		await this.navigate('/workflow/new', this.page.getByTestId('canvas-add-button'));
	}

	/** Closes whatever an earlier (failed) step left open: a dialog, a node's panel, a dropdown. */
	async dismissDialogs() {
		const open = this.page.locator('.el-overlay-dialog, [data-test-id="ndv"], [data-test-id="node-creator"]').filter({ visible: true });
		for (let attempt = 0; attempt < 5 && (await open.count()); attempt++) {
			await this.page.keyboard.press('Escape');
			await open.first().waitFor({ state: 'hidden', timeout: 2000 }).catch(() => undefined);
		}
	}

	get nodesPanel(): Locator {
		return this.page.getByTestId('node-creator');
	}

	panelItems(text?: string): Locator {
		const items = this.nodesPanel.getByTestId('item-iterator-item');
		return text ? items.filter({ hasText: text }) : items;
	}

	/** Opens the nodes panel and searches; resolves once the results show `expect` (or the panel says there are none). */
	async searchNodes(query: string, expect: string) {
		if (!(await this.nodesPanel.count())) await this.page.getByTestId('node-creator-plus-button').click();
		await this.page.getByTestId('node-creator-search-bar').fill(query);
		await firstOf({ found: this.panelItems(expect).first(), none: this.page.getByTestId('node-creator-no-results') });
	}

	async closeNodesPanel() {
		if (await this.nodesPanel.count()) await this.page.keyboard.press('Escape');
		await this.nodesPanel.waitFor({ state: 'detached' });
	}

	canvasNode(name: string): Locator {
		return this.page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
	}

	get ndv(): Locator {
		return this.page.getByTestId('ndv');
	}

	async openNode(name: string) {
		await this.canvasNode(name).dblclick();
		await this.ndv.waitFor();
	}

	async closeNode() {
		await this.page.getByTestId('ndv-close-button').click();
		await this.ndv.waitFor({ state: 'hidden' });
	}

	parameter(name: string): Locator {
		return this.ndv.getByTestId(`parameter-input-${name}`);
	}

	/** Picks an entry of an options parameter's dropdown. */
	async choose(parameter: string, option: string) {
		await this.parameter(parameter).click();
		await this.page.getByRole('option', { name: option }).filter({ visible: true }).first().click();
		// The chosen label is the value of the select's input, not its text.
		const input = this.parameter(parameter).locator('input').first();
		for (const deadline = Date.now() + 10_000; (await input.inputValue()) !== option; ) {
			if (Date.now() > deadline) throw new Error(`${parameter} shows "${await input.inputValue()}" after choosing "${option}"`);
			await this.page.waitForTimeout(100);
		}
	}

	/** The labels an options parameter's dropdown offers. */
	async choices(parameter: string): Promise<string[]> {
		await this.parameter(parameter).click();
		const options = this.page.getByRole('option').filter({ visible: true });
		await options.first().waitFor();
		const labels = (await options.allInnerTexts()).map((text) => visible(text.split('\n')[0]));
		await this.page.keyboard.press('Escape');
		return labels;
	}

	/** A screenshot for the README, without the toasts n8n stacks in the corner. */
	async shot(file: string) {
		mkdirSync(SCREENSHOTS, { recursive: true });
		for (const close of await this.page.locator('.el-notification .el-notification__closeBtn').filter({ visible: true }).all()) await close.click().catch(() => undefined);
		await this.page.locator('.el-notification').filter({ visible: true }).first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
		await this.page.screenshot({ path: join(SCREENSHOTS, file) });
	}
}
