/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { StandIn } from '../stand-in/server';
import { fail, type Execution } from './n8n';

// The parked-batch workflow both suites run: example 07 (Manual Trigger -> Image URLs -> Image
// Upscale, While Waiting = Park -> Task -> Get, Download Result), adapted only where a test must:
// the stand-in's image URLs, the imported credential, a workflow id, and the park's options.

const EXAMPLE = resolve(__dirname, '../../examples/07-parked-batch.json');
export const PARK_NODE = 'Upscale Images';
export const GET_NODE = 'Download Results';
export const PARK_REFUSAL = 'Park the Execution needs n8n 2.0 or later';
const CREDENTIAL = { id: 'e2eApiInOneCred1', name: 'API in One account' };

export interface ParkOptions {
	resumeOn?: 'callbacksAndChecks' | 'checks';
	checkEverySeconds?: number;
}

/** The stand-in's image URLs of one batch: `count` pictures whose names start with `name` (so its creates can be told apart). */
export const batchUrls = (standIn: StandIn, name: string, count: number) =>
	Array.from({ length: count }, (_, i) => standIn.imageUrl({ name: `${name}-${i}`, width: 40 + i, height: 30 + (i % 7), format: i % 3 ? 'png' : 'jpeg' }));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the example's parameters, set at any depth here
type Node = { id: string; name: string; type: string; parameters: Record<string, any>; credentials?: Record<string, unknown> };

export function parkedWorkflow(id: string, name: string, urls: string[], options: ParkOptions) {
	const workflow = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { nodes: Node[]; connections: Record<string, unknown> };
	const node = (nodeName: string) => workflow.nodes.find((n) => n.name === nodeName) ?? fail(`example 07 has no node "${nodeName}"`);
	node('Image URLs').parameters.jsCode = `return ${JSON.stringify(urls)}.map((url) => ({ json: { url } }));`;
	node(PARK_NODE).parameters.options = options;
	for (const n of workflow.nodes) if (n.credentials?.apiInOneApi) n.credentials.apiInOneApi = CREDENTIAL;
	return { ...workflow, id, name, active: false, settings: { executionOrder: 'v1' } };
}

/** The parked node's id: the resume URL's path names it. */
export const parkNodeId = (workflow: ReturnType<typeof parkedWorkflow>) => workflow.nodes.find((n) => n.name === PARK_NODE)!.id;

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
