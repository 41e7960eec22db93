/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/node-usable-as-tool -- dev tooling, never published: n8n's rules for community node code do not apply */
import * as http from 'node:http';

import type { IExecuteFunctions, IHttpRequestOptions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, sleep } from 'n8n-workflow';

import { downloadImage } from '../nodes/ImageUpscale/run/download';
import type { Task } from '../nodes/shared/task';
import { createTask, getTask } from '../nodes/shared/transport';
import { initBinaryData, registerNode, runNode } from '../test/harness/engine';

/**
 * The CPU floor under the node's per-item figure: what one request costs through each layer, in a
 * fresh engine process, against the stand-in process. Sequential calls, after a warm-up.
 */

export interface CostRow {
	layer: string;
	/** The rows whose sum is the floor of one item through n8n's own request helpers: one create, one read, one download. */
	floor?: 'create' | 'read' | 'download';
	calls: number;
	cpuMsPerCall: number;
	userMsPerCall: number;
	systemMsPerCall: number;
}

const CALLS = 200;
const WARMUP = 20;
const IDLE_MS = 3000;

interface Target {
	url: string;
	key: string;
}

const rows: CostRow[] = [];

class RequestCost implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Request Cost (bench)',
		name: 'requestCost',
		group: ['transform'],
		version: 1,
		description: 'Times one request through each layer',
		defaults: { name: 'Request Cost' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'apiInOneApi', required: true }],
		properties: [{ displayName: 'Image URL', name: 'imageUrl', type: 'string', default: '' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const target = (this.getInputData()[0].json as unknown as Target) ?? {};
		const image = this.getNodeParameter('imageUrl', 0) as string;
		let task = await createTask(this, '/api/v1/images/tools/upscale', { model: 'image-upscale', image });
		while (task.state === 'running') {
			await sleep(50);
			task = await getTask(this, task.taskId!);
		}
		const keepAlive = new http.Agent({ keepAlive: true });
		rows.push(await idleRow());
		for (const [layer, call, floor] of layersOf(this, target, task, image, keepAlive)) {
			for (let i = 0; i < WARMUP; i++) await call();
			const before = process.cpuUsage();
			for (let i = 0; i < CALLS; i++) await call();
			const cpu = process.cpuUsage(before);
			rows.push({
				layer,
				floor,
				calls: CALLS,
				cpuMsPerCall: (cpu.user + cpu.system) / 1000 / CALLS,
				userMsPerCall: cpu.user / 1000 / CALLS,
				systemMsPerCall: cpu.system / 1000 / CALLS,
			});
		}
		keepAlive.destroy();
		return [[{ json: {} }]];
	}
}

/** The noise floor: what this process burns doing nothing (timers, GC, the VM's accounting), per second. */
async function idleRow(): Promise<CostRow> {
	const idleBefore = process.cpuUsage();
	await sleep(IDLE_MS);
	const idle = process.cpuUsage(idleBefore);
	return {
		layer: 'idle: this engine process doing nothing, per second (noise floor)',
		calls: 0,
		cpuMsPerCall: ((idle.user + idle.system) / 1000) * (1000 / IDLE_MS),
		userMsPerCall: (idle.user / 1000) * (1000 / IDLE_MS),
		systemMsPerCall: (idle.system / 1000) * (1000 / IDLE_MS),
	};
}

type Layer = [string, () => Promise<unknown>, CostRow['floor']?];

function layersOf(ctx: IExecuteFunctions, target: Target, task: Task, image: string, keepAlive: http.Agent): Layer[] {
	const taskId = task.taskId!;
	const statusUrl = `${target.url}/api/v1/tasks/${taskId}`;
	const auth = { Authorization: `Bearer ${target.key}` };
	const raw = (agent: http.Agent | false) =>
		new Promise<void>((resolve, reject) => {
			http
				.get(statusUrl, { headers: auth, agent }, (response) => {
					response.resume();
					response.on('end', resolve);
				})
				.on('error', reject);
		});
	const withAuth = (options: IHttpRequestOptions) => ctx.helpers.httpRequestWithAuthentication.call(ctx, 'apiInOneApi', options);
	const download = async () => {
		const body = (await ctx.helpers.httpRequest({ url: task.imageUrl!, encoding: 'arraybuffer' })) as ArrayBuffer | Buffer;
		return await ctx.helpers.prepareBinaryData(Buffer.isBuffer(body) ? body : Buffer.from(body), 'cost.png', 'image/png');
	};
	const createUrl = `${target.url}/api/v1/images/tools/upscale`;
	return [
		['plain Node http.get, keep-alive (the floor of Node itself)', async () => await raw(keepAlive)],
		['plain Node http.get, a new connection per call', async () => await raw(false)],
		["n8n's helpers.httpRequest (axios; no auth)", async () => await ctx.helpers.httpRequest({ url: statusUrl, headers: auth, json: true })],
		["n8n's helpers.httpRequestWithAuthentication (credential's header expression resolved per call): one status read", async () => await withAuth({ url: statusUrl, json: true }), 'read'],
		["n8n's helpers.httpRequestWithAuthentication: one create (POST, JSON body)", async () => await withAuth({ method: 'POST', url: createUrl, body: { model: 'image-upscale', image }, json: true }), 'create'],
		["n8n's helpers.httpRequest + prepareBinaryData: one download into the binary store (filesystem), 64x48 PNG", download, 'download'],
		['one status read: shared transport getTask (what the node sends per read)', async () => await getTask(ctx, taskId)],
		[
			'one result download into the binary store (filesystem): downloadImage, 64x48 PNG',
			async () => await downloadImage(ctx, { url: task.imageUrl!, baseUrl: target.url, baseName: 'cost', maxBytes: 100 * 1024 * 1024, itemIndex: 0 }),
		],
	];
}

async function main() {
	const target = await new Promise<Target & { imageUrl: string }>((resolve) =>
		process.once('message', (message: { target: Target & { imageUrl: string } }) => resolve(message.target)),
	);
	await initBinaryData('filesystem');
	registerNode('bench.requestCost', new RequestCost());
	const result = await runNode({
		node: { type: 'bench.requestCost', parameters: { imageUrl: target.imageUrl } },
		items: [{ json: { url: target.url, key: target.key } }],
		credentials: { apiInOneApi: { apiKey: target.key, baseUrl: target.url } },
	});
	if (result.error) throw new Error(result.error.message);
	process.send!({ type: 'result', rows }, () => process.exit(0));
}

main().catch((error: Error) => {
	process.send?.({ type: 'error', error: `${error.message}\n${error.stack}` }, () => process.exit(1));
});
