import { upscaleNode } from './credential.checks';
import { fail, manualTrigger, visible, type Editor } from './editor';

// What the Upscale and Task -> Get panels show. Options that only matter while waiting for a result
// must not be offered when Wait for Result is off; while waiting they must be (so this cannot pass
// because a label changed).

const WAIT_OPTIONS = ['Wait Limit (Seconds)', 'When Still Running'];
const DOWNLOAD_OPTIONS = ['Max Result Size (MB)', 'Put Output File in Field'];
const PARK_OPTIONS = ['Check Every (Seconds)', 'Resume On'];

interface Panel {
	node: string;
	/** What the canvas shows under the node's name. */
	subtitle: string;
	parameters: Record<string, unknown>;
	shown: string[];
	hidden: string[];
}

const URL_SOURCE: Panel = { node: 'Upscale, Image Source URL', subtitle: 'upscale: image', parameters: { resource: 'image', operation: 'upscale', imageSource: 'url' }, shown: ['imageUrl', 'waitForResult', 'waitMode', 'downloadResult'], hidden: ['binaryPropertyName', 'taskId'] };
const FILE_SOURCE: Panel = { node: 'Upscale, Image Source Binary File', subtitle: 'upscale: image', parameters: { resource: 'image', operation: 'upscale', imageSource: 'binary' }, shown: ['binaryPropertyName', 'waitForResult'], hidden: ['imageUrl', 'taskId'] };
const TASK_GET: Panel = { node: 'Task -> Get', subtitle: 'get: task', parameters: { resource: 'task', operation: 'get' }, shown: ['taskId', 'waitForResult', 'downloadResult'], hidden: ['imageSource', 'imageUrl', 'binaryPropertyName'] };

/** One workflow with a node per panel: opening a node is quick, opening a workflow is not. */
async function openPanels(editor: Editor, panels: Panel[]) {
	await editor.openWorkflow(
		`Parameters ${panels.map((p) => p.node).join(', ')}`,
		[manualTrigger(), ...panels.map((panel, i) => ({ ...upscaleNode(panel.node, panel.parameters), position: [260, i * 200] as [number, number] }))],
	);
}

/** Every label an "Add option" list of the panel offers. */
async function offeredOptions(editor: Editor): Promise<string[]> {
	const labels: string[] = [];
	for (const add of await editor.ndv.getByTestId('collection-parameter-add').all()) {
		await add.click();
		const options = editor.page.getByTestId('collection-parameter-option').filter({ visible: true });
		await options.first().waitFor();
		labels.push(...(await options.allInnerTexts()).map(visible));
		await editor.page.keyboard.press('Escape');
		await options.first().waitFor({ state: 'hidden' });
	}
	return labels;
}

const setWaitForResult = (editor: Editor, on: boolean) => setSwitch(editor, 'waitForResult', on);

/** Each panel's fields, and the node's subtitle on the canvas. */
export async function parameterPanels(editor: Editor) {
	const problems: string[] = [];
	await openPanels(editor, [URL_SOURCE, FILE_SOURCE, TASK_GET]);
	for (const panel of [URL_SOURCE, FILE_SOURCE, TASK_GET]) {
		const onCanvas = visible(await editor.canvasNode(panel.node).innerText());
		if (onCanvas !== `${panel.node} ${panel.subtitle}`) problems.push(`${panel.node}: the canvas shows "${onCanvas}", not the subtitle "${panel.subtitle}"`);
		await editor.openNode(panel.node);
		await editor.parameter(panel.shown[0]).waitFor();
		for (const name of panel.shown) if (!(await editor.parameter(name).count())) problems.push(`${panel.node}: "${name}" is not shown`);
		for (const name of panel.hidden) if (await editor.parameter(name).count()) problems.push(`${panel.node}: "${name}" is shown`);
		await editor.closeNode();
	}
	if (problems.length) fail(problems.join('\n'));
}

/** Whether a parameter is still in the panel a moment after a change that hides it (the panel re-renders after the switch). */
async function stillShown(editor: Editor, name: string): Promise<boolean> {
	await editor.parameter(name).first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
	return (await editor.parameter(name).count()) > 0;
}

async function setSwitch(editor: Editor, name: string, on: boolean) {
	const toggle = editor.parameter(name).locator('.el-switch');
	if ((await toggle.getAttribute('class'))?.includes('is-checked') !== on) await toggle.click();
	await editor.parameter(name).locator(on ? '.el-switch.is-checked' : '.el-switch:not(.is-checked)').waitFor();
}

/**
 * Options that do nothing are not offered: the wait options without Wait for Result; the download
 * options without Download Result (which Upscale offers only while waiting; Task -> Get downloads a
 * finished task's result without waiting).
 */
export async function uselessOptionsHidden(editor: Editor) {
	const problems: string[] = [];
	const expect = (where: string, offered: string[], wanted: string[], unwanted: string[]) => {
		const missing = wanted.filter((label) => !offered.includes(label));
		const useless = unwanted.filter((label) => offered.includes(label));
		if (missing.length) problems.push(`${where}: ${JSON.stringify(missing)} not offered (offered: ${JSON.stringify(offered)})`);
		if (useless.length) problems.push(`${where}: "Add option" still offers ${JSON.stringify(useless)}`);
	};
	await openPanels(editor, [URL_SOURCE, TASK_GET]);

	await editor.openNode(URL_SOURCE.node);
	await setWaitForResult(editor, true);
	expect(`${URL_SOURCE.node}, waiting`, await offeredOptions(editor), [...WAIT_OPTIONS, ...DOWNLOAD_OPTIONS, 'Callback URL'], PARK_OPTIONS);
	// A parked batch downloads nothing and sets its own callback: those are not offered.
	await editor.choose('waitMode', 'Park the Execution (Frees the Worker)');
	if (await stillShown(editor, 'downloadResult')) problems.push(`${URL_SOURCE.node}, parked: Download Result is shown`);
	expect(`${URL_SOURCE.node}, parked`, await offeredOptions(editor), [...WAIT_OPTIONS, ...PARK_OPTIONS], [...DOWNLOAD_OPTIONS, 'Callback URL']);
	await editor.choose('waitMode', 'Keep the Execution Running');
	await setWaitForResult(editor, false);
	if (await stillShown(editor, 'waitMode')) problems.push(`${URL_SOURCE.node}, not waiting: While Waiting is shown`);
	if (await stillShown(editor, 'downloadResult')) problems.push(`${URL_SOURCE.node}, not waiting: Download Result is shown`);
	expect(`${URL_SOURCE.node}, not waiting`, await offeredOptions(editor), [], [...WAIT_OPTIONS, ...DOWNLOAD_OPTIONS, ...PARK_OPTIONS]);
	await editor.closeNode();

	await editor.openNode(TASK_GET.node);
	await setWaitForResult(editor, true);
	expect(`${TASK_GET.node}, waiting`, await offeredOptions(editor), [...WAIT_OPTIONS, ...DOWNLOAD_OPTIONS], []);
	await setWaitForResult(editor, false);
	expect(`${TASK_GET.node}, not waiting`, await offeredOptions(editor), DOWNLOAD_OPTIONS, WAIT_OPTIONS);
	await setSwitch(editor, 'downloadResult', false);
	expect(`${TASK_GET.node}, not waiting, not downloading`, await offeredOptions(editor), [], [...WAIT_OPTIONS, ...DOWNLOAD_OPTIONS]);
	await editor.closeNode();
	if (problems.length) fail(problems.join('\n'));
}

/** The Options list is in alphabetical order, and no option's label is cut off once added. */
export async function optionsSortedAndReadable(editor: Editor) {
	const problems: string[] = [];
	await openPanels(editor, [URL_SOURCE, TASK_GET]);
	for (const panel of [URL_SOURCE, TASK_GET]) {
		await editor.openNode(panel.node);
		await setWaitForResult(editor, true);
		const offered = await offeredOptions(editor);
		const sorted = [...offered].sort((a, b) => a.localeCompare(b));
		if (JSON.stringify(offered) !== JSON.stringify(sorted)) problems.push(`${panel.node}: options not sorted: ${JSON.stringify(offered)}`);
		for (const label of offered) {
			await editor.ndv.getByTestId('collection-parameter-add').first().click();
			const option = editor.page.getByTestId('collection-parameter-option').filter({ visible: true });
			await option.filter({ has: editor.page.getByText(label, { exact: true }) }).first().click();
		}
		await editor.page.mouse.move(1, 1);
		const cut = await editor.ndv.getByTestId('node-parameters').getByTestId('input-label').evaluateAll((labels) =>
			labels.flatMap((label) =>
				[label, ...Array.from(label.querySelectorAll('*'))]
					.filter((el) => getComputedStyle(el).textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1)
					.map((el) => (el as HTMLElement).innerText),
			),
		);
		if (cut.length) problems.push(`${panel.node}: labels cut off: ${JSON.stringify(cut.map(visible))}`);
		await editor.closeNode();
	}
	if (problems.length) fail(problems.join('\n'));
}
