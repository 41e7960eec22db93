/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { recordedSleeps } from '../clock';
import { runNode, startNode, type RunResult } from '../harness/engine';
import { until, visibleText } from '../helpers';

/**
 * The contract's "What is never trusted" rows about API calls: a body that trickles or never ends,
 * a JSON answer of megabytes or deep nesting, a redirect to another host. A small local server
 * plays the hostile service; the calls go through the real n8n engine and the shared transport.
 */

const KEY = 'aio_hostile_test_key_0123456789';
const TASK = 'n41hostiletask';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface Seen {
	method?: string;
	url?: string;
	authorization?: string;
}

async function listen(handler: () => Handler, seen: Seen[]) {
	const sockets = new Set<import('node:net').Socket>();
	const server = http.createServer((req, res) => {
		seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
		req.resume();
		handler()(req, res);
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		host: `127.0.0.1:${port}`,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

let behave: Handler = () => {};
const seen: Seen[] = [];
const elsewhereSeen: Seen[] = [];
let service: Awaited<ReturnType<typeof listen>>;
let elsewhere: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
	service = await listen(() => behave, seen);
	elsewhere = await listen(() => (_req, res) => res.end(JSON.stringify({ code: 200, data: { task_id: TASK, status: 'SUCCESS' } })), elsewhereSeen);
});
afterAll(async () => {
	await service.close();
	await elsewhere.close();
});
beforeEach(() => {
	seen.length = 0;
	elsewhereSeen.length = 0;
	recordedSleeps(); // back-offs between tries take no time; the deadlines under test do
});

const json = (res: http.ServerResponse, body: string) => {
	res.writeHead(200, { 'Content-Type': 'application/json' });
	res.end(body);
};

/** Headers at once, then one byte every 100 ms, for ever: each byte restarts an idle time-out. */
const trickle: Handler = (_req, res) => {
	res.writeHead(200, { 'Content-Type': 'application/json' });
	res.write('{');
	const timer = setInterval(() => res.write(' '), 100);
	res.on('close', () => clearInterval(timer));
};

const huge = () => JSON.stringify({ code: 200, data: { task_id: TASK, status: 'RUNNING', padding: 'x'.repeat(2_000_000) } });
const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

const credentials = () => ({ apiInOneApi: { apiKey: KEY, baseUrl: service.url } });

async function probe(call: string, timeoutMs = 0): Promise<RunResult> {
	const body = JSON.stringify({ model: 'image-upscale', image: 'https://example.com/a.png' });
	const result = await runNode({ node: { type: 'test.probe', parameters: { call, body, taskId: TASK, timeoutMs } as never }, credentials: credentials() });
	expect(visibleText(result)).not.toContain(KEY);
	return result;
}

const MAYBE_CREATED = 'The create request failed and the task may have been created';
const failedRead = (result: RunResult) => result.items[0]?.json as { failedRead?: string; description?: string };

describe('a body that trickles ends at the call deadline', () => {
	it('a status read: every try ends at its deadline, then the call fails as timed out', async () => {
		behave = trickle;
		const started = Date.now();
		const result = await probe('get', 600);
		expect(result.error?.message).toBe('The API in One service could not be reached after 4 attempts');
		expect(result.error?.description).toBe('The request timed out.');
		expect(seen).toHaveLength(4);
		// 4 tries of 0.6 s and back-offs of up to 3.5 s: bounded, where a trickle would run forever.
		expect(Date.now() - started).toBeLessThan(12_000);
	}, 20_000);

	it('a read while waiting: one try, returned to the wait as a failure that may pass', async () => {
		behave = trickle;
		const result = await probe('waitRead', 600);
		expect(result.error).toBeUndefined();
		expect(failedRead(result)).toMatchObject({ failedRead: 'The API in One service could not be reached', description: 'The request timed out.' });
		expect(seen).toHaveLength(1);
	}, 15_000);

	it("a trigger's verification read", async () => {
		behave = trickle;
		const started = Date.now();
		const result = await probe('verify', 600);
		expect(result.error?.message).toBe('The API in One service could not be reached after 2 attempts');
		expect(seen).toHaveLength(2);
		expect(Date.now() - started).toBeLessThan(5000);
	}, 15_000);

	it('a create is not sent again, and says the task may have been created', async () => {
		behave = trickle;
		const result = await probe('create', 600);
		expect(result.error?.message).toBe(MAYBE_CREATED);
		expect(result.error?.description).toContain('The request timed out');
		expect(seen).toHaveLength(1);
	}, 15_000);

	it('Stop still stops a trickling read at once', async () => {
		behave = trickle;
		const started = Date.now();
		const running = startNode({ node: { type: 'test.probe', parameters: { call: 'get', taskId: TASK } }, credentials: credentials() });
		await until(() => seen.length === 1);
		running.cancel();
		expect((await running.result).status).toBe('canceled');
		expect(Date.now() - started).toBeLessThan(3000);
		expect(seen).toHaveLength(1);
	}, 15_000);
});

describe('an answer too large or too deep is refused before it is parsed', () => {
	it('a create answered with megabytes: not sent again, the task may have been created', async () => {
		behave = (_req, res) => json(res, huge());
		const result = await probe('create');
		expect(result.error?.message).toBe(MAYBE_CREATED);
		expect(result.error?.description).toContain('larger than 1 MB');
		expect(seen).toHaveLength(1);
	});

	it('a status read answered with megabytes', async () => {
		behave = (_req, res) => json(res, huge());
		const result = await probe('get');
		expect(result.error?.message).toBe('The service sent an answer larger than 1 MB after 4 attempts');
	});

	it('a status read answered with JSON nested 100 000 deep', async () => {
		behave = (_req, res) => json(res, deep(100_000));
		const result = await probe('get');
		expect(result.error?.message).toBe('The service sent JSON nested deeper than 64 levels after 4 attempts');
	});

	it('a create answered with JSON nested 65 deep: not sent again', async () => {
		behave = (_req, res) => json(res, `{"code":200,"data":{"task_id":"${TASK}","x":${deep(63)}}}`);
		const result = await probe('create');
		expect(result.error?.message).toBe(MAYBE_CREATED);
		expect(result.error?.description).toContain('nested deeper than 64 levels');
		expect(seen).toHaveLength(1);
	});

	it('64 levels, brackets inside strings and an answer just under the cap pass', async () => {
		const padding = '[{'.repeat(1000) + 'x'.repeat(900_000);
		behave = (_req, res) => json(res, `{"code":200,"data":{"task_id":"${TASK}","status":"RUNNING","p":${JSON.stringify(padding)},"x":${deep(62)}}}`);
		const result = await probe('get');
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ taskId: TASK, state: 'running' });
	});
});

describe('a redirect never takes the API key to another host', () => {
	const redirect: Handler = (_req, res) => {
		res.writeHead(302, { Location: `${elsewhere.url}/api/v1/tasks/${TASK}` });
		res.end();
	};

	it('a status read answered with 302 to another host: not followed, a final error naming the host', async () => {
		behave = redirect;
		const result = await probe('get');
		expect(elsewhereSeen.filter((s) => s.authorization !== undefined)).toEqual([]);
		expect(elsewhereSeen).toHaveLength(0);
		expect(result.error?.message).toBe(`The service answered with a redirect to ${elsewhere.host}`);
		expect(result.error?.description).toBe(`Set the credential's Base URL to the address it redirects to, if you trust it.`);
		expect(seen).toHaveLength(1);
	});

	it('a create answered with 303: not followed, not sent again', async () => {
		behave = (_req, res) => {
			res.writeHead(303, { Location: `${elsewhere.url}/tasks/${TASK}` });
			res.end();
		};
		const result = await probe('create');
		expect(elsewhereSeen).toHaveLength(0);
		expect(result.error?.message).toBe(MAYBE_CREATED);
		expect(result.error?.description).toContain(`The service answered with a redirect to ${elsewhere.host}`);
		expect(seen).toHaveLength(1);
	});
});
