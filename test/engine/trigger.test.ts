/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import * as http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IDataObject } from 'n8n-workflow';

import { ImageUpscaleTrigger } from '../../nodes/ImageUpscaleTrigger/ImageUpscaleTrigger.node';
import { startedTasks } from '../../nodes/ImageUpscaleTrigger/startedTasks';
import { parseTask } from '../../nodes/shared/task';
import { registerNode, runWebhook, type RunResult } from '../harness/engine';
import { recordedSleeps } from '../clock';
import { credentialsFor, useStandIn } from '../helpers';

// The trigger's webhook() through n8n-core's WebhookContext, with real requests: the stand-in
// (or the test) POSTs to a small server that receives them the way n8n's webhook server does.

const TRIGGER = 'n8n-nodes-apiinone.imageUpscaleTrigger';
registerNode(TRIGGER, new ImageUpscaleTrigger());

const box = useStandIn({ processingMs: 100 });

const N8N_PAYLOAD_MAX = 16 * 1024 * 1024;
const ATTACKER_URL = 'https://attacker.example/evil.png';

interface Answer {
	status: number;
	body: string;
	headers: http.IncomingHttpHeaders;
}

interface Receiver {
	/** The trigger's webhook URL: what goes in a task's callback_url. */
	url: string;
	answers: Answer[];
	starts: RunResult[];
	/** The workflow's static data as n8n would have saved it. */
	staticData: IDataObject;
	/** Resolves when every request so far has been answered and its execution, if any, has ended. */
	settled(): Promise<void>;
	close(): Promise<void>;
}

interface ReceiverOptions {
	mode?: 'webhook' | 'manual';
	apiKey?: string;
	/** Receivers with one workflow id stand for the test and production URLs of one workflow. */
	workflowId?: string;
	/** Holds the static-data save of the n-th request (from 0) until the promise resolves. */
	holdSave?: (n: number) => Promise<void>;
	/** Runs between serializing the static data and storing it (commits may come in any order). */
	holdCommit?: () => Promise<void>;
	/** Static data shared with other receivers: one database, several webhook processes. */
	store?: IDataObject;
}

const receivers: Receiver[] = [];

/**
 * Receives requests like n8n's webhook server: the body's bytes go to req.rawBody, JSON bodies are
 * parsed into req.body (a parse failure is n8n's own 422), text/plain becomes a string; then the
 * real req and res go to the trigger.
 */
async function startReceiver(parameters: Record<string, unknown> = {}, options: ReceiverOptions = {}): Promise<Receiver> {
	const staticData: IDataObject = options.store ?? {};
	const workflowId = options.workflowId ?? `receiver-${receivers.length}`;
	const answers: Answer[] = [];
	const starts: RunResult[] = [];
	const pending = new Set<Promise<void>>();

	let requests = 0;
	const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
		const requestNumber = requests++;
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks);
		if (rawBody.length > N8N_PAYLOAD_MAX) return void res.writeHead(413).end();
		const contentType = req.headers['content-type']?.split(';')[0].trim().toLowerCase();
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		let body: unknown = {};
		if (rawBody.length && contentType === 'application/json') {
			try {
				body = JSON.parse(rawBody.toString('utf8').replace(/^\uFEFF/, ''));
			} catch {
				return void res.writeHead(422).end('{"code":422,"message":"Failed to parse request body"}');
			}
		} else if (rawBody.length && contentType === 'text/plain') {
			body = rawBody.toString('utf8');
		}
		Object.assign(req, {
			rawBody,
			body,
			contentType,
			encoding: 'utf-8',
			query: Object.fromEntries(url.searchParams),
			params: {},
			readRawBody: async () => {},
		});
		const outcome = await runWebhook({
			node: { type: TRIGGER, parameters: parameters as never },
			credentials: credentialsFor(box.standIn, options.apiKey),
			staticData,
			workflowId,
			mode: options.mode,
			beforeSave: options.holdSave && (() => options.holdSave!(requestNumber)),
			beforeCommit: options.holdCommit,
			request: req,
			response: res,
		});
		if (outcome.started) starts.push(outcome.started);
	};

	const server = http.createServer((req, res) => {
		const end = res.end.bind(res);
		res.end = ((chunk?: unknown, ...rest: unknown[]) => {
			answers.push({ status: res.statusCode, body: chunk ? String(chunk) : '', headers: res.getHeaders() as never});
			return end(chunk as never, ...(rest as never[]));
		}) as typeof res.end;
		const work = handle(req, res).catch((error) => {
			if (!res.headersSent) res.writeHead(500).end(String(error));
		});
		pending.add(work);
		void work.finally(() => pending.delete(work));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	const receiver: Receiver = {
		url: `http://127.0.0.1:${port}/webhook/trigger-webhook-id/callback`,
		answers,
		starts,
		staticData,
		settled: async () => {
			while (pending.size) await Promise.all([...pending]);
		},
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
	receivers.push(receiver);
	return receiver;
}

afterEach(async () => {
	const all = receivers.splice(0);
	for (const receiver of all) {
		await receiver.settled();
		await receiver.close();
		// Nothing the trigger answers or outputs ever carries the API key.
		const visible = JSON.stringify(receiver.answers) + JSON.stringify(receiver.starts.map((start) => [start.items, start.error]));
		expect(visible).not.toContain(box.standIn.key);
	}
});

interface Reply {
	status: number;
	message: string;
	headers: http.IncomingHttpHeaders;
}

/** POSTs to the trigger as any sender would; `chunked` sends no Content-Length. */
function post(url: string, body: unknown, headers: Record<string, string> = {}, chunked = false): Promise<Reply> {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	const contentType = typeof body === 'string' ? {} : { 'content-type': 'application/json' };
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method: 'POST', headers: { ...contentType, ...headers } }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => {
				const raw = Buffer.concat(chunks).toString('utf8');
				let message = raw;
				try {
					message = JSON.parse(raw).message;
				} catch {
					// not JSON: the message is the raw text
				}
				resolve({ status: res.statusCode ?? 0, message, headers: res.headers });
			});
		});
		req.on('error', reject);
		if (!chunked) req.setHeader('content-length', Buffer.byteLength(text));
		req.end(text);
	});
}

/** Creates a task on the stand-in the way any client would, optionally with a callback URL. */
async function createTask(image = box.standIn.imageUrl(), callbackUrl?: string): Promise<string> {
	const response = await fetch(`${box.standIn.url}/api/v1/images/tools/upscale`, {
		method: 'POST',
		headers: { authorization: `Bearer ${box.standIn.key}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'image-upscale', image, ...(callbackUrl ? { callback_url: callbackUrl } : {}) }),
	});
	return parseTask(await response.json()).taskId!;
}

async function endedTask(image = box.standIn.imageUrl()): Promise<string> {
	const taskId = await createTask(image);
	await box.standIn.idle();
	box.standIn.log.clear();
	return taskId;
}

async function deliveredCallbacks(receiver: Receiver) {
	await box.standIn.idle();
	await receiver.settled();
	return box.standIn.log.callbacks.map((callback) => callback.status);
}

describe('a genuine callback from the service', () => {
	it('starts exactly one execution with the task as the API reports it', async () => {
		const receiver = await startReceiver();
		const taskId = await createTask(box.standIn.imageUrl(), receiver.url);
		expect(await deliveredCallbacks(receiver)).toEqual([200]);

		expect(receiver.starts).toHaveLength(1);
		const [start] = receiver.starts;
		expect(start.error).toBeUndefined();
		expect(start.items).toHaveLength(1);
		const { json, binary } = start.items[0];
		expect(json).toEqual({ taskId, state: 'succeeded', imageUrl: box.standIn.task(taskId)!.resultUrl, error: null });
		expect(binary).toBeUndefined();
		expect(box.standIn.log.statusReads(taskId)).toBe(1);
		expect(receiver.answers).toEqual([expect.objectContaining({ status: 200, body: '{"message":"Workflow was started"}' })]);
	});

	it.each([
		['with the envelope, id in data.task_id', { envelope: true, idAt: 'data.task_id' }],
		['with the envelope, id in data.id', { envelope: true, idAt: 'data.id' }],
		['with the envelope, id at the top as task_id', { envelope: true, idAt: 'task_id' }],
		['with the envelope, id at the top as id', { envelope: true, idAt: 'id' }],
		['without the envelope, id as id', { envelope: false, idAt: 'id', words: 'alt', statusCase: 'lower' }],
	] as const)('reads the task id from a body %s', async (_name, shape) => {
		box.standIn.setShape(shape);
		const receiver = await startReceiver();
		const taskId = await createTask(box.standIn.imageUrl(), receiver.url);
		expect(await deliveredCallbacks(receiver)).toEqual([200]);
		expect(receiver.starts.map((start) => start.items[0].json.taskId)).toEqual([taskId]);
		expect(receiver.starts[0].items[0].json.state).toBe('succeeded');
	});

	it('starts the workflow once when the service sends the callback again', async () => {
		const receiver = await startReceiver();
		box.standIn.fault('callback', { kind: 'duplicateCallback', times: 3 });
		const taskId = await createTask(box.standIn.imageUrl(), receiver.url);
		expect(await deliveredCallbacks(receiver)).toEqual([200, 200, 200]);
		expect(receiver.starts).toHaveLength(1);
		expect(receiver.answers.map((answer) => JSON.parse(answer.body).message)).toEqual([
			'Workflow was started',
			'Ignored: this task has already started the workflow, or another delivery of it is starting it',
			'Ignored: this task has already started the workflow, or another delivery of it is starting it',
		]);
		expect(box.standIn.log.statusReads(taskId)).toBe(1);
		expect((await post(receiver.url, { task_id: taskId })).message).toMatch(/already started/);
		expect(receiver.starts).toHaveLength(1);
	});

	it('starts the workflow once when two deliveries of a task arrive at the same time', async () => {
		const taskId = await endedTask();
		const receiver = await startReceiver();
		// A slow API read keeps the first delivery in flight when the second arrives.
		box.standIn.fault('status', { fault: { kind: 'delay', ms: 300 }, times: 2 });
		const replies = await Promise.all([post(receiver.url, { task_id: taskId }), post(receiver.url, { id: taskId })]);
		expect(replies.map((reply) => reply.status)).toEqual([200, 200]);
		await receiver.settled();
		expect(receiver.starts).toHaveLength(1);
	});

	it('reads a JSON body that starts with a byte order mark', async () => {
		const taskId = await endedTask();
		const receiver = await startReceiver();
		const reply = await post(receiver.url, `\uFEFF${JSON.stringify({ task_id: taskId })}`, { 'content-type': 'application/json' });
		expect(reply).toEqual(expect.objectContaining({ status: 200, message: 'Workflow was started' }));
		await receiver.settled();
		expect(receiver.starts).toHaveLength(1);
	});

	it('remembers the last 500 started tasks, oldest dropped, in memory and in static data', async () => {
		const staticData: IDataObject = {};
		const context = (workflowId: string) =>
			({
				getWorkflowStaticData: () => staticData,
				getWorkflow: () => ({ id: workflowId }),
				getNode: () => ({ name: 'Trigger' }),
				getMode: () => 'webhook',
			}) as never;
		const started = startedTasks(context('memory-test'));
		for (let i = 0; i <= 500; i++) {
			expect(started.claim(`n41task${i}`)).toBe(true);
			await started.record(`n41task${i}`);
		}
		expect(started.claim('n41task500')).toBe(false);
		expect(staticData.startedTaskIds).toHaveLength(500);
		expect((staticData.startedTaskIds as string[])[0]).toBe('n41task1');
		expect(started.claim('n41task0')).toBe(true);
		// After a restart only the static data remembers.
		const afterRestart = startedTasks(context('memory-test-restarted'));
		expect(afterRestart.claim('n41task250')).toBe(false);
		expect(afterRestart.claim('n41task0')).toBe(true);
	});

	it('keeps every started task in static data when callbacks of different tasks overlap, so a restart still knows them', async () => {
		const taskIds = await Promise.all([1, 2, 3, 4, 5].map(() => createTask()));
		await box.standIn.idle();
		const receiver = await startReceiver({}, { workflowId: 'overlapping-tasks' });
		// Slow API reads: every request has loaded the (empty) static data before any saves it.
		box.standIn.fault('status', { fault: { kind: 'delay', ms: 300 }, times: taskIds.length });
		const replies = await Promise.all(taskIds.map((taskId) => post(receiver.url, { task_id: taskId })));
		expect(replies.map((reply) => reply.message)).toEqual(taskIds.map(() => 'Workflow was started'));
		await receiver.settled();
		const saved = (receiver.staticData['node:Trigger Under Test'] ?? {}) as IDataObject;
		expect([...((saved.startedTaskIds as string[]) ?? [])].sort()).toEqual([...taskIds].sort());

		let restarted: typeof startedTasks = startedTasks;
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.isolateModules needs a synchronous require
		jest.isolateModules(() => ({ startedTasks: restarted } = require('../../nodes/ImageUpscaleTrigger/startedTasks')));
		expect(restarted).not.toBe(startedTasks);
		const context = {
			getWorkflowStaticData: () => structuredClone(saved),
			getWorkflow: () => ({ id: 'overlapping-tasks' }),
			getNode: () => ({ name: 'Trigger Under Test' }),
			getMode: () => 'webhook',
		} as never;
		expect(taskIds.map((taskId) => restarted(context).claim(taskId))).toEqual(taskIds.map(() => false));
	});

	it('keeps a task started before n8n saved an earlier delivery (it saves some time after webhook() returns)', async () => {
		const [first, second] = [await endedTask(), await endedTask()];
		let secondAnswered: () => void = () => {};
		const secondDone = new Promise<void>((resolve) => (secondAnswered = resolve));
		let firstSaving: () => void = () => {};
		const firstReturned = new Promise<void>((resolve) => (firstSaving = resolve));
		// The first request's save waits until the second request has started the workflow too.
		const holdSave = async (n: number) => (n === 0 ? (firstSaving(), await secondDone) : undefined);
		const receiver = await startReceiver({}, { workflowId: 'save-later', holdSave });
		const firstReply = post(receiver.url, { task_id: first });
		await firstReturned;
		expect((await post(receiver.url, { task_id: second })).message).toBe('Workflow was started');
		secondAnswered();
		expect((await firstReply).message).toBe('Workflow was started');
		await receiver.settled();
		const saved = (receiver.staticData['node:Trigger Under Test'] ?? {}) as IDataObject;
		expect([...((saved.startedTaskIds as string[]) ?? [])].sort()).toEqual([first, second].sort());
	});

	it('answers "started" only after n8n has read the static data, with the task in it, to save it', async () => {
		const taskId = await endedTask();
		let release: () => void = () => {};
		const saveHeld = new Promise<void>((resolve) => (release = resolve));
		const receiver = await startReceiver({}, { workflowId: 'answer-after-save', holdSave: async () => await saveHeld });
		let answered = false;
		const reply = post(receiver.url, { task_id: taskId }).then((r) => ((answered = true), r));
		await sleep(500);
		const answeredBeforeSave = answered;
		release();
		expect(answeredBeforeSave).toBe(false);
		expect(await reply).toMatchObject({ status: 200, message: 'Workflow was started' });
		const saved = (receiver.staticData['node:Trigger Under Test'] ?? {}) as IDataObject;
		expect(saved.startedTaskIds).toEqual([taskId]);
	});

	it('starts nothing for a redelivery to another webhook process after the first answer, however late n8n saves', async () => {
		const taskIds = await Promise.all([1, 2, 3].map(() => endedTask()));
		// Two processes (each its own memory) over one database; every save of the first one is slow.
		const store: IDataObject = {};
		const slowSave = async () => await sleep(300);
		const first = await startReceiver({}, { workflowId: 'process-a', store, holdSave: slowSave });
		const second = await startReceiver({}, { workflowId: 'process-b', store });
		for (const taskId of taskIds) {
			expect((await post(first.url, { task_id: taskId })).message).toBe('Workflow was started');
			expect((await post(second.url, { task_id: taskId })).message).toMatch(/^Ignored: this task has already started/);
		}
		await Promise.all([first.settled(), second.settled()]);
		expect([first.starts.length, second.starts.length]).toEqual([3, 0]);
	});

	it('keeps every task of overlapping deliveries when the saves commit in the other order', async () => {
		const [fast, slow] = [await endedTask(), await endedTask()];
		let secondCommitted = () => {};
		const second = new Promise<void>((resolve) => (secondCommitted = resolve));
		let commits = 0;
		// The save made first is stored last, as two database writes racing each other may be.
		const holdCommit = async () => {
			if (commits++ === 0) return await second.then(() => sleep(50));
			secondCommitted();
		};
		const receiver = await startReceiver({}, { workflowId: 'commits-reordered', holdCommit });
		box.standIn.fault('status', { fault: { kind: 'delay', ms: 300 }, times: 1 });
		const slowReply = post(receiver.url, { task_id: slow });
		await sleep(50); // the slow one's status read is the delayed one
		const replies = await Promise.all([slowReply, post(receiver.url, { task_id: fast })]);
		expect(replies.map((reply) => reply.message)).toEqual(['Workflow was started', 'Workflow was started']);
		await receiver.settled();
		expect(commits).toBe(2);
		const saved = (receiver.staticData['node:Trigger Under Test'] ?? {}) as IDataObject;
		expect([...((saved.startedTaskIds as string[]) ?? [])].sort()).toEqual([fast, slow].sort());
	});

	it('starts on a failed task with the reason the API gives', async () => {
		const receiver = await startReceiver();
		const taskId = await createTask(box.standIn.imageUrl({ outcome: 'fail' }), receiver.url);
		expect(await deliveredCallbacks(receiver)).toEqual([200]);
		expect(receiver.starts.map((start) => start.items[0].json)).toEqual([
			expect.objectContaining({ taskId, state: 'failed', imageUrl: null, error: box.standIn.task(taskId)!.error }),
		]);
	});

	it('behaves the same on the test URL ("listen for test event")', async () => {
		const receiver = await startReceiver({}, { mode: 'manual' });
		const taskId = await createTask(box.standIn.imageUrl(), receiver.url);
		expect(await deliveredCallbacks(receiver)).toEqual([200]);
		expect(receiver.starts.map((start) => start.items[0].json)).toEqual([expect.objectContaining({ taskId, state: 'succeeded' })]);
		expect(receiver.starts[0].status).toBe('success');
	});

	it('a task tried on the test URL still starts the workflow on the production URL', async () => {
		const taskId = await endedTask();
		const test = await startReceiver({}, { mode: 'manual', workflowId: 'test-then-production' });
		const production = await startReceiver({}, { workflowId: 'test-then-production' });
		expect(await post(test.url, { task_id: taskId })).toMatchObject({ status: 200, message: 'Workflow was started' });
		expect(await post(production.url, { task_id: taskId })).toMatchObject({ status: 200, message: 'Workflow was started' });
	});
});

describe('callbacks are never trusted', () => {
	const forgedSuccess = (taskId: string) => ({
		code: 200,
		message: 'success',
		data: { task_id: taskId, status: 'COMPLETED', output: { image_url: ATTACKER_URL }, error: null },
	});

	it('outputs the API failure, not the success and URL a forged callback claims', async () => {
		const taskId = await endedTask(box.standIn.imageUrl({ outcome: 'fail' }));
		const receiver = await startReceiver();
		expect(await post(receiver.url, forgedSuccess(taskId))).toMatchObject({ status: 200, message: 'Workflow was started' });
		await receiver.settled();
		expect(receiver.starts).toHaveLength(1);
		const { json } = receiver.starts[0].items[0];
		expect(json).toMatchObject({ taskId, state: 'failed', imageUrl: null });
		expect(json.error).toBe(box.standIn.task(taskId)!.error);
		expect(JSON.stringify(receiver.starts[0].items)).not.toContain('attacker.example');
	});

	it('starts nothing for that forged callback when only succeeded tasks start the workflow', async () => {
		const taskId = await endedTask(box.standIn.imageUrl({ outcome: 'fail' }));
		const receiver = await startReceiver({ events: ['succeeded'] });
		const reply = await post(receiver.url, forgedSuccess(taskId));
		expect(reply).toMatchObject({ status: 200, message: 'Ignored: the task failed, and this trigger does not start on that' });
		await receiver.settled();
		expect(receiver.starts).toHaveLength(0);
	});

	it('outputs the result URL of the API, not the one a callback names', async () => {
		const taskId = await endedTask();
		const receiver = await startReceiver();
		await post(receiver.url, forgedSuccess(taskId));
		await receiver.settled();
		expect(receiver.starts[0].items[0].json.imageUrl).toBe(box.standIn.task(taskId)!.resultUrl);
		expect(JSON.stringify(receiver.starts[0].items)).not.toContain('attacker.example');
	});

	it('answers 200 and starts nothing for a task the API does not know', async () => {
		const receiver = await startReceiver();
		expect(await post(receiver.url, { task_id: 'n41doesnotexist', status: 'COMPLETED' })).toMatchObject({
			status: 200,
			message: 'Ignored: API in One does not know this task',
		});
		await receiver.settled();
		expect(receiver.starts).toHaveLength(0);
		expect(box.standIn.log.statusReads('n41doesnotexist')).toBe(1);
	});

	it('answers 503 for a task the API still reports running, after reading it again a few times, and starts on its final callback', async () => {
		const receiver = await startReceiver();
		const taskId = await createTask(box.standIn.imageUrl({ outcome: 'never' }), receiver.url);
		const asked = recordedSleeps();
		const early = await post(receiver.url, { code: 200, data: { task_id: taskId, status: 'COMPLETED', output: ATTACKER_URL } });
		expect(early).toMatchObject({ status: 503, message: 'The task is still running according to API in One; send the callback again later' });
		expect(early.headers['retry-after']).toBe('10');
		expect(box.standIn.log.statusReads(taskId)).toBe(4);
		expect(asked).toEqual([1000, 1000, 1000]);
		await receiver.settled();
		expect(receiver.starts).toHaveLength(0);

		box.standIn.finishTask(taskId);
		expect(await deliveredCallbacks(receiver)).toEqual([200]);
		expect(receiver.starts.map((start) => start.items[0].json)).toEqual([expect.objectContaining({ taskId, state: 'succeeded' })]);
	});

	it('starts when the service calls back a moment before its status route says the task ended', async () => {
		const receiver = await startReceiver();
		box.standIn.fault('create', { kind: 'statusLag', ms: 1500 });
		const taskId = await createTask(box.standIn.imageUrl(), receiver.url);
		expect(await deliveredCallbacks(receiver)).toEqual([200]);
		expect(receiver.starts.map((start) => start.items[0].json)).toEqual([expect.objectContaining({ taskId, state: 'succeeded' })]);
		expect(box.standIn.log.statusReads(taskId)).toBeGreaterThan(1);
	});

	it('shows the key nowhere when the service echoes it in the callback, the failure reason and the raw answer', async () => {
		box.standIn.set({ echoKey: true });
		try {
			const receiver = await startReceiver({ options: { includeServiceDetails: true } });
			const taskId = await createTask(box.standIn.imageUrl({ outcome: 'fail' }), receiver.url);
			expect(await deliveredCallbacks(receiver)).toEqual([200]);
			const [json] = receiver.starts.map((start) => start.items[0].json);
			expect(json).toMatchObject({ taskId, state: 'failed', error: expect.stringContaining('Bearer aio_***') });
			expect(JSON.stringify(json.response)).toContain('Bearer aio_***');
			expect(JSON.stringify(box.standIn.log.callbacks)).toContain(box.standIn.key); // the service did echo it
		} finally {
			box.standIn.set({ echoKey: false });
		}
	});
});

describe('requests that start nothing', () => {
	it.each([
		['a body that is not JSON', 'task_id=n41abc', { 'content-type': 'text/plain' }, 'The body is not JSON'],
		['a form body', 'task_id=n41abc', { 'content-type': 'application/x-www-form-urlencoded' }, 'The body is not JSON'],
		['an empty body', '', {}, 'The body is not JSON'],
		['JSON without a task id', '{"code":200,"data":{"status":"COMPLETED"}}', { 'content-type': 'application/json' }, 'The body names no task ID'],
		['a JSON array', '[{"task_id":"n41abc"}]', { 'content-type': 'application/json' }, 'The body names no task ID'],
		['a task id that would leave the status route', '{"task_id":"../../images/tools/upscale"}', { 'content-type': 'application/json' }, 'The body names an invalid task ID'],
	])('answers 400 to %s', async (_name, body, headers, message) => {
		const receiver = await startReceiver();
		expect(await post(receiver.url, body, headers)).toEqual(expect.objectContaining({ status: 400, message }));
		await receiver.settled();
		expect(receiver.starts).toHaveLength(0);
		expect(box.standIn.log.count('status')).toBe(0);
	});

	it.each([
		['with a Content-Length', false],
		['sent chunked', true],
	])('answers 413 to a body over 1 MB %s', async (_name, chunked) => {
		const taskId = await endedTask();
		const receiver = await startReceiver();
		const body = JSON.stringify({ task_id: taskId, padding: 'x'.repeat(1024 * 1024) });
		expect(await post(receiver.url, body, { 'content-type': 'application/json' }, chunked)).toMatchObject({
			status: 413,
			message: 'The body is over 1 MB',
		});
		await receiver.settled();
		expect(receiver.starts).toHaveLength(0);
		expect(box.standIn.log.count('status')).toBe(0);
	});
});

describe('the shared secret', () => {
	const secret = 's3cret-for-callbacks';

	it.each([
		['no secret', '', {}],
		['a wrong secret in the query', '?secret=nope', {}],
		['a wrong secret in the header', '', { 'x-callback-secret': 'nope' }],
		['the secret in a header other than the one set', '', { 'x-other': secret }],
	])('answers 401 to %s and reads nothing from the API', async (_name, query, headers) => {
		const taskId = await endedTask();
		const receiver = await startReceiver({ options: { secret } });
		expect(await post(receiver.url + query, { task_id: taskId }, headers)).toMatchObject({
			status: 401,
			message: 'The callback secret is missing or wrong',
		});
		await receiver.settled();
		expect(receiver.starts).toHaveLength(0);
		expect(box.standIn.log.count('status')).toBe(0);
		expect(JSON.stringify(receiver.answers)).not.toContain(secret);
	});

	it('starts on a genuine callback whose URL carries the secret', async () => {
		const receiver = await startReceiver({ options: { secret } });
		const taskId = await createTask(box.standIn.imageUrl(), `${receiver.url}?secret=${secret}`);
		expect(await deliveredCallbacks(receiver)).toEqual([200]);
		expect(receiver.starts.map((start) => start.items[0].json.taskId)).toEqual([taskId]);
		expect(JSON.stringify(receiver.starts[0].items)).not.toContain(secret);
	});

	it('reads the secret from the header named in the options', async () => {
		const taskId = await endedTask();
		const receiver = await startReceiver({ options: { secret, headerName: 'X-Hook-Token' } });
		expect(await post(receiver.url, { task_id: taskId }, { 'x-hook-token': secret })).toMatchObject({ status: 200 });
		await receiver.settled();
		expect(receiver.starts).toHaveLength(1);
	});
});

describe('when the task cannot be read', () => {
	it('answers 503 quickly, starts nothing, and starts on a later try', async () => {
		const taskId = await endedTask();
		const receiver = await startReceiver();
		box.standIn.fault('status', { fault: { kind: 'status', status: 503 }, times: 10 });
		const reply = await post(receiver.url, { task_id: taskId });
		expect(reply).toMatchObject({ status: 503, message: 'The task could not be verified with API in One; send the callback again later' });
		expect(reply.headers['retry-after']).toBe('30');
		expect(box.standIn.log.statusReads(taskId)).toBe(2);
		await receiver.settled();
		expect(receiver.starts).toHaveLength(0);

		box.standIn.clearFaults();
		expect(await post(receiver.url, { task_id: taskId })).toMatchObject({ status: 200, message: 'Workflow was started' });
		await receiver.settled();
		expect(receiver.starts).toHaveLength(1);
	});

	it("lets the service's callback retry succeed once the API answers again", async () => {
		const receiver = await startReceiver();
		box.standIn.fault('status', { fault: { kind: 'reset' }, times: 2 });
		const taskId = await createTask(box.standIn.imageUrl(), receiver.url);
		expect(await deliveredCallbacks(receiver)).toEqual([503, 200]);
		expect(receiver.starts.map((start) => start.items[0].json.taskId)).toEqual([taskId]);
	});

	it('does not wait out a long Retry-After', async () => {
		const taskId = await endedTask();
		const receiver = await startReceiver();
		box.standIn.fault('status', { kind: 'status', status: 429, retryAfter: 30 });
		expect(await post(receiver.url, { task_id: taskId })).toMatchObject({ status: 503 });
		expect(box.standIn.log.statusReads(taskId)).toBe(1);
	});

	it('answers 503 when the API refuses the key, and never shows the key', async () => {
		const taskId = await endedTask();
		const wrongKey = 'aio_wrong_key_for_the_trigger_test';
		const receiver = await startReceiver({}, { apiKey: wrongKey });
		const reply = await post(receiver.url, { task_id: taskId });
		expect(reply.status).toBe(503);
		await receiver.settled();
		expect(receiver.starts).toHaveLength(0);
		expect(JSON.stringify(receiver.answers)).not.toContain(wrongKey);
	});
});

describe('the result file', () => {
	it('is not downloaded by the trigger: in queue mode a file made in a webhook process cannot be read later', async () => {
		const receiver = await startReceiver({ downloadResult: true, options: { outputBinaryField: 'upscaled' } });
		const taskId = await createTask(box.standIn.imageUrl(), receiver.url);
		expect(await deliveredCallbacks(receiver)).toEqual([200]);
		expect(receiver.starts[0].items.map((item) => [item.json.taskId, item.binary])).toEqual([[taskId, undefined]]);
		expect(box.standIn.log.count('file')).toBe(0);
	});
});

describe('activating the workflow', () => {
	async function activate(webhookUrl: string) {
		const warnings: string[] = [];
		const hooks = { getNodeWebhookUrl: () => webhookUrl, logger: { warn: (message: string) => warnings.push(message) } };
		const { default: methods } = new ImageUpscaleTrigger().webhookMethods;
		const exists = await methods.checkExists.call(hooks as never);
		const created = exists || (await methods.create.call(hooks as never));
		return { created, warnings };
	}

	it('warns when the production URL is one the service cannot reach', async () => {
		expect(await activate('http://localhost:5678/webhook/abc/callback')).toEqual({
			created: true,
			warnings: [
				"The API in One Trigger's production URL http://localhost:5678/webhook/abc/callback is localhost, which API in One cannot reach from the internet: its callbacks will never arrive. Set n8n's WEBHOOK_URL to the public address of your n8n (e.g. https://n8n.example.com/) so webhook and resume URLs use it.",
			],
		});
	});

	it('registers nothing with the service, and says nothing, for a public URL', async () => {
		expect(await activate('https://n8n.example.com/webhook/abc/callback')).toEqual({ created: true, warnings: [] });
		expect(box.standIn.log.entries).toHaveLength(0);
	});
});
