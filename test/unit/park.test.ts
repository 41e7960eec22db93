/* eslint-disable @n8n/community-nodes/no-restricted-globals -- dev tooling, never published: n8n's rules for community node code do not apply */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import { MAX_PARKED_ITEMS, parkBatch, type ParkSettings } from '../../nodes/ImageUpscale/park/park';
import type { ParkedBatch } from '../../nodes/ImageUpscale/park/record';
import { parkedWebhook } from '../../nodes/ImageUpscale/park/resume';
import { Batch } from '../../nodes/ImageUpscale/run/batch';
import type { Task } from '../../nodes/shared/task';
import * as transport from '../../nodes/shared/transport';
import { virtualClock } from '../clock';

// The parked batch's two halves with fake n8n contexts and the service's reads mocked: what is
// refused before anything is created, what is kept before the park, and when webhook() resumes.

const ended = (taskId: string, imageUrl = `https://cdn.example/${taskId}.png`): Task => ({
	taskId,
	state: 'succeeded',
	queued: false,
	status: 'COMPLETED',
	imageUrl,
	imageUrls: [imageUrl],
	response: {},
});
const running = (taskId: string): Task => ({ taskId, state: 'running', queued: false, status: 'IN_PROGRESS', imageUrls: [], response: {} });

/** What the service says of each task: `states[id]`, read through the mocked transport. */
function serviceSays(states: Record<string, Task>) {
	const reads: string[] = [];
	const read = async (_ctx: unknown, id: string) => {
		reads.push(id);
		const task = states[id];
		if (!task) throw Object.assign(new Error('not found'), { httpCode: '404' });
		return task;
	};
	jest.spyOn(transport, 'verifyTask').mockImplementation(read as never);
	jest.spyOn(transport, 'readWhileWaiting').mockImplementation(read as never);
	return reads;
}

let batchCount = 0;
function parked(tasks: Array<string | null>, more: Partial<ParkedBatch> = {}): ParkedBatch {
	return {
		v: 1,
		batchId: `batch-${++batchCount}`,
		startedAt: Date.now() - 1000,
		parkedAt: Date.now(),
		limitMs: 300_000,
		returnRunning: false,
		model: 'image-upscale',
		includeServiceDetails: false,
		tasks,
		ready: {},
		...more,
	};
}

interface Sent {
	status?: number;
	body?: IDataObject;
}

/** A callback or check to the parked node's webhook, as n8n hands it over. */
async function deliver(batch: ParkedBatch | undefined, body: IDataObject) {
	const sent: Sent = {};
	const ctx = {
		getNode: () => ({ name: 'Image Upscale', id: 'node-1' }),
		evaluateExpression: (expression: string) => {
			expect(expression).toBe('{{ $node["Image Upscale"].context["apiinoneParked"] }}');
			return batch as never;
		},
		getBodyData: () => body,
		getResponseObject: () => ({
			writeHead: (status: number) => (sent.status = status),
			end: (text: string) => (sent.body = JSON.parse(text) as IDataObject),
		}),
		logger: { warn: jest.fn() },
	} as unknown as IWebhookFunctions;
	const returned = await parkedWebhook.call(ctx);
	return { sent, returned, output: returned.workflowData?.[0] };
}

afterEach(() => jest.restoreAllMocks());

describe('parked batch: webhook()', () => {
	it('resumes once every task is verified ended, with one paired item per input in input order', async () => {
		const states: Record<string, Task> = { a: running('a'), b: running('b'), c: running('c') };
		const reads = serviceSays(states);
		const error = { error: 'The Image URL is empty', details: { itemIndex: 1 } };
		const batch = parked(['a', null, 'b', 'c'], { ready: { 1: error } });

		for (const id of ['c', 'a']) {
			states[id] = ended(id);
			const { sent, returned } = await deliver(batch, { data: { task_id: id, status: 'COMPLETED' } });
			expect(sent.status).toBe(200);
			expect(returned.workflowData).toBeUndefined();
		}
		states.b = ended('b');
		const last = await deliver(batch, { data: { task_id: 'b', status: 'COMPLETED' } });
		expect(last.sent.status).toBe(200);
		expect(last.output?.map((item) => [item.json.taskId ?? item.json.error, item.json.state, item.pairedItem])).toEqual([
			['a', 'succeeded', { item: 0 }],
			['The Image URL is empty', undefined, { item: 1 }],
			['b', 'succeeded', { item: 2 }],
			['c', 'succeeded', { item: 3 }],
		]);
		// Each callback's own read, then the oldest task not known to have ended.
		expect(reads).toEqual(['c', 'a', 'a', 'b', 'b']);
	});

	it('a task whose callback was lost is found by the next callback', async () => {
		const reads = serviceSays({ a: ended('a'), b: ended('b') });
		const { output } = await deliver(parked(['a', 'b']), { data: { task_id: 'b' } });
		expect(output?.map((item) => item.json.taskId)).toEqual(['a', 'b']);
		expect(reads).toEqual(['b', 'a']);
	});

	it('a callback that finds lost callbacks reads on, ten at a time, and ends the batch', async () => {
		const ids = Array.from({ length: 25 }, (_, i) => `t${i}`);
		const reads = serviceSays(Object.fromEntries(ids.map((id) => [id, ended(id)])));
		let inFlight = 0;
		let most = 0;
		jest.spyOn(transport, 'readWhileWaiting').mockImplementation((async (_ctx: unknown, id: string) => {
			most = Math.max(most, ++inFlight);
			await new Promise((resolve) => setImmediate(resolve));
			inFlight--;
			reads.push(id);
			return ended(id);
		}) as never);
		const { output } = await deliver(parked(ids), { data: { task_id: 't24' } });
		expect(output).toHaveLength(25);
		expect(reads).toHaveLength(25);
		expect(most).toBe(10);
	});

	it('takes nothing from the callback but the task id: status and result URL come from the read', async () => {
		serviceSays({ a: ended('a', 'https://cdn.example/real.png') });
		const forged = { data: { task_id: 'a', status: 'COMPLETED', output: { image_url: 'https://attacker.example/x.png' } } };
		const { output } = await deliver(parked(['a']), forged);
		expect(output?.[0].json.imageUrl).toBe('https://cdn.example/real.png');
	});

	it('ignores a task that is not one of the batch, without a read', async () => {
		const reads = serviceSays({ x: ended('x') });
		const { sent, returned } = await deliver(parked(['a']), { data: { task_id: 'x' } });
		expect([sent.status, sent.body?.message, returned.workflowData]).toEqual([200, 'Ignored: not a task of this batch', undefined]);
		expect(reads).toEqual([]);
	});

	it('asks the sender to call again when the read says the task still runs, or cannot be made', async () => {
		serviceSays({ a: running('a') });
		const batch = parked(['a', 'b']);
		const stillRunning = await deliver(batch, { data: { task_id: 'a' } });
		expect(stillRunning.sent.status).toBe(503);
		jest.spyOn(transport, 'verifyTask').mockRejectedValue(new Error('socket hang up'));
		const unreadable = await deliver(batch, { data: { task_id: 'b' } });
		expect(unreadable.sent.status).toBe(503);
		expect(unreadable.returned.workflowData).toBeUndefined();
	});

	it('a check reads the tasks not known to have ended, oldest first, and stops at a chunk still running', async () => {
		const ids = Array.from({ length: 25 }, (_, i) => `t${i}`);
		const states: Record<string, Task> = Object.fromEntries(ids.map((id) => [id, ended(id)]));
		states.t12 = running('t12');
		const reads = serviceSays(states);
		const batch = parked(ids);

		const first = await deliver(batch, { check: true });
		expect(first.sent.status).toBe(200);
		expect(first.returned.workflowData).toBeUndefined();
		expect(reads).toEqual(ids.slice(0, 20));

		states.t12 = ended('t12');
		reads.length = 0;
		const second = await deliver(batch, { check: true });
		// Only what the first check did not see ended is read again.
		expect(reads).toEqual(['t12', ...ids.slice(20)]);
		expect(second.output).toHaveLength(25);
		expect(second.output?.every((item) => item.json.state === 'succeeded')).toBe(true);
	});

	it('past the wait limit it reads every task left and outputs the running ones as running, with an error unless asked to return them', async () => {
		serviceSays({ a: ended('a'), b: running('b') });
		const limitPassed = { parkedAt: Date.now() - 301_000 };
		const failing = await deliver(parked(['a', 'b'], limitPassed), { check: true });
		expect(failing.output?.map((item) => [item.json.state, item.json.error])).toEqual([
			['succeeded', null],
			['running', 'The task was still running after 300 seconds. Fetch it later with Task -> Get.'],
		]);
		const returning = await deliver(parked(['a', 'b'], { ...limitPassed, returnRunning: true }), { check: true });
		expect(returning.output?.map((item) => [item.json.state, item.json.error])).toEqual([
			['succeeded', null],
			['running', null],
		]);
	});

	it('a failed read stops the sweep without resuming; the next check goes on', async () => {
		serviceSays({ a: ended('a') });
		jest.spyOn(transport, 'readWhileWaiting').mockResolvedValueOnce({ error: new Error('HTTP 502') });
		const batch = parked(['a']);
		expect((await deliver(batch, { check: true })).returned.workflowData).toBeUndefined();
		expect((await deliver(batch, { check: true })).output).toHaveLength(1);
	});

	it('forgets the oldest batches past 100,000 remembered tasks, and reads what it forgot again', async () => {
		const ids = (prefix: string) => Array.from({ length: 60_000 }, (_, i) => `${prefix}${i}`);
		const reads = serviceSays({ x0: ended('x0'), x1: running('x1'), y0: ended('y0'), y1: running('y1') });
		const [x, y] = [parked(ids('x')), parked(ids('y'))];
		await deliver(x, { data: { task_id: 'x0' } });
		await deliver(y, { data: { task_id: 'y0' } });
		reads.length = 0;
		// x0's callback again: had x been remembered, only x1 would be read.
		await deliver(x, { data: { task_id: 'x0' } });
		expect(reads).toEqual(['x0', 'x1']);
	});

	it('answers a call to a node with no parked batch without reading', async () => {
		const reads = serviceSays({});
		const { sent } = await deliver(undefined, { check: true });
		expect([sent.status, reads]).toEqual([200, []]);
	});
});

interface ParkRun {
	resumeUrl?: string;
	baseUrl?: string;
	items?: number;
	settings?: Partial<ParkSettings>;
	created?: (index: number) => INodeExecutionData;
}

const settingsOf = (more: Partial<ParkSettings> = {}): ParkSettings => ({
	callbacks: true,
	checkEveryMs: 30_000,
	limitMs: 300_000,
	returnRunning: false,
	model: 'image-upscale',
	includeServiceDetails: false,
	...more,
});

/** Runs the execute() half with a fake context; records the order of what it did. */
async function park(run: ParkRun = {}) {
	const steps: string[] = [];
	const context: IDataObject = {};
	const posts: string[] = [];
	const ctx = {
		getNode: () => ({ name: 'Image Upscale', id: 'node-1' }),
		getInputData: () => Array.from({ length: run.items ?? 2 }, () => ({ json: {} })),
		evaluateExpression: () => run.resumeUrl ?? 'https://n8n.example/webhook-waiting/12?signature=abc123',
		getCredentials: async () => ({ apiKey: 'key', baseUrl: run.baseUrl ?? 'https://apiin.one' }),
		getContext: () => context,
		putExecutionToWait: async () => steps.push(`parked with ${JSON.stringify((context.apiinoneParked as ParkedBatch | undefined)?.tasks)}`),
		helpers: {
			// n8n's answers: running until the execution is saved as waiting, then 200, then finished.
			httpRequest: async (options: { url: string }) => {
				posts.push(options.url);
				const answers = [
					{ statusCode: 409, body: { message: 'The execution "12" is running already.' } },
					{ statusCode: 200, body: { message: 'Received; checking the batch' } },
				];
				return answers[posts.length - 1] ?? { statusCode: 409, body: { message: 'The execution "12 has finished already.' } };
			},
		},
		logger: { warn: jest.fn() },
	} as unknown as IExecuteFunctions;
	const batch = new Batch();
	const createAll = jest.fn(async () => {
		steps.push(`created with callback ${batch.park?.callbackUrl}`);
		return ctx.getInputData().map((_, index) => run.created?.(index) ?? { json: { taskId: `task-${index}`, state: 'parked' }, pairedItem: { item: index } });
	});
	const result = parkBatch(ctx, batch, settingsOf(run.settings), createAll);
	return { result, steps, context, posts, createAll };
}

describe('parked batch: execute()', () => {
	it('creates with the resume URL of this node, keeps the ids in the context, then parks', async () => {
		const clock = virtualClock();
		const { result, steps, posts } = await park();
		const items = await result;
		const callback = 'https://n8n.example/webhook-waiting/12/node-1?signature=abc123';
		expect(steps).toEqual([`created with callback ${callback}`, 'parked with ["task-0","task-1"]']);
		expect(items.map((item) => item.json)).toEqual([
			{ taskId: 'task-0', state: 'parked', checkUrl: callback },
			{ taskId: 'task-1', state: 'parked' },
		]);
		// The checker asks the batch's webhook as soon as n8n has saved it as waiting, then every
		// 30 s, and stops once n8n says the execution has finished.
		for (let i = 0; i < 20 && posts.length < 3; i++) await new Promise((resolve) => setImmediate(resolve));
		expect(posts).toEqual([callback, callback, callback]);
		expect(clock.sleeps).toEqual([2000, 2000, 30_000]);
	});

	it('refuses n8n 1.x (a resume URL without a token) before creating anything', async () => {
		const { result, createAll } = await park({ resumeUrl: 'http://localhost:5678/webhook-waiting/12' });
		await expect(result).rejects.toThrow('Park the Execution needs n8n 2.0 or later');
		expect(createAll).not.toHaveBeenCalled();
	});

	it(`refuses more than ${MAX_PARKED_ITEMS} items before creating anything`, async () => {
		const { result, createAll } = await park({ items: MAX_PARKED_ITEMS + 1 });
		await expect(result).rejects.toThrow(`A parked batch holds at most ${MAX_PARKED_ITEMS} images; this one has ${MAX_PARKED_ITEMS + 1}`);
		expect(createAll).not.toHaveBeenCalled();
	});

	it('refuses callbacks to a local n8n from a service on the internet, but not checks only, nor a local service', async () => {
		const local = 'http://localhost:5678/webhook-waiting/12?signature=abc123';
		const refused = await park({ resumeUrl: local });
		await expect(refused.result).rejects.toThrow("API in One cannot reach this n8n's resume URL http://localhost:5678/webhook-waiting/12/node-1 (localhost)");
		expect(refused.createAll).not.toHaveBeenCalled();

		virtualClock();
		const checksOnly = await park({ resumeUrl: local, settings: { callbacks: false } });
		await checksOnly.result;
		expect(checksOnly.steps[0]).toBe('created with callback undefined');
		const localService = await park({ resumeUrl: local, baseUrl: 'http://127.0.0.1:9000' });
		await expect(localService.result).resolves.toHaveLength(2);
	});

	it('does not park when no item has a task to wait for: the errors are the output', async () => {
		const failed = (index: number) => ({ json: { error: 'refused', details: { itemIndex: index } }, pairedItem: { item: index } });
		const { result, steps } = await park({ created: failed });
		expect((await result).map((item) => item.json.error)).toEqual(['refused', 'refused']);
		expect(steps).toEqual(['created with callback https://n8n.example/webhook-waiting/12/node-1?signature=abc123']);
	});
});
