import type { StandIn } from '../stand-in/server';
import { fail, type Execution } from './n8n';

// The parked-batch workflow both suites run (docs/design-parked-batches.md 2.8): Manual Trigger ->
// Image URLs (Code) -> Image Upscale, Wait for Result, While Waiting = Park -> Image Upscale
// Task -> Get (Download Result) over {{ $json.taskId }}.

export const PARK_NODE = 'Upscale (Parked)';
export const PARK_NODE_ID = 'b7a0c2d4-5e6f-4a1b-8c9d-0e1f2a3b4c5d';
export const GET_NODE = 'Get Result';
export const PARK_REFUSAL = 'Park the Execution needs n8n 2.0 or later';
const MANUAL_NAME = "When clicking 'Execute workflow'";
const CREDENTIAL = { id: 'e2eApiInOneCred1', name: 'API in One account' };

export interface ParkOptions {
	resumeOn?: 'callbacksAndChecks' | 'checks';
	checkEverySeconds?: number;
}

/** The stand-in's image URLs of one batch: `count` pictures whose names start with `name` (so its creates can be told apart). */
export const batchUrls = (standIn: StandIn, name: string, count: number) =>
	Array.from({ length: count }, (_, i) => standIn.imageUrl({ name: `${name}-${i}`, width: 40 + i, height: 30 + (i % 7), format: i % 3 ? 'png' : 'jpeg' }));

export function parkedWorkflow(id: string, name: string, urls: string[], options: ParkOptions) {
	const node = (n: number, nodeName: string, type: string, parameters: Record<string, unknown>, extra = {}) => ({
		id: `b7a0c2d4-0000-4a1b-8c9d-00000000000${n}`,
		name: nodeName,
		type,
		typeVersion: type.endsWith('code') ? 2 : 1,
		position: [n * 220, 0],
		parameters,
		...extra,
	});
	const credentials = { apiInOneApi: CREDENTIAL };
	const link = (to: string) => ({ main: [[{ node: to, type: 'main', index: 0 }]] });
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node(1, MANUAL_NAME, 'n8n-nodes-base.manualTrigger', {}),
			node(2, 'Image URLs', 'n8n-nodes-base.code', { jsCode: `return ${JSON.stringify(urls)}.map((url) => ({ json: { url } }));` }),
			{
				...node(3, PARK_NODE, 'n8n-nodes-apiinone.imageUpscale', {
					resource: 'image',
					operation: 'upscale',
					imageSource: 'url',
					imageUrl: '={{ $json.url }}',
					waitForResult: true,
					waitMode: 'park',
					options,
				}),
				id: PARK_NODE_ID,
				credentials,
			},
			node(
				4,
				GET_NODE,
				'n8n-nodes-apiinone.imageUpscale',
				{ resource: 'task', operation: 'get', taskId: '={{ $json.taskId }}', waitForResult: true, downloadResult: true, options: { waitLimitSeconds: 600 } },
				{ credentials },
			),
		],
		connections: { [MANUAL_NAME]: link('Image URLs'), 'Image URLs': link(PARK_NODE), [PARK_NODE]: link(GET_NODE) },
	};
}

/** Creates the stand-in answered for each of these image URLs (1 each means nothing was created twice). */
export function createsPerUrl(standIn: StandIn, urls: string[]): number[] {
	const created = standIn.log.entries.filter((e) => e.route === 'create' && e.status === 200).map((e) => (e.body as { image?: string }).image);
	return urls.map((url) => created.filter((image) => image === url).length);
}

/** The task ids the stand-in created for these image URLs. */
export const tasksOf = (standIn: StandIn, urls: string[]) => standIn.tasks().filter((task) => urls.includes(task.image));

/**
 * The parked node's output after the resume: one item per input, in input order, each `succeeded`
 * with the task the stand-in created for that input's URL (what n8n stored, not what we sent).
 */
export function expectParkedOutput(execution: Execution, standIn: StandIn, urls: string[]) {
	const items = execution.data?.resultData.runData[PARK_NODE]?.map((run) => run.data?.main?.[0] ?? []) ?? [];
	if (items.length !== 1) fail(`"${PARK_NODE}" has ${items.length} runs in execution ${execution.id}, not 1 (its pre-park run must be gone)`);
	const out = items[0];
	if (out.length !== urls.length) fail(`"${PARK_NODE}" output ${out.length} items for ${urls.length} inputs`);
	out.forEach(({ json, binary, pairedItem }: { json: Record<string, unknown>; binary?: unknown; pairedItem?: { item: number } }, i) => {
		if (pairedItem?.item !== i) fail(`item ${i}: paired with ${JSON.stringify(pairedItem)}, not input ${i}`);
		const task = standIn.task(String(json.taskId));
		if (!task || task.image !== urls[i]) fail(`item ${i}: task ${String(json.taskId)} is not the one created for input ${i} (${urls[i]})`);
		if (json.state !== 'succeeded' || json.imageUrl !== task.resultUrl) fail(`item ${i}: ${JSON.stringify(json).slice(0, 300)}`);
		if (binary) fail(`item ${i}: the parked node output a file`);
	});
}
