/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { fetch } from 'undici';

import type { StandIn } from '../../stand-in/server';
import { ROOT } from '../harness';
import { fail, visible, type Editor, type WorkflowNode } from './editor';

/** Example 01 as users import it, pointed at the stand-in (as test/e2e/workflows.ts does), with a credential saved over REST. */
async function example01(editor: Editor, standIn: StandIn) {
	const text = readFileSync(join(ROOT, 'examples', '01-upscale-urls.json'), 'utf8').replaceAll('https://example.com', standIn.url);
	const workflow = JSON.parse(text) as { name: string; nodes: WorkflowNode[]; connections: Record<string, unknown> };
	const saved = await editor.n8n.rest('POST', '/rest/credentials', {
		name: 'API in One account',
		type: 'apiInOneApi',
		data: { apiKey: standIn.key, baseUrl: standIn.url },
	});
	const credential = saved.data as { id: string; name: string };
	for (const node of workflow.nodes) if (node.credentials?.apiInOneApi) node.credentials.apiInOneApi = { id: credential.id, name: credential.name };
	const urls = [...text.matchAll(/'(http:\/\/127\.0\.0\.1:\d+\/images\/[^']+)'/g)].map((m) => m[1]);
	return { workflow, urls };
}

async function pixelSize(url: string) {
	const { width, height } = await sharp(Buffer.from(await (await fetch(url)).arrayBuffer())).metadata();
	return { width: width!, height: height! };
}

/** Runs example 01 from the editor's button and reads the first result in the output's binary view. */
export async function runShowsUpscaledImage(editor: Editor, standIn: StandIn) {
	const { workflow, urls } = await example01(editor, standIn);
	if (!urls.length) fail('example 01 names no image URL to run');
	await editor.openWorkflow(workflow.name, workflow.nodes, workflow.connections);
	await editor.page.getByTestId('execute-workflow-button').click();
	const node = 'Upscale Images';
	await editor
		.canvasNode(node)
		.getByTestId('canvas-node-status-success')
		.waitFor({ timeout: 120_000 })
		.catch(async () => fail(`"${node}" did not succeed in the editor: ${visible((await editor.page.locator('.el-notification').allInnerTexts()).join(' | ')) || 'no message'}`));
	await editor.openNode(node);
	const output = editor.page.getByTestId('output-panel');
	const binaryTab = output.getByTestId('radio-button-binary');
	if (await binaryTab.count()) await binaryTab.click();
	const first = output.getByTestId('ndv-binary-data_0');
	await first.waitFor();
	const card = visible(await first.innerText());
	const name = urls[0].split('/').pop()!.split('?')[0];
	if (!card.includes(name)) fail(`the first binary item does not name ${name}: ${card}`);
	await first.getByTestId('ndv-view-binary-data').click();
	const image = output.getByTestId('ndv-data-container').locator('img');
	await image.waitFor();
	await image.evaluate((img: HTMLImageElement) => (img.complete ? undefined : new Promise((resolve) => img.addEventListener('load', resolve, { once: true }))));
	const shown = await image.evaluate((img: HTMLImageElement) => ({ width: img.naturalWidth, height: img.naturalHeight }));
	const input = await pixelSize(urls[0]);
	await editor.shot('run-binary-preview.png');
	if (shown.width !== 2 * input.width || shown.height !== 2 * input.height) {
		fail(`${name}: ${input.width}x${input.height} in, the editor shows ${shown.width}x${shown.height}, not 2x`);
	}
	await editor.closeNode();
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** The trigger, added from Image Upscale's panel: its notice and both webhook URLs. */
export async function triggerShowsWebhookUrls(editor: Editor) {
	await editor.newWorkflow();
	await editor.searchNodes('API in One', 'Image Upscale');
	await editor.panelItems('Image Upscale').first().click();
	await editor.panelItems('On task succeeded').first().click();
	await editor.ndv.waitFor();
	const type = 'n8n-nodes-apiinone.imageUpscaleTrigger';
	if (!(await editor.page.locator(`[data-test-id="canvas-node"][data-node-type="${type}"]`).count())) fail(`no ${type} node on the canvas`);

	const parameters = editor.ndv.getByTestId('node-parameters');
	const notice = visible(await parameters.locator('[id^="notice-"][id$="-content"]').first().innerText());
	if (/URL above/i.test(notice) || !notice.includes('Webhook URLs')) fail(`the notice does not say where the URL is: "${notice}"`);

	await parameters.getByTitle('Click to display webhook URLs').click();
	const url = async (kind: 'Test URL' | 'Production URL', path: string) => {
		await parameters.getByText(kind, { exact: true }).click();
		const pattern = new RegExp(`${editor.n8n.url.replace(/[.:/]/g, '\\$&')}/${path}/(${UUID})/callback`);
		await parameters.getByText(pattern).waitFor({ timeout: 10_000 }).catch(async () => fail(`no ${kind} like ${pattern}: ${visible(await parameters.innerText()).slice(0, 300)}`));
		return pattern.exec(await parameters.innerText())![1];
	};
	const test = await url('Test URL', 'webhook-test');
	const production = await url('Production URL', 'webhook');
	if (test !== production) fail(`the test URL's id ${test} differs from the production URL's ${production}`);
	await editor.shot('trigger-panel.png');
	await editor.closeNode();
}
