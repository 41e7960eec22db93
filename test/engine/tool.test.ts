import { NodeHelpers, type INodeTypeDescription } from 'n8n-workflow';

import { ImageUpscale } from '../../nodes/ImageUpscale/ImageUpscale.node';
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

	it('says when the task is still running, with its ID', async () => {
		const { answer } = await callTool({ waitForResult: false }, { image_url: box.standIn.imageUrl() });
		const [json] = JSON.parse(answer!);
		expect(json.summary).toBe(`The task is still running (task ${json.taskId}); get it later by its task ID`);
	});

	it('hands a failed task to the agent as an error that names the task', async () => {
		const { error } = await callTool({}, { image_url: box.standIn.imageUrl({ outcome: 'fail' }) });
		expect(error).toMatch(/^The task failed: The image could not be processed/);
		expect(error).toMatch(/Task ID: n41/);
	});
});
