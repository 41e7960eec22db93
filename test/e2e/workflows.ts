/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { fetch } from 'undici';

import type { StandIn } from '../stand-in/server';
import { fail, finished, hasEnded, sleep, until, type Execution, type N8n } from './n8n';

// The example workflows users import, adapted only where a test must: the stand-in's address for
// the image URLs, the imported credential's id, a fixed workflow id, and (in one variant) a short
// Wait limit.

const EXAMPLES = resolve(__dirname, '../../examples');
const CREDENTIAL = { id: 'e2eApiInOneCred1', name: 'API in One account' };
const MANUAL = "When clicking 'Execute workflow'";
const TRIGGER_WEBHOOK_ID = '7d3f1b62-5c2a-4e0b-9f6e-2a8c4d1e9b70';

export interface Check {
	name: string;
	/** Started before the checks run one by one, for a check that mostly waits (n8n resumes a timed Wait only on its minute poll). */
	start?(): void;
	run(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the examples' parameters, set at any depth by the checks
type Workflow = { id?: string; name: string; active?: boolean; nodes: Array<{ name: string; type: string; parameters: Record<string, any>; credentials?: Record<string, unknown> }>; connections: unknown; settings?: unknown };

function example(file: string, id: string, standIn: StandIn): Workflow {
	const text = readFileSync(join(EXAMPLES, file), 'utf8').replaceAll('https://example.com', standIn.url);
	const workflow = JSON.parse(text) as Workflow;
	for (const node of workflow.nodes) if (node.credentials?.apiInOneApi) node.credentials.apiInOneApi = CREDENTIAL;
	return { ...workflow, id, active: false, settings: { executionOrder: 'v1' } };
}

const nodeOf = (workflow: Workflow, name: string) => workflow.nodes.find((node) => node.name === name)!;

/** A node's output items, or an error naming the node and n8n's own message. */
export function output(execution: Execution, node: string) {
	const { runData, error } = execution.data?.resultData ?? { runData: {} };
	for (const [name, runs] of Object.entries(runData)) {
		const failed = runs.find((r) => r.error);
		if (failed) fail(`node "${name}" failed in n8n: ${failed.error!.message}${failed.error!.description ? ` (${failed.error!.description})` : ''}`);
	}
	if (error) fail(`the execution failed at node "${error.node?.name ?? '?'}": ${error.message}`);
	const items = runData[node]?.[0]?.data?.main?.[0];
	return items ?? fail(`node "${node}" did not run (execution status ${execution.status}; nodes that ran: ${Object.keys(runData).join(', ')})`);
}

async function pixels(data: Buffer) {
	const { width, height } = await sharp(data).metadata();
	return `${width}x${height}`;
}

async function binaryBytes(n8n: N8n, binary: { data: string; id?: string }): Promise<Buffer> {
	if (!binary.id) return Buffer.from(binary.data, 'base64');
	const location = binary.id.replace(/^filesystem(-v2)?:/, '');
	return readFileSync(join(n8n.folder, '.n8n', 'binaryData', location));
}

/** Each succeeded item's file must be the stand-in's input picture at twice its size. */
export async function expectUpscaledFiles(n8n: N8n, standIn: StandIn, items: ReturnType<typeof output>, field = 'data') {
	for (const { json, binary } of items) {
		if (json.state !== 'succeeded') fail(`task ${String(json.taskId)} is ${String(json.state)}: ${String(json.error ?? '')}`);
		if (!/^n41/.test(String(json.taskId))) fail(`no task id in ${JSON.stringify(json).slice(0, 200)}`);
		const task = standIn.task(String(json.taskId)) ?? fail(`the stand-in has no task ${String(json.taskId)}`);
		const input = (await fetch(task.image).then((r) => r.arrayBuffer()).then(Buffer.from)) as Buffer;
		const file = binary?.[field] ?? fail(`task ${task.id}: no binary field "${field}" in n8n's output`);
		const [inSize, outSize] = [await pixels(input), await pixels(await binaryBytes(n8n, file))];
		const [w, h] = inSize.split('x').map(Number);
		if (outSize !== `${2 * w}x${2 * h}`) fail(`task ${task.id}: ${inSize} in, ${outSize} out, not 2x`);
	}
}

export async function prepare(n8n: N8n, standIn: StandIn): Promise<{ cli: Check[]; server: Check[] }> {
	let lostCallbackRun: Promise<string> | undefined;
	await n8n.importJson('credentials', [{ ...CREDENTIAL, type: 'apiInOneApi', data: { apiKey: standIn.key, baseUrl: standIn.url } }]);
	const urls = example('01-upscale-urls.json', 'e2eUrlsToFiles01', standIn);
	const waitNode = example('04-callback-wait-node.json', 'e2eCallbackWait1', standIn);
	const lostCallback = example('04-callback-wait-node.json', 'e2eLostCallback1', standIn);
	Object.assign(nodeOf(lostCallback, 'Wait for Callback').parameters, { resumeAmount: 6, resumeUnit: 'seconds' });
	nodeOf(lostCallback, 'Image URLs').parameters.jsCode = nodeOf(lostCallback, 'Image URLs').parameters.jsCode.replace('poster.jpg', 'poster-no-callback.jpg');
	const toTrigger = example('03-callback-to-trigger.json', 'e2eCallbackTrig1', standIn);
	const productionUrl = `${n8n.url}/webhook/${TRIGGER_WEBHOOK_ID}/callback`;
	nodeOf(toTrigger, 'Submit Upscale').parameters.options.callbackUrl = productionUrl;
	await n8n.importJson('workflow', [urls, waitNode, lostCallback, toTrigger]);
	await n8n.activate(toTrigger.id!);

	const cli: Check[] = [
		{
			name: '1. Manual Trigger -> image URLs -> Image Upscale (n8n execute): succeeded tasks, 2x files',
			async run() {
				const execution = await n8n.execute(urls.id!);
				const items = output(execution, 'Upscale Images');
				if (items.length !== 3) fail(`expected 3 items, n8n gave ${items.length}`);
				await expectUpscaledFiles(n8n, standIn, items);
			},
		},
	];

	const lostCallbackCheck: Check = {
		name: '2b. Same, with the callback lost: the Wait limit passes and Task -> Get still fetches the result',
		start() {
			standIn.fault('create', { fault: { kind: 'noCallback' }, match: (req) => String(req.body?.image).includes('no-callback') });
			lostCallbackRun = n8n.runManually(lostCallback.id!, MANUAL);
			lostCallbackRun.catch(() => undefined); // reported by run()
		},
		async run() {
			const id = await lostCallbackRun!;
			const execution = await finished(n8n, id, 180_000);
			const submitted = output(execution, 'Submit Upscale')[0].json;
			if (standIn.log.callbacks.some((c) => c.taskId === submitted.taskId)) fail('a callback was sent although it was suppressed');
			await expectUpscaledFiles(n8n, standIn, output(execution, 'Get Result'));
		},
	};
	const server: Check[] = [
		{
			name: '2. Callback URL = $execution.resumeUrl -> Wait node resumed by the callback -> Task -> Get',
			async run() {
				const id = await n8n.runManually(waitNode.id!, MANUAL);
				const execution = await finished(n8n, id);
				const submitted = output(execution, 'Submit Upscale')[0].json;
				const callbacks = standIn.log.callbacks.filter((c) => c.taskId === submitted.taskId);
				if (!callbacks.some((c) => c.status === 200 && c.url.includes(`/webhook-waiting/${id}`))) {
					fail(`the stand-in's callback did not resume execution ${id}: ${JSON.stringify(callbacks)}`);
				}
				await expectUpscaledFiles(n8n, standIn, output(execution, 'Get Result'));
			},
		},
		{
			name: '3. API in One Trigger: one verified execution per task; a duplicate and a forged callback start nothing wrong',
			async run() {
				const fromTrigger = async () => (await n8n.executions(toTrigger.id!)).filter((e) => e.mode === 'webhook');
				// 2.x may answer 404 for a moment after start while it registers the webhook.
				await until('the trigger webhook', async () => ((await post(productionUrl, {})).status === 400 ? true : undefined));
				const id = await n8n.runManually(toTrigger.id!, MANUAL);
				const submitted = output(await finished(n8n, id), 'Submit Upscale').map((item) => String(item.json.taskId));
				const runs = await until('one execution per task', async () => {
					const list = await fromTrigger();
					return list.length >= submitted.length && list.every(hasEnded) ? list : undefined;
				});
				await sleep(2000);
				const executions = await fromTrigger();
				const items = executions.map((e) => output(e, 'API in One Trigger')[0]);
				const started = items.map((item) => String(item.json.taskId)).sort();
				if (JSON.stringify(started) !== JSON.stringify([...submitted].sort())) fail(`tasks ${submitted} started executions for ${started}`);
				// The trigger downloads nothing; Task -> Get after it does.
				if (items.some((item) => item.binary)) fail('the trigger output a file');
				await expectUpscaledFiles(n8n, standIn, executions.map((e) => output(e, 'Get Result')[0]));
				for (const item of items) {
					if (item.json.imageUrl !== standIn.task(String(item.json.taskId))!.resultUrl) fail(`unverified result URL ${String(item.json.imageUrl)}`);
				}

				const genuine = standIn.log.callbacks.find((c) => c.taskId === submitted[0])!.body;
				if ((await post(productionUrl, genuine)).status !== 200) fail('the duplicate callback was not answered 200');

				const failedTask = await createTask(standIn, standIn.imageUrl({ name: 'forged', outcome: 'fail' }));
				await until('the failed task to end', async () => (standIn.task(failedTask)?.state === 'failed' ? true : undefined));
				const forged = { code: 200, data: { task_id: failedTask, status: 'COMPLETED', output: { image_url: 'http://attacker.invalid/x.png' } } };
				if ((await post(productionUrl, forged)).status !== 200) fail('the forged callback was not answered 200');
				const after = await until('the forged callback to be handled', async () => {
					const list = await fromTrigger();
					return list.length > runs.length && list.every(hasEnded) ? list : undefined;
				}, 20_000);
				await sleep(2000);
				const final = await fromTrigger();
				if (final.length !== submitted.length + 1) fail(`expected ${submitted.length + 1} trigger executions, n8n has ${final.length}`);
				const forgedRun = after.map((e) => output(e, 'API in One Trigger')[0].json).find((json) => json.taskId === failedTask);
				if (!forgedRun) fail('the forged callback did not start the (verified) failed task');
				if (forgedRun.state !== 'failed' || forgedRun.imageUrl !== null || JSON.stringify(final).includes('attacker.invalid')) {
					fail(`the forged callback's claims got through: ${JSON.stringify(forgedRun).slice(0, 300)}`);
				}
			},
		},
		{
			name: "4. Credential test (the dialog's Test button): a good key passes, a wrong key is an invalid API key",
			async run() {
				const test = async (apiKey: string) => {
					const body = { credentials: { ...CREDENTIAL, type: 'apiInOneApi', data: { apiKey, baseUrl: standIn.url } } };
					return (await n8n.rest('POST', '/rest/credentials/test', body)).data as { status: string; message: string };
				};
				const good = await test(standIn.key);
				if (good.status !== 'OK') fail(`the good key failed the test: ${good.message}`);
				const wrong = await test('aio_wrong_key_e2e');
				if (wrong.status !== 'Error' || !wrong.message.startsWith('Invalid API key')) fail(`a wrong key gave ${JSON.stringify(wrong)}`);
				if (n8n.install.major < 2) return; // 1.x hands every HTTP status to the rules (README, Credentials)
				standIn.fault('status', { fault: { kind: 'status', status: 502, body: '<html>Bad Gateway</html>' }, times: 2 });
				const down = await test(standIn.key);
				if (down.status !== 'Error') fail(`a 502 answer passed the test: ${JSON.stringify(down)}`);
			},
		},
	];
	// The Wait node's own time limit is n8n's: it runs on one version (n8n resumes it on its minute poll).
	if (n8n.install.major >= 2) server.push(lostCallbackCheck);
	return { cli, server };
}

const post = (url: string, body: unknown) =>
	fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function createTask(standIn: StandIn, image: string): Promise<string> {
	const response = await fetch(`${standIn.url}/api/v1/images/tools/upscale`, {
		method: 'POST',
		headers: { authorization: `Bearer ${standIn.key}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'image-upscale', image }),
	});
	return ((await response.json()) as { data: { task_id: string } }).data.task_id;
}
