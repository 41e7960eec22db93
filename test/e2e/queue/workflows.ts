/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { StandIn } from '../../stand-in/server';
import type { N8n } from '../n8n';
import { batchUrls, parkedWorkflow } from '../parked';

// The example workflows, adapted only where the queue suite must: the stand-in's images, the
// imported credential, fixed workflow ids, callback URLs that reach the webhook processes, and a
// webhook id of its own for each trigger workflow (one path can belong to one active workflow only).

const EXAMPLES = resolve(__dirname, '../../../examples');
const CREDENTIAL = { id: 'e2eApiInOneCred1', name: 'API in One account' };
const REDIS_CREDENTIAL = { id: 'e2eRedisCred0001', name: 'Redis account' };
export const MANUAL = "When clicking 'Execute workflow'";
export const TRIGGER = 'API in One Trigger';

interface Node {
	id?: string;
	name: string;
	type: string;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the examples' parameters, set at any depth by the suites
	parameters: Record<string, any>;
	credentials?: Record<string, unknown>;
	webhookId?: string;
}
export interface Workflow {
	id: string;
	name: string;
	active?: boolean;
	nodes: Node[];
	connections: Record<string, unknown>;
	settings?: unknown;
}

function example(file: string, id: string, standIn: StandIn): Workflow {
	const workflow = JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8').replaceAll('https://example.com', standIn.url)) as Workflow;
	for (const node of workflow.nodes) {
		if (node.credentials?.apiInOneApi) node.credentials.apiInOneApi = CREDENTIAL;
		if (node.credentials?.redis) node.credentials.redis = REDIS_CREDENTIAL;
	}
	return { ...workflow, id, active: false, settings: { executionOrder: 'v1' } };
}

export const nodeOf = (workflow: Workflow, name: string) => workflow.nodes.find((node) => node.name === name)!;
const webhookIdOf = (workflow: Workflow) => nodeOf(workflow, TRIGGER).webhookId!;

/** A trigger workflow's production URL on one webhook process. */
export const productionUrl = (webhook: N8n, workflow: Workflow) => `${webhook.url}/webhook/${webhookIdOf(workflow)}/callback`;

const codeFor = (urls: string[]) => `return ${JSON.stringify(urls)}.map((url) => ({ json: { url } }));`;

export interface QueueWorkflows {
	/** Example 01 with 50 images. */
	batch: Workflow;
	/** Example 04: callback to $execution.resumeUrl, Wait node, Task -> Get. */
	callbackWait: Workflow;
	/** Example 03 (trigger -> Task -> Get, which downloads), its callbacks spread over the webhook processes. */
	trigger: Workflow;
	/** Example 06: trigger -> Redis increment of a key per task id -> only the first -> Task -> Get. */
	exactlyOnce: Workflow;
	/** Example 06 with n8n's Remove Duplicates (on the task id) in place of the Redis count. */
	removeDuplicates: Workflow;
	/** Parked batches (While Waiting = Park), each with its image URLs: 50 with callbacks, 10 on n8n's checks only. */
	parked: { workflow: Workflow; urls: string[] };
	parkedChecks: { workflow: Workflow; urls: string[] };
	all(): Workflow[];
	triggers(): Workflow[];
}

export function queueWorkflows(standIn: StandIn, webhooks: N8n[]): QueueWorkflows {
	const batch = example('01-upscale-urls.json', 'e2eQueueBatch001', standIn);
	const sizes = Array.from({ length: 50 }, (_, i) => ({ name: `batch-${i}`, width: 40 + i, height: 30 + (i % 7), format: i % 3 ? 'png' : 'jpeg' }) as const);
	nodeOf(batch, 'Image URLs').parameters.jsCode = codeFor(sizes.map((spec) => standIn.imageUrl(spec)));

	const callbackWait = example('04-callback-wait-node.json', 'e2eQueueWait0001', standIn);

	const trigger = example('03-callback-to-trigger.json', 'e2eQueueTrig0003', standIn);
	const urls = webhooks.map((webhook) => productionUrl(webhook, trigger));
	nodeOf(trigger, 'Submit Upscale').parameters.options.callbackUrl = `={{ ${JSON.stringify(urls)}[$itemIndex % ${urls.length}] }}`;
	nodeOf(trigger, 'Image URLs').parameters.jsCode = codeFor([1, 2, 3, 4, 5, 6].map((i) => standIn.imageUrl({ name: `spread-${i}`, width: 50 + i, height: 40 })));

	const exactlyOnce = example('06-trigger-exactly-once-queue-mode.json', 'e2eQueueOnce0006', standIn);
	const removeDuplicates = withoutCount(example('06-trigger-exactly-once-queue-mode.json', 'e2eQueueRemDup06', standIn), '5d2c7e9a-1f4b-4c8d-a6e3-9b0f2d4c6e81', {
		name: 'Remove Duplicates',
		type: 'n8n-nodes-base.removeDuplicates',
		typeVersion: 2,
		position: [-200, 720],
		parameters: { operation: 'removeItemsSeenInPreviousExecutions', dedupeValue: '={{ $json.taskId }}', options: {} },
	});
	removeDuplicates.name = 'Trigger, Remove Duplicates, Task -> Get';

	const parkedUrls = batchUrls(standIn, 'parked', 50);
	const parked = { urls: parkedUrls, workflow: parkedWorkflow('e2eQueueParked01', 'Parked batch of 50', parkedUrls, {}) };
	const checksUrls = batchUrls(standIn, 'parked-checks', 10);
	const parkedChecks = { urls: checksUrls, workflow: parkedWorkflow('e2eQueueParkChk1', 'Parked batch, checks only', checksUrls, { resumeOn: 'checks', checkEverySeconds: 5 }) };

	const all = () => [batch, callbackWait, trigger, exactlyOnce, removeDuplicates, parked.workflow, parkedChecks.workflow];
	const triggers = () => [trigger, exactlyOnce, removeDuplicates];
	return { batch, callbackWait, trigger, exactlyOnce, removeDuplicates, parked, parkedChecks, all, triggers };
}

/** Example 06 with the node given in place of the Redis count. */
function withoutCount(workflow: Workflow, webhookId: string, between: Node & { typeVersion: number; position: number[] }): Workflow {
	const link = (node: string) => ({ main: [[{ node, type: 'main', index: 0 }]] });
	nodeOf(workflow, TRIGGER).webhookId = webhookId;
	workflow.nodes = workflow.nodes.filter((node) => !['Count Deliveries', 'First Delivery?'].includes(node.name));
	delete workflow.connections['Count Deliveries'];
	delete workflow.connections['First Delivery?'];
	workflow.nodes.push({ id: '0f6d2b8e-3c1a-4e5f-9a7b-8c9d0e1f2a3b', ...between });
	workflow.connections[TRIGGER] = link(between.name);
	workflow.connections[between.name] = link('Get Result');
	return workflow;
}

/** Credential and workflows into the database, before main starts (the first command runs the migrations). */
export async function importWorkflows(main: N8n, standIn: StandIn, redisPort: number, workflows: QueueWorkflows) {
	await main.importJson('credentials', [
		{ ...CREDENTIAL, type: 'apiInOneApi', data: { apiKey: standIn.key, baseUrl: standIn.url } },
		{ ...REDIS_CREDENTIAL, type: 'redis', data: { host: '127.0.0.1', port: redisPort, password: '', database: 0, ssl: false } },
	]);
	await main.importJson('workflow', workflows.all());
}

/**
 * Publishes the trigger workflows as the editor does, once main runs and the owner is logged in:
 * one REST call each instead of one `n8n publish:workflow` (a whole n8n start) each.
 * (`import:workflow --activeState=fromJson` is refused before an owner exists.)
 */
export async function publishTriggers(main: N8n, workflows: QueueWorkflows) {
	for (const { id } of workflows.triggers()) {
		const { versionId } = (await main.rest('GET', `/rest/workflows/${id}`)).data as { versionId: string };
		await main.rest('POST', `/rest/workflows/${id}/activate`, { versionId });
	}
}
