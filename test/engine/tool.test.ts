import { NodeHelpers, type INodeTypeDescription } from 'n8n-workflow';

import { ImageUpscale } from '../../nodes/ImageUpscale/ImageUpscale.node';
import { FROM_AI_IMAGE_URL, GET_TOOL_DESCRIPTION, UPSCALE_TOOL_DESCRIPTION } from '../../nodes/ImageUpscale/actions/tool';
import { virtualClock } from '../clock';
import { runAsTool } from '../harness/engine';
import { credentialsFor, UPSCALE, useStandIn } from '../helpers';

// Image Upscale as an AI agent's tool, through n8n-core's own tool path.

const box = useStandIn({ processingMs: 100 });

const FROM_AI = "={{ $fromAI('image_url', 'The public http(s) URL of the image to upscale', 'string') }}";

async function callTool(parameters: Record<string, unknown>, toolArgs: Record<string, string>) {
	const result = await runAsTool({
		node: { type: UPSCALE, parameters: { resource: 'image', operation: 'upscale', imageUrl: FROM_AI, ...parameters } as never },
		toolArgs,
		credentials: credentialsFor(box.standIn),
	});
	expect(result.error).toBeUndefined();
	return result.items[0].json as { tool: string; answer?: string; error?: string };
}

describe('Image Upscale as a tool', () => {
	it('gives the agent the result URL, the task and a one-line summary, and no file', async () => {
		const url = box.standIn.imageUrl({ width: 20, height: 20 });
		const { answer } = await callTool({}, { image_url: url });
		const [json] = JSON.parse(answer!) as Array<Record<string, unknown>>;
		const task = box.standIn.tasks().find((t) => t.image === url)!;
		expect(json).toEqual({
			summary: `The result image is ready (task ${task.id}): ${task.resultUrl}`,
			taskId: task.id,
			state: 'succeeded',
			imageUrl: task.resultUrl,
			imageUrls: [task.resultUrl],
			error: null,
		});
		expect(box.standIn.log.count('file')).toBe(0);
	});

	it('offers no Image Source and no Download Result as a tool: an agent can give a URL, not a file', () => {
		const node = new ImageUpscale();
		const shown = (description: INodeTypeDescription, name: string) =>
			description.properties
				.filter((property) => property.name === name)
				.some((property) => NodeHelpers.displayParameter({ resource: 'image', operation: 'upscale', waitForResult: true }, property, { typeVersion: 1 }, description));
		const asTool = { ...node.description, name: 'imageUpscaleTool' };
		expect(['imageSource', 'downloadResult'].map((name) => [shown(node.description, name), shown(asTool, name)])).toEqual([
			[true, false],
			[true, false],
		]);
	});

	it('as a tool only: a Tool Description for models and Image URL from the model by default', () => {
		const node = new ImageUpscale();
		const asTool = { ...node.description, name: 'imageUpscaleTool' };
		const parameters = (description: INodeTypeDescription) =>
			NodeHelpers.getNodeParameters(description.properties, { resource: 'image', operation: 'upscale' }, true, false, null, description);
		expect(parameters(asTool)).toMatchObject({ toolDescription: UPSCALE_TOOL_DESCRIPTION, imageUrl: FROM_AI_IMAGE_URL });
		expect(parameters(node.description)).toMatchObject({ imageUrl: '' });
		expect(parameters(node.description)).not.toHaveProperty('toolDescription');
		expect(UPSCALE_TOOL_DESCRIPTION).toMatch(/1 credit/);
		expect(UPSCALE_TOOL_DESCRIPTION).toMatch(/at most 60 seconds/);
	});

	it('says when the task is still running, with its ID', async () => {
		const { answer } = await callTool({ waitForResult: false }, { image_url: box.standIn.imageUrl() });
		const [json] = JSON.parse(answer!);
		expect(json.summary).toBe(
			`The task is still running (task ${json.taskId}). Ask for it again later by its task ID (Task -> Get); upscaling the same image again would pay twice`,
		);
	});

	it('waits at most 60 seconds as a tool, then answers with the running task instead of an error', async () => {
		const time = virtualClock();
		const started = time.now;
		const { answer, error } = await callTool({}, { image_url: box.standIn.imageUrl({ outcome: 'never' }) });
		expect(error).toBeUndefined();
		const [json] = JSON.parse(answer!);
		expect({ state: json.state, taskId: json.taskId }).toEqual({ state: 'running', taskId: expect.stringMatching(/^n41/) });
		expect(time.now - started).toBeGreaterThanOrEqual(60_000);
		expect(time.now - started).toBeLessThan(70_000);
		expect(box.standIn.log.count('create')).toBe(1);
	});

	it('keeps a Wait Limit and When Still Running the user set, as a tool too', async () => {
		const time = virtualClock();
		const started = time.now;
		const { error } = await callTool({ options: { waitLimitSeconds: 5, onWaitLimit: 'error' } }, { image_url: box.standIn.imageUrl({ outcome: 'never' }) });
		expect(error).toMatch(/^The task was still running after 5 seconds/);
		expect(time.now - started).toBeLessThan(10_000);
	});

	it('answers a failed task as a result that names the task and the reason, not an error', async () => {
		const url = box.standIn.imageUrl({ outcome: 'fail' });
		const { answer, error } = await callTool({}, { image_url: url });
		expect(error).toBeUndefined();
		const [json] = JSON.parse(answer!);
		const task = box.standIn.tasks().find((t) => t.image === url)!;
		expect(json).toMatchObject({ state: 'failed', taskId: task.id, imageUrl: null, error: expect.stringMatching(/^The image could not be processed/) });
		expect(json.summary).toMatch(new RegExp(`^The task failed \\(task ${task.id}\\): The image could not be processed`));
	});

	it('Task -> Get as a second tool: its own description, and the task a first call left running', async () => {
		const { answer } = await callTool({ waitForResult: false }, { image_url: box.standIn.imageUrl() });
		const [running] = JSON.parse(answer!);
		const get = await runAsTool({
			node: { type: UPSCALE, parameters: { resource: 'task', operation: 'get', waitForResult: true, taskId: "={{ $fromAI('task_id', 'The taskId of an earlier upscale', 'string') }}" } as never },
			toolArgs: { task_id: running.taskId },
			credentials: credentialsFor(box.standIn),
		});
		const [json] = JSON.parse((get.items[0].json as { answer: string }).answer);
		expect(json).toMatchObject({ taskId: running.taskId, state: 'succeeded', imageUrl: box.standIn.task(running.taskId)!.resultUrl });
		const asTool = { ...new ImageUpscale().description, name: 'imageUpscaleTool' };
		const parameters = NodeHelpers.getNodeParameters(asTool.properties, { resource: 'task', operation: 'get' }, true, false, null, asTool);
		expect(parameters!.toolDescription).toBe(GET_TOOL_DESCRIPTION);
	});

	it('still fails a call with a bad image URL, before anything is created', async () => {
		const { error } = await callTool({}, { image_url: 'ftp://example.com/a.png' });
		expect(error).toBe('The Image URL is not an http(s) URL: "ftp://example.com/a.png"');
		expect(box.standIn.log.count('create')).toBe(0);
	});
});
