import { fail, manualTrigger, visible, type Editor } from './editor';

// n8n shows a trigger and an action node as one app when the trigger's type name is the action's
// plus "Trigger" (imageUpscale + imageUpscaleTrigger); its panel then lists both nodes' entries.

const QUERIES = ['upscale', 'API in One', 'Image Upscale'];
const TRIGGER_EVENTS = ['On task succeeded', 'On task failed'];
const ACTIONS = ['Upscale an image', 'Get a task'];

async function titles(editor: Editor): Promise<string[]> {
	return (await editor.panelItems().allInnerTexts()).map((text) => visible(text.split('\n')[0]));
}

async function expandCategory(editor: Editor, prefix: string) {
	const header = editor.nodesPanel.getByTestId('node-creator-category-item').filter({ hasText: prefix });
	await header.waitFor();
	if ((await header.locator('..').getAttribute('data-category-collapsed')) === 'true') await header.click();
}

/** The app's panel offers the trigger's events and both operations, and never "No ... Triggers available". */
async function expectWholeApp(editor: Editor, where: string) {
	await editor.panelItems('Image Upscale').first().click();
	await expandCategory(editor, 'Triggers');
	await expandCategory(editor, 'Actions');
	for (const entry of [...TRIGGER_EVENTS, ...ACTIONS]) {
		const shown = await editor.panelItems(entry).first().waitFor({ timeout: 10_000 }).then(() => true, () => false);
		if (!shown) fail(`${where}: the Image Upscale panel has no "${entry}"; it shows ${JSON.stringify(await titles(editor))}`);
	}
	const callout = editor.page.getByTestId('actions-panel-no-triggers-callout');
	if (await callout.count()) fail(`${where}: the Image Upscale panel says "${visible(await callout.innerText())}"`);
}

async function searchAll(editor: Editor, where: string) {
	for (const query of QUERIES) {
		await editor.searchNodes(query, 'Image Upscale');
		const found = await titles(editor);
		if (!found.includes('Image Upscale')) fail(`${where}: searching "${query}" shows ${JSON.stringify(found)}, no Image Upscale`);
	}
}

export async function nodesPanelFindsBoth(editor: Editor) {
	await editor.newWorkflow();
	await searchAll(editor, 'first step of a new workflow');
	await expectWholeApp(editor, 'first step');
	await editor.closeNodesPanel();

	await editor.openWorkflow('Nodes panel', [manualTrigger()]);
	await editor.page.getByTestId('node-creator-plus-button').click();
	await searchAll(editor, 'after a trigger');
	await expectWholeApp(editor, 'after a trigger');
	await editor.shot('nodes-panel.png');
	await editor.closeNodesPanel();
}

const AGENT = { name: 'AI Agent', type: '@n8n/n8n-nodes-langchain.agent', typeVersion: 2.2, position: [260, 0] as [number, number], parameters: { options: {} } };
const TOOL = { name: 'Image Upscale Tool', type: 'n8n-nodes-apiinone.imageUpscaleTool', typeVersion: 1, position: [400, 220] as [number, number] };
const toAgent = { [manualTrigger().name]: { main: [[{ node: AGENT.name, type: 'main', index: 0 }]] } };

/** The agent's Tool connector offers Image Upscale Tool, and picking it connects it to the agent. */
export async function agentToolOffered(editor: Editor) {
	await editor.openWorkflow('Agent tool', [manualTrigger(), AGENT], toAgent);
	await editor.page.locator('[data-test-id="canvas-node-input-handle"][data-connection-type="ai_tool"]').getByTestId('canvas-handle-plus').click();
	await editor.page.getByTestId('nodes-list-header').filter({ hasText: 'Tools' }).waitFor();
	await editor.searchNodes('upscale', TOOL.name);
	const found = await titles(editor);
	if (!found.includes(TOOL.name)) fail(`the agent's Tools panel, searching "upscale", shows ${JSON.stringify(found)}`);
	await editor.panelItems(TOOL.name).first().click();
	await editor.ndv.waitFor();
	await editor.closeNode();
	const node = editor.page.locator(`[data-test-id="canvas-node"][data-node-type="${TOOL.type}"]`);
	if (!(await node.count())) fail(`no ${TOOL.type} node on the canvas after picking ${TOOL.name}`);
	const name = await node.first().getAttribute('data-node-name');
	const edge = editor.page.locator(`[data-test-id="edge"][data-source-node-name="${name}"][data-target-node-name="${AGENT.name}"]`);
	await edge.first().waitFor({ state: 'attached', timeout: 10_000 }).catch(() => fail(`"${name}" is on the canvas but not connected to the agent`));
}

/** As a tool, the node asks only for what an agent can supply: an image URL, never a binary field of an input item. */
export async function toolModeOffersUrlOnly(editor: Editor) {
	await editor.openWorkflow('Agent tool parameters', [manualTrigger(), AGENT, { ...TOOL, parameters: {} }], {
		...toAgent,
		[TOOL.name]: { ai_tool: [[{ node: AGENT.name, type: 'ai_tool', index: 0 }]] },
	});
	await editor.openNode(TOOL.name);
	await editor.parameter('imageUrl').waitFor();
	// The node's own Tool Description (for models) in place of n8n's automatic one, and Image URL from the model.
	await editor.parameter('toolDescription').waitFor();
	if (await editor.parameter('descriptionType').count()) fail("as an agent's tool, n8n's own Tool Description switch is shown too");
	const description = await editor.parameter('toolDescription').locator('textarea, input').first().inputValue();
	if (!description.includes('1 credit')) fail(`the Tool Description shown is ${JSON.stringify(description)}`);
	const imageUrl = visible(await editor.parameter('imageUrl').innerText());
	if (!/fromAI\('image_url'|Defined automatically by the model/.test(imageUrl)) fail(`Image URL shows ${JSON.stringify(imageUrl)}, not the model's argument`);
	await editor.shot('agent-tool-panel.png');
	const sources = (await editor.parameter('imageSource').count()) ? await editor.choices('imageSource') : [];
	await editor.closeNode();
	if (sources.includes('Binary File')) fail(`as an agent's tool, Image Source offers ${JSON.stringify(sources)}`);
}
