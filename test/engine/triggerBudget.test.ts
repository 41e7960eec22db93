/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- dev tooling, never published: n8n's rules for community node code do not apply */
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { IDataObject } from 'n8n-workflow';

import { ImageUpscaleTrigger } from '../../nodes/ImageUpscaleTrigger/ImageUpscaleTrigger.node';
import { EVERY_SENDER, ONE_SENDER } from '../../nodes/ImageUpscaleTrigger/verifyBudget';
import { parseTask } from '../../nodes/shared/task';
import { registerNode, runWebhook, type RunResult } from '../harness/engine';
import { virtualClock } from '../clock';
import { credentialsFor, useStandIn } from '../helpers';

// Forged callbacks naming task ids the trigger has never seen, without a secret: what they may cost
// the account in status reads. Senders are told apart by their address: Linux routes all of
// 127.0.0.0/8 to loopback, so a client bound to 127.0.0.2 is "another sender" than the stand-in.

const TRIGGER = 'n8n-nodes-apiinone.imageUpscaleTrigger';
registerNode(TRIGGER, new ImageUpscaleTrigger());

const box = useStandIn({ processingMs: 100 });

interface Receiver {
	url: string;
	starts: RunResult[];
	settled(): Promise<void>;
	close(): Promise<void>;
}

let receiverCount = 0;

/** Receives requests as n8n's webhook server does (body bytes in rawBody, JSON parsed), for one workflow. */
async function startReceiver(): Promise<Receiver> {
	const staticData: IDataObject = {};
	const workflowId = `budget-${receiverCount++}`;
	const starts: RunResult[] = [];
	const pending = new Set<Promise<void>>();
	const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks);
		Object.assign(req, { rawBody, body: JSON.parse(rawBody.toString('utf8')), query: {}, params: {}, readRawBody: async () => {} });
		const outcome = await runWebhook({
			node: { type: TRIGGER, parameters: {} },
			credentials: credentialsFor(box.standIn),
			staticData,
			workflowId,
			request: req,
			response: res,
		});
		if (outcome.started) starts.push(outcome.started);
	};
	const server = http.createServer((req, res) => {
		const work = handle(req, res).catch((error) => void (res.headersSent || res.writeHead(500).end(String(error))));
		pending.add(work);
		void work.finally(() => pending.delete(work));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return {
		url: `http://127.0.0.1:${port}/webhook/trigger-webhook-id/callback`,
		starts,
		settled: async () => {
			while (pending.size) await Promise.all([...pending]);
		},
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

const receivers: Receiver[] = [];
afterEach(async () => {
	for (const receiver of receivers.splice(0)) {
		await receiver.settled();
		await receiver.close();
	}
});
const receiver = async () => receivers[receivers.push(await startReceiver()) - 1];

interface Reply {
	status: number;
	message: string;
	retryAfter?: string;
}

const agents = new Map<string, http.Agent>();
/** One keep-alive agent per source address, so a flood does not pay a connection per request. */
const agentFrom = (address: string) =>
	agents.get(address) ?? agents.set(address, new http.Agent({ keepAlive: true, maxSockets: 64 })).get(address)!;
afterAll(() => agents.forEach((agent) => agent.destroy()));

/** POSTs a callback naming `taskId` from the source address `from`. */
function post(url: string, taskId: string, from = '127.0.0.1'): Promise<Reply> {
	const text = JSON.stringify({ code: 200, data: { task_id: taskId, status: 'COMPLETED' } });
	return new Promise((resolve, reject) => {
		const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
		const req = http.request(url, { method: 'POST', headers, localAddress: from, agent: agentFrom(from) }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => {
				const { message } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message: string };
				const retryAfter = res.headers['retry-after'] as string | undefined;
				resolve({ status: res.statusCode ?? 0, message, ...(retryAfter ? { retryAfter } : {}) });
			});
		});
		req.on('error', reject);
		req.end(text);
	});
}

/** Tasks created on the stand-in and ended, as the service's own callbacks would name them. */
async function endedTasks(count: number): Promise<string[]> {
	const taskIds = await Promise.all(
		Array.from({ length: count }, async () => {
			const response = await fetch(`${box.standIn.url}/api/v1/images/tools/upscale`, {
				method: 'POST',
				headers: { authorization: `Bearer ${box.standIn.key}`, 'content-type': 'application/json' },
				body: JSON.stringify({ model: 'image-upscale', image: box.standIn.imageUrl() }),
			});
			return parseTask(await response.json()).taskId!;
		}),
	);
	await box.standIn.idle();
	box.standIn.log.clear();
	return taskIds;
}
const endedTask = async () => (await endedTasks(1))[0];

const forgedId = (n: number) => `n41forged${n}x${Math.random().toString(36).slice(2, 8)}`;
const UNKNOWN = 'Ignored: API in One does not know this task';

describe('forged callbacks without a secret', () => {
	it('get a verification read only within the budget; past it 429 with Retry-After, no read, no start', async () => {
		const time = virtualClock();
		const url = (await receiver()).url;
		const replies: Reply[] = [];
		for (let n = 0; n < ONE_SENDER.burst + 5; n++) replies.push(await post(url, forgedId(n), '127.0.0.2'));
		expect(replies.slice(0, ONE_SENDER.burst).map((reply) => reply.message)).toEqual(Array(ONE_SENDER.burst).fill(UNKNOWN));
		expect(replies.slice(ONE_SENDER.burst)).toEqual(Array(5).fill({ status: 429, message: expect.stringMatching(/too many/i), retryAfter: '1' }));
		expect(box.standIn.log.count('status')).toBe(ONE_SENDER.burst);

		// A second later the sender has a second's worth of reads again.
		time.advance(1000);
		const later = [];
		for (let n = 0; n < ONE_SENDER.perSecond + 1; n++) later.push((await post(url, forgedId(100 + n), '127.0.0.2')).status);
		expect(later).toEqual([...Array(ONE_SENDER.perSecond).fill(200), 429]);
		expect(box.standIn.log.count('status')).toBe(ONE_SENDER.burst + ONE_SENDER.perSecond);
	});

	it('naming a task the API did not know is answered again without a read', async () => {
		const url = (await receiver()).url;
		const taskId = forgedId(0);
		expect(await post(url, taskId, '127.0.0.2')).toEqual({ status: 200, message: UNKNOWN });
		expect(await post(url, taskId, '127.0.0.3')).toEqual({ status: 200, message: UNKNOWN });
		expect(box.standIn.log.statusReads(taskId)).toBe(1);
	});

	it('from one address do not spend the budget of another: the service is still verified and started at once', async () => {
		virtualClock();
		const r = await receiver();
		const taskId = await endedTask();
		for (let n = 0; n < ONE_SENDER.burst + 10; n++) await post(r.url, forgedId(n), '127.0.0.2');
		expect(await post(r.url, taskId, '127.0.0.1')).toEqual({ status: 200, message: 'Workflow was started' });
		await r.settled();
		expect(r.starts.map((start) => start.items[0].json.taskId)).toEqual([taskId]);
	});

	it('from many addresses stop at the ceiling for every sender together', async () => {
		virtualClock();
		const url = (await receiver()).url;
		const senders = Math.ceil(EVERY_SENDER.burst / ONE_SENDER.burst) + 2;
		const statuses: number[] = [];
		for (let s = 0; s < senders; s++) {
			for (let n = 0; n < ONE_SENDER.burst; n++) statuses.push((await post(url, forgedId(n), `127.0.1.${s + 1}`)).status);
		}
		expect(box.standIn.log.count('status')).toBe(EVERY_SENDER.burst);
		expect(statuses.filter((status) => status === 429)).toHaveLength(senders * ONE_SENDER.burst - EVERY_SENDER.burst);
	});
});

describe('genuine callbacks', () => {
	it('that start the workflow give their reads back: a burst of them from the service is not refused', async () => {
		virtualClock();
		const r = await receiver();
		const taskIds = await endedTasks(ONE_SENDER.burst + 10);
		const replies = [];
		for (const taskId of taskIds) replies.push(await post(r.url, taskId, '127.0.0.1'));
		expect(replies.map((reply) => reply.message)).toEqual(taskIds.map(() => 'Workflow was started'));
		await r.settled();
		expect(r.starts).toHaveLength(taskIds.length);
	});

	it('50 at once from a new address (a batch ending together) all start', async () => {
		const r = await receiver();
		const taskIds = await endedTasks(50);
		const replies = await Promise.all(taskIds.map((taskId) => post(r.url, taskId, '127.0.0.5')));
		expect(replies.map((reply) => reply.message)).toEqual(taskIds.map(() => 'Workflow was started'));
		await r.settled();
		expect(r.starts).toHaveLength(50);
	});

	it('from an address that started the workflow before are not held back by forgers from many addresses', async () => {
		virtualClock();
		const r = await receiver();
		const [first, second] = await endedTasks(2);
		expect((await post(r.url, first, '127.0.0.1')).message).toBe('Workflow was started');
		const senders = Math.ceil(EVERY_SENDER.burst / ONE_SENDER.burst) + 1;
		for (let s = 0; s < senders; s++) {
			for (let n = 0; n < ONE_SENDER.burst; n++) await post(r.url, forgedId(n), `127.0.2.${s + 1}`);
		}
		expect((await post(r.url, forgedId(0), '127.0.2.200')).status).toBe(429);
		expect(await post(r.url, second, '127.0.0.1')).toEqual({ status: 200, message: 'Workflow was started' });
		await r.settled();
		expect(r.starts).toHaveLength(2);
	});
});

describe('a flood of 10,000 forged callbacks for distinct ids', () => {
	const FORGED = 10_000;
	const CONCURRENT = 50;
	const FORGERS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];

	it('costs a bounded number of status reads, starts nothing, and does not hold back a genuine callback', async () => {
		const r = await receiver();
		const genuineId = await endedTask();
		const replies = new Map<string, Reply>();
		let genuine: { reply: Reply; ms: number } | undefined;
		const sendGenuine = async () => {
			const sentAt = performance.now();
			const reply = await post(r.url, genuineId, '127.0.0.1');
			genuine = { reply, ms: performance.now() - sentAt };
		};

		const startedAt = performance.now();
		let genuineSent: Promise<void> | undefined;
		for (let batch = 0; batch < FORGED / CONCURRENT; batch++) {
			if (batch === FORGED / CONCURRENT / 2) genuineSent = sendGenuine();
			const ids = Array.from({ length: CONCURRENT }, (_, i) => forgedId(batch * CONCURRENT + i));
			const answered = await Promise.all(ids.map((id, i) => post(r.url, id, FORGERS[i % FORGERS.length])));
			ids.forEach((id, i) => replies.set(id, answered[i]));
		}
		await genuineSent;
		const seconds = (performance.now() - startedAt) / 1000;
		await r.settled();

		const reads = box.standIn.log.count('status');
		const forgedReads = reads - box.standIn.log.statusReads(genuineId);
		const bySenders = FORGERS.length * (ONE_SENDER.burst + ONE_SENDER.perSecond * Math.ceil(seconds));
		const byCeiling = EVERY_SENDER.burst + EVERY_SENDER.perSecond * Math.ceil(seconds);
		const statuses = [...replies.values()].map((reply) => reply.status);
		process.stdout.write(
			`${FORGED} forged callbacks from ${FORGERS.length} addresses in ${seconds.toFixed(1)} s: ${forgedReads} status reads ` +
				`(bound ${Math.min(bySenders, byCeiling)}), ${statuses.filter((s) => s === 429).length} answered 429; ` +
				`the genuine callback in the middle answered ${genuine?.reply.status} in ${genuine?.ms.toFixed(0)} ms\n`,
		);

		expect(forgedReads).toBeLessThanOrEqual(Math.min(bySenders, byCeiling));
		expect(new Set(statuses)).toEqual(new Set([200, 429]));
		expect([...replies.values()].filter((reply) => reply.status === 200).length).toBe(forgedReads);
		expect([...replies.values()].every((reply) => reply.status === 200 || Number(reply.retryAfter) >= 1)).toBe(true);
		expect(genuine?.reply).toEqual({ status: 200, message: 'Workflow was started' });
		expect(r.starts.map((start) => start.items[0].json.taskId)).toEqual([genuineId]);

		// The ids the API did not know are remembered: naming them again costs nothing.
		const known = [...replies].filter(([, reply]) => reply.status === 200).slice(0, 5).map(([id]) => id);
		box.standIn.log.clear();
		for (const id of known) expect(await post(r.url, id, '127.0.0.9')).toEqual({ status: 200, message: UNKNOWN });
		expect(box.standIn.log.count('status')).toBe(0);
	}, 120_000);
});
