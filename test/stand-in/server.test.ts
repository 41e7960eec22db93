/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import sharp from 'sharp';
import { request } from 'undici';
import { gunzipSync } from 'node:zlib';
import { RateLimit, retryAfterHeader } from './rate';
import { startStandIn, type StandIn, type StandInOptions } from './server';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
	await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function start(options: StandInOptions = {}): Promise<StandIn> {
	const s = await startStandIn({ processingMs: 60, ...options });
	cleanups.push(() => s.close());
	return s;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed JSON body, read field by field by the assertions
type Json = any;

interface Answer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	json: Json;
}

async function call(s: StandIn, method: 'GET' | 'POST', path: string, opts: { body?: unknown; key?: string | null } = {}): Promise<Answer> {
	const key = opts.key === undefined ? s.key : opts.key;
	const headers: Record<string, string> = {};
	if (key) headers.authorization = `Bearer ${key}`;
	if (opts.body !== undefined) headers['content-type'] = 'application/json';
	const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
	const res = await request(s.url + path, { method, headers, body });
	const text = await res.body.text();
	let json: Json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.statusCode, headers: res.headers, text, json };
}

const create = (s: StandIn, body: Record<string, unknown> = {}, tool = 'upscale'): Promise<Answer> =>
	call(s, 'POST', `/api/v1/images/tools/${tool}`, { body: { model: 'image-upscale', image: s.imageUrl(), ...body } });
const status = (s: StandIn, id: string): Promise<Answer> => call(s, 'GET', `/api/v1/tasks/${id}`);

async function settle(s: StandIn, id: string, done = ['COMPLETED', 'FAILED']): Promise<Json> {
	for (let i = 0; i < 250; i++) {
		const { json } = await status(s, id);
		if (done.includes(json.data.status)) return json;
		await new Promise((r) => setTimeout(r, 20));
	}
	throw new Error(`task ${id} did not settle`);
}

async function fetchBytes(url: string): Promise<{ status: number; type: unknown; length: unknown; buf: Buffer }> {
	const res = await request(url);
	const buf = Buffer.from(await res.body.arrayBuffer());
	return { status: res.statusCode, type: res.headers['content-type'], length: res.headers['content-length'], buf };
}

async function receiver(statuses: number[] = []): Promise<{ url: string; got: Json[] }> {
	const got: Json[] = [];
	const srv = http.createServer((req, res) => {
		let text = '';
		req.on('data', (c) => (text += c));
		req.on('end', () => {
			got.push(text.startsWith('{') && text.endsWith('}') ? JSON.parse(text) : text);
			res.statusCode = statuses.shift() ?? 200;
			res.end();
		});
	});
	await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
	cleanups.push(() => new Promise((r) => (srv.closeAllConnections(), srv.close(r))));
	return { url: `http://127.0.0.1:${(srv.address() as { port: number }).port}/hook?x=1`, got };
}

describe('auth and validation', () => {
	test('API routes need a known key; it is never echoed nor logged', async () => {
		const s = await start({ keys: ['aio_secret_one', 'aio_secret_two'] });
		expect(s.key).toBe('aio_secret_one');
		for (const key of [null, 'aio_wrong']) {
			const r = await call(s, 'POST', '/api/v1/images/tools/upscale', { key, body: { model: 'm', image: s.imageUrl() } });
			expect(r).toMatchObject({ status: 401, json: { code: 401, message: 'Invalid API key' } });
			expect((await call(s, 'GET', '/api/v1/tasks/n41abc', { key })).status).toBe(401);
		}
		expect((await call(s, 'GET', '/api/v1/tasks/n41abc', { key: 'aio_secret_two' })).status).toBe(404);
		expect((await fetchBytes(s.imageUrl())).status).toBe(200);
		expect(JSON.stringify(s.log.entries)).not.toContain('aio_secret');
		expect(s.tasks()).toHaveLength(0);
	});

	test('bad bodies get 400 or 422 and create nothing', async () => {
		const s = await start();
		const post = (body: unknown): Promise<Answer> => call(s, 'POST', '/api/v1/images/tools/upscale', { body });
		const img = s.imageUrl();
		expect((await post('{not json')).status).toBe(400);
		expect(await post({ image: img })).toMatchObject({ status: 400, json: { message: 'model is required' } });
		expect((await post({ model: 7, image: img })).json.message).toBe('model is required');
		expect(await post({ model: 'm' })).toMatchObject({ status: 400, json: { message: 'image is required' } });
		for (const image of ['ftp://x/y.png', 'not a url', 'data:text/plain;base64,AAAA', 42]) {
			expect((await post({ model: 'm', image })).status).toBe(422);
		}
		expect((await post({ model: 'm', image: img, callback_url: 'mailto:a@b' })).status).toBe(422);
		for (const scale of [0.5, 5, 'big']) expect((await post({ model: 'm', image: img, scale })).status).toBe(422);
		expect(s.tasks()).toHaveLength(0);
		expect(s.log.count('create', (e) => e.status >= 400)).toBe(12);
	});

	test('a body over 30 MB gets 413', async () => {
		const s = await start();
		const huge = JSON.stringify({ model: 'm', image: 'data:image/png;base64,' + 'A'.repeat(31 * 1024 * 1024) });
		expect((await call(s, 'POST', '/api/v1/images/tools/upscale', { body: huge })).status).toBe(413);
		expect(s.log.entries[0].body).toBeUndefined();
	});
});

describe('task flow', () => {
	test('create -> running -> succeeded with a real 2x result', async () => {
		const s = await start({ processingMs: 200 });
		const created = await create(s, { image: s.imageUrl({ width: 40, height: 30, format: 'jpeg' }) });
		expect(created.status).toBe(200);
		expect(created.json).toMatchObject({ code: 200, message: 'success', data: { status: 'IN_PROGRESS' } });
		const id = created.json.data.task_id;
		expect(id).toMatch(/^n41[a-z0-9]{10}$/);
		expect((await status(s, id)).json.data.status).toBe('IN_PROGRESS');
		const done = await settle(s, id);
		expect(done.data.status).toBe('COMPLETED');
		const url = done.data.output.image_url;
		expect(url).toBe(`${s.url}/files/${id}.jpg`);
		const file = await fetchBytes(url);
		expect(file).toMatchObject({ status: 200, type: 'image/jpeg', length: String(file.buf.length) });
		expect(await sharp(file.buf).metadata()).toMatchObject({ width: 80, height: 60, format: 'jpeg' });
		expect(s.task(id)).toMatchObject({ state: 'succeeded', scale: 2, inputWidth: 40, outputWidth: 80, resultUrl: url });
	});

	test('the same picture twice: the same result bytes in two files', async () => {
		const s = await start();
		const image = s.imageUrl({ width: 30, height: 20, name: 'twice' });
		const [a, b] = await Promise.all([create(s, { image }), create(s, { image })]);
		const [doneA, doneB] = await Promise.all([settle(s, a.json.data.task_id), settle(s, b.json.data.task_id)]);
		const [fileA, fileB] = await Promise.all([fetchBytes(doneA.data.output.image_url), fetchBytes(doneB.data.output.image_url)]);
		expect(doneA.data.output.image_url).not.toBe(doneB.data.output.image_url);
		expect(fileA.buf.equals(fileB.buf)).toBe(true);
		expect(await sharp(fileB.buf).metadata()).toMatchObject({ width: 60, height: 40 });
		const tripled = await settle(s, (await create(s, { image, scale: 3 })).json.data.task_id);
		expect(await sharp((await fetchBytes(tripled.data.output.image_url)).buf).metadata()).toMatchObject({ width: 90, height: 60 });
	});

	test('data URL input, per-task scale, another tool route', async () => {
		const s = await start();
		const png = await s.image({ width: 10, height: 8, format: 'webp' });
		const image = `data:image/webp;base64,${png.toString('base64')}`;
		const created = await create(s, { model: 'bg-remover', image, scale: 3 }, 'remove-bg');
		const done = await settle(s, created.json.data.task_id);
		const out = await fetchBytes(done.data.output.image_url);
		expect(await sharp(out.buf).metadata()).toMatchObject({ width: 30, height: 24, format: 'webp' });
		expect(s.log.bodies('create')[0]).toMatchObject({ model: 'bg-remover', image: expect.stringMatching(/^data:image\/webp;base64,…\(\d+ chars\)$/) });
	});

	test('input failures end the task FAILED with a reason', async () => {
		const s = await start();
		const cases = [
			[s.imageUrl({ outcome: 'fail' }), 'The image could not be processed'],
			[`${s.url}/images/missing`, 'Could not download the image: HTTP 404'],
			[`data:image/png;base64,${Buffer.from('hello').toString('base64')}`, 'The input is not a valid image'],
		];
		for (const [image, reason] of cases) {
			const done = await settle(s, (await create(s, { image })).json.data.task_id);
			expect(done.data).toMatchObject({ status: 'FAILED', error: reason });
		}
	});

	test('maxRunning queues tasks FIFO as PENDING', async () => {
		const s = await start({ maxRunning: 1, processingMs: 150 });
		const a = (await create(s)).json.data;
		const b = (await create(s)).json.data;
		expect([a.status, b.status]).toEqual(['IN_PROGRESS', 'PENDING']);
		expect((await status(s, b.task_id)).json.data.status).toBe('PENDING');
		await settle(s, a.task_id);
		expect((await status(s, b.task_id)).json.data.status).toBe('IN_PROGRESS');
		await s.idle();
		expect(s.task(b.task_id)!.startedAt).toBeGreaterThanOrEqual(s.task(a.task_id)!.endedAt!);
		s.set({ maxRunning: 5 });
		const more = await Promise.all([create(s), create(s), create(s)]);
		expect(more.map((r) => r.json.data.status)).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS']);
	});

	test('outcome=never and neverEnds stay running until finishTask; idle ignores them', async () => {
		const s = await start();
		s.fault('create', { kind: 'neverEnds' });
		const a = (await create(s)).json.data.task_id;
		const b = (await create(s, { image: s.imageUrl({ outcome: 'never' }) })).json.data.task_id;
		const c = (await create(s)).json.data.task_id;
		await s.idle();
		expect(s.task(c)!.state).toBe('succeeded');
		expect([s.task(a)!.state, s.task(b)!.state]).toEqual(['running', 'running']);
		s.finishTask(a);
		s.finishTask(b, { fail: 'stopped by test' });
		expect((await settle(s, a)).data.status).toBe('COMPLETED');
		expect((await status(s, b)).json.data).toMatchObject({ status: 'FAILED', error: 'stopped by test' });
	});

	test('credits run out with 402', async () => {
		const s = await start({ credits: 1 });
		expect((await create(s)).status).toBe(200);
		const r = await create(s);
		expect(r.status).toBe(402);
		expect(r.json.message).toMatch(/^Insufficient credits/);
		s.set({ credits: 1 });
		expect((await create(s)).status).toBe(200);
	});
});

describe('faults', () => {
	test('429 with Retry-After, consumed once per call', async () => {
		const s = await start();
		const date = new Date(Date.now() + 5000).toUTCString();
		s.fault('create', { kind: 'status', status: 429, retryAfter: 2 }, { kind: 'status', status: 429, retryAfter: date, message: 'slow down' });
		const first = await create(s);
		expect(first).toMatchObject({ status: 429, json: { code: 429 } });
		expect(first.headers['retry-after']).toBe('2');
		const second = await create(s);
		expect(second.headers['retry-after']).toBe(date);
		expect(second.json.message).toBe('slow down');
		expect((await create(s)).status).toBe(200);
		expect(s.log.entries.map((e) => e.fault)).toEqual(['status:429', 'status:429', undefined]);
	});

	test('times, match and custom bodies on the status route', async () => {
		const s = await start();
		const id = (await create(s)).json.data.task_id;
		s.fault('status', { fault: { kind: 'status', status: 503, body: '<html>bad gateway</html>' }, times: 2, match: (r) => r.taskId === id });
		expect((await status(s, 'n41other')).status).toBe(404);
		expect((await status(s, id)).text).toBe('<html>bad gateway</html>');
		expect((await status(s, id)).status).toBe(503);
		expect((await status(s, id)).status).toBe(200);
		expect(s.log.statusReads(id)).toBe(3);
		expect(() => s.fault('status', { kind: 'sync' })).toThrow(/does not apply/);
	});

	test('reset, malformed, envelope and delay', async () => {
		const s = await start();
		s.fault('create', { kind: 'reset' }, { kind: 'malformed' }, { kind: 'envelope', code: 1001, message: 'Model not found' }, { kind: 'delay', ms: 150 });
		await expect(create(s)).rejects.toThrow();
		const bad = await create(s);
		expect(bad.status).toBe(200);
		expect(bad.json).toBeUndefined();
		expect(await create(s)).toMatchObject({ status: 200, json: { code: 1001, message: 'Model not found' } });
		expect((await create(s)).json.data.status).toBe('IN_PROGRESS');
		expect(s.tasks()).toHaveLength(1);
		expect(s.log.entries.map((e) => [e.status, e.fault])).toEqual([
			[0, 'reset'],
			[200, 'malformed'],
			[200, 'envelope:1001'],
			[200, 'delay:150'],
		]);
	});

	test('a hung request is ended by close()', async () => {
		const s = await startStandIn({ processingMs: 50 });
		s.fault('file', { kind: 'hang' });
		s.fault('create', { kind: 'neverEnds' });
		await create(s);
		const pending = request(`${s.url}/files/n41whatever.png`).then(
			(r) => r.body.text(),
			(e: Error) => e,
		);
		await new Promise((r) => setTimeout(r, 50));
		expect(s.log.maxInFlight('file')).toBe(1);
		await s.close();
		// Without close() ending it, the hung request would keep this test waiting until jest fails it.
		expect(await pending).toBeInstanceOf(Error);
	});

	test('takes: one task processes longer than the others', async () => {
		const s = await start({ processingMs: 20 });
		s.fault('create', { fault: { kind: 'takes', ms: 400 }, times: 1 });
		const slow = (await create(s)).json.data.task_id;
		const quick = (await create(s)).json.data.task_id;
		await s.idle();
		// Created first, ended last: its own processing time held it.
		expect(s.task(quick)!.endedAt!).toBeLessThan(s.task(slow)!.endedAt!);
		expect(s.log.entries.map((e) => e.fault)).toEqual(['takes:400', undefined]);
	});

	test('taskFails and sync', async () => {
		const s = await start({ shape: { errorAt: 'error.object' } });
		s.fault('create', { kind: 'taskFails', reason: 'GPU on fire' }, { kind: 'sync' });
		const failed = await settle(s, (await create(s)).json.data.task_id);
		expect(failed.data).toMatchObject({ status: 'FAILED', error: { message: 'GPU on fire' } });
		const sync = await create(s);
		expect(sync.json.data.task_id).toBeUndefined();
		expect(sync.json).toMatchObject({ code: 200, message: 'success', data: { status: 'COMPLETED', output: { image_url: expect.stringMatching(/^http:/) } } });
		expect((await fetchBytes(sync.json.data.output.image_url)).status).toBe(200);
	});
});

describe('shapes', () => {
	test('bare data, alt words, lower case, id and result elsewhere', async () => {
		const s = await start({ processingMs: 250, shape: { envelope: false, words: 'alt', statusCase: 'lower', idAt: 'id', resultAt: 'images.object' } });
		const created = await create(s);
		expect(created.json).toMatchObject({ status: 'processing' });
		expect(created.json.code).toBeUndefined();
		const { json } = await status(s, created.json.id);
		await s.idle();
		expect(json.status).toBe('processing');
		const done = (await status(s, created.json.id)).json;
		expect(done).toMatchObject({ id: created.json.id, status: 'success', images: [{ url: expect.stringMatching(/\/files\//) }] });
	});

	test('id beside the envelope, title case, fail_reason, result_urls', async () => {
		const s = await start({ shape: { idAt: 'task_id', statusCase: 'title', errorAt: 'fail_reason', resultAt: 'result_urls' } });
		const created = (await create(s)).json;
		expect(created).toMatchObject({ code: 200, task_id: expect.any(String), data: { status: 'In_Progress' } });
		expect(created.data.task_id).toBeUndefined();
		const bad = (await create(s, { image: s.imageUrl({ outcome: 'fail' }) })).json.task_id;
		await s.idle();
		expect((await status(s, created.task_id)).json.data).toMatchObject({ status: 'Completed', result_urls: [expect.any(String)] });
		expect((await status(s, bad)).json.data).toMatchObject({ status: 'Failed', fail_reason: expect.any(String) });
		s.setShape({ resultAt: 'output.string', words: 'alt' });
		expect((await status(s, created.task_id)).json.data).toMatchObject({ task_id: created.task_id, status: 'SUCCESS', output: expect.stringMatching(/^http/) });
	});
});

describe('callbacks', () => {
	test('delivered with the status body, retried after a 500', async () => {
		const hook = await receiver([500]);
		const s = await start();
		const id = (await create(s, { callback_url: hook.url })).json.data.task_id;
		await s.idle();
		expect(s.log.callbacks.map((c) => [c.taskId, c.attempt, c.status])).toEqual([
			[id, 1, 500],
			[id, 2, 200],
		]);
		expect(hook.got).toHaveLength(2);
		expect(hook.got[1]).toEqual((await status(s, id)).json);
		expect(hook.got[1].data.status).toBe('COMPLETED');
		expect(s.log.count('callback')).toBe(2);
		expect(s.log.bodies('callback')).toEqual(hook.got);
	});

	test('gives up after callbackAttempts; network errors count', async () => {
		const hook = await receiver([500, 502, 503]);
		const s = await start({ callbackAttempts: 2 });
		await create(s, { callback_url: hook.url });
		await create(s, { callback_url: 'http://127.0.0.1:1/nothing-here' });
		await s.idle();
		expect(hook.got).toHaveLength(2);
		expect(s.log.callbacks.map((c) => c.status).sort()).toEqual([500, 502, 'error', 'error']);
	});

	test('duplicate, suppressed and malformed callbacks', async () => {
		const hook = await receiver();
		const s = await start();
		s.fault('create', { kind: 'duplicateCallback', times: 3 }, { kind: 'noCallback' });
		s.fault('callback', { fault: { kind: 'malformed' }, match: (r) => r.path === '/hook' && r.body.data.status === 'FAILED' });
		const dup = (await create(s, { callback_url: hook.url })).json.data.task_id;
		await create(s, { callback_url: hook.url });
		await s.idle();
		expect(hook.got.map((b) => b.data.task_id)).toEqual([dup, dup, dup]);
		await create(s, { callback_url: hook.url, image: s.imageUrl({ outcome: 'fail' }) });
		await s.idle();
		expect(typeof hook.got[3]).toBe('string');
		expect(() => JSON.parse(hook.got[3])).toThrow();
	});
});

describe('log and pictures', () => {
	test('counts, statusReads, maxInFlight, clear', async () => {
		const s = await start();
		s.fault('image', { fault: { kind: 'delay', ms: 100 }, times: 5 });
		await Promise.all(Array.from({ length: 5 }, () => fetchBytes(s.imageUrl())));
		expect(s.log.maxInFlight('image')).toBe(5);
		const id = (await create(s, { image: s.imageUrl({ name: 'cat' }) })).json.data.task_id;
		await settle(s, id);
		expect(s.log.count('create')).toBe(1);
		expect(s.log.statusReads(id)).toBeGreaterThanOrEqual(1);
		expect(s.log.statusReads()).toBe(s.log.statusReads(id));
		expect(s.log.count('image')).toBe(6);
		s.log.clear();
		expect([s.log.entries.length, s.log.maxInFlight('image')]).toEqual([0, 0]);
	});

	test('pictures are deterministic, sized, typed; noise is big', async () => {
		const s = await start();
		const url = s.imageUrl({ width: 200, height: 100, format: 'webp', name: 'x' });
		const [a, b] = await Promise.all([fetchBytes(url), fetchBytes(url)]);
		expect(a.type).toBe('image/webp');
		expect(a.buf.equals(b.buf)).toBe(true);
		expect(a.buf.equals(await s.image({ width: 200, height: 100, format: 'webp', name: 'x' }))).toBe(true);
		expect(await sharp(a.buf).metadata()).toMatchObject({ width: 200, height: 100 });
		const plain = await s.image({ width: 300, height: 300 });
		const noisy = await s.image({ width: 300, height: 300, noise: true });
		expect(noisy.length).toBeGreaterThan(300 * 300 * 3);
		expect(noisy.length).toBeGreaterThan(plain.length * 5);
		expect((await fetchBytes(`${s.url}/images/a.png?w=0`)).status).toBe(400);
	});
});

test('the CLI prints STAND_IN_READY and stops cleanly on SIGTERM', async () => {
	const root = path.resolve(__dirname, '../..');
	const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'test/stand-in/cli.ts', '--processing-ms', '20', '--key', 'aio_cli_key', '--create-rate', '0.5', '--read-rate', '50'], {
		cwd: root,
	});
	const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
	cleanups.push(async () => {
		child.kill('SIGKILL');
		await exited;
	});
	let out = '';
	const ready = await new Promise<{ url: string; key: string }>((resolve, reject) => {
		child.stdout.on('data', (c) => {
			out += c;
			const m = /^STAND_IN_READY (.+)$/m.exec(out);
			if (m) resolve(JSON.parse(m[1]));
		});
		void exited.then(() => reject(new Error(`CLI exited early: ${out}`)));
	});
	expect(ready).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), key: 'aio_cli_key' });
	const s = { url: ready.url, key: ready.key, imageUrl: () => `${ready.url}/images/a.png` } as unknown as StandIn;
	expect((await create(s)).json.data.status).toBe('IN_PROGRESS');
	const limited = await create(s);
	expect(limited).toMatchObject({ status: 429, json: { message: 'Rate limit exceeded: 0.5 creates per second' } });
	expect(limited.headers['retry-after']).toBe('2');
	child.kill('SIGTERM');
	expect(await exited).toBe(0);
}, 20_000);

describe('contract faults (2026-12-01)', () => {
	const failed = (p: Promise<unknown>): Promise<string> => p.then(() => 'answered', (e: Error & { code?: string }) => e.code ?? e.message);

	test('createdThen: the task is created and paid for, then a reset, a hang-up, a 502, a 504 or an envelope 500', async () => {
		const s = await start({ credits: 5 });
		s.fault(
			'create',
			{ kind: 'createdThen', then: { kind: 'reset' } },
			{ kind: 'createdThen', then: { kind: 'hangUp' } },
			{ kind: 'createdThen', then: { kind: 'status', status: 502 } },
			{ kind: 'createdThen', then: { kind: 'status', status: 504, message: 'Gateway Timeout' } },
			{ kind: 'createdThen', then: { kind: 'envelope', code: 500, message: 'Internal error' } },
		);
		expect((await create(s, { image: 'ftp://nope' })).status).toBe(422);
		expect(await failed(create(s))).not.toBe('answered');
		expect(await failed(create(s))).not.toBe('answered');
		expect(await create(s)).toMatchObject({ status: 502, json: { code: 502, message: 'Bad Gateway' } });
		expect(await create(s)).toMatchObject({ status: 504, json: { code: 504, message: 'Gateway Timeout' } });
		expect(await create(s)).toMatchObject({ status: 200, json: { code: 500, message: 'Internal error' } });
		expect((await create(s)).status).toBe(402);
		await s.idle();
		const creates = s.log.entries.filter((e) => e.route === 'create');
		expect(creates.map((e) => [e.status, e.fault])).toEqual([
			[422, undefined],
			[0, 'createdThen:reset'],
			[0, 'createdThen:hangUp'],
			[502, 'createdThen:status:502'],
			[504, 'createdThen:status:504'],
			[200, 'createdThen:envelope:500'],
			[402, undefined],
		]);
		const ids = creates.filter((e) => e.fault).map((e) => e.taskId);
		expect(s.tasks().map((t) => t.id).sort()).toEqual([...ids].sort());
		expect(s.tasks().every((t) => t.state === 'succeeded')).toBe(true);
		expect(() => s.fault('create', { kind: 'createdThen', then: { kind: 'sync' } as never })).toThrow(/createdThen takes/);
		expect(() => s.fault('status', { kind: 'createdThen', then: { kind: 'reset' } })).toThrow(/does not apply/);
	});

	test('reset and hangUp are told apart by the client', async () => {
		const s = await start();
		s.fault('status', { kind: 'reset' }, { kind: 'hangUp' });
		const reset = await failed(status(s, 'n41abc'));
		const hangUp = await failed(status(s, 'n41abc'));
		expect(reset).not.toBe('answered');
		expect(hangUp).not.toBe('answered');
		expect(reset).not.toBe(hangUp);
		expect((await status(s, 'n41abc')).status).toBe(404);
	});

	test('envelope errors 429, 500 and 503 in HTTP 200, on create (nothing made) and on status reads', async () => {
		const s = await start();
		const id = (await create(s)).json.data.task_id;
		const envelopes = [
			{ kind: 'envelope' as const, code: 429, message: 'Too many requests', retryAfter: 2 },
			{ kind: 'envelope' as const, code: 500, message: 'Internal error' },
			{ kind: 'envelope' as const, code: 503, message: 'Service unavailable' },
		];
		s.fault('create', ...envelopes);
		s.fault('status', ...envelopes);
		for (const send of [() => create(s), () => status(s, id)]) {
			const answers = [await send(), await send(), await send()];
			expect(answers.map((a) => [a.status, a.json])).toEqual(envelopes.map((e) => [200, { code: e.code, message: e.message }]));
			expect(answers.map((a) => a.headers['retry-after'])).toEqual(['2', undefined, undefined]);
		}
		expect(s.tasks()).toHaveLength(1);
		expect(s.log.entries.filter((e) => e.fault).map((e) => `${e.route} ${e.fault}`)).toEqual(
			['create', 'create', 'create', 'status', 'status', 'status'].map((r, i) => `${r} envelope:${envelopes[i % 3].code}`),
		);
	});

	test('gzipBomb: a small gzip body that inflates to 50 MiB, whatever accept-encoding asked; with or without Content-Length', async () => {
		const s = await start();
		const done = await settle(s, (await create(s)).json.data.task_id);
		const url = done.data.output.image_url;
		s.fault('file', { kind: 'gzipBomb' }, { kind: 'gzipBomb', inflatedBytes: 5_000_000, contentLength: false });
		const get = async (): Promise<{ headers: Record<string, unknown>; buf: Buffer }> => {
			const res = await request(url, { headers: { 'accept-encoding': 'identity' } });
			return { headers: res.headers, buf: Buffer.from(await res.body.arrayBuffer()) };
		};
		const big = await get();
		expect(big.headers).toMatchObject({ 'content-encoding': 'gzip', 'content-type': 'image/png', 'content-length': String(big.buf.length) });
		expect(big.buf.length).toBeLessThan(60_000);
		const inflated = gunzipSync(big.buf);
		expect(inflated.length).toBe(50 * 1024 * 1024);
		expect(inflated.subarray(0, 4).toString('latin1')).toBe('\x89PNG');
		const small = await get();
		expect(small.headers['content-length']).toBeUndefined();
		expect(small.headers['transfer-encoding']).toBe('chunked');
		expect(gunzipSync(small.buf).length).toBe(5_000_000);
		const plain = await get();
		expect(plain.headers['content-encoding']).toBeUndefined();
		expect((await sharp(plain.buf).metadata()).format).toBe('png');
		expect(s.log.entries.filter((e) => e.route === 'file').map((e) => [e.taskId, e.fault])).toEqual([
			[done.data.task_id, 'gzipBomb'],
			[done.data.task_id, 'gzipBomb'],
			[done.data.task_id, undefined],
		]);
	});

	test('echoKey: the key in failure reasons, extra data fields, error messages and callbacks', async () => {
		const hook = await receiver();
		const key = 'aio_echo_me_0123456789';
		const bearer = `Bearer ${key}`;
		const s = await start({ keys: [key], echoKey: true });
		s.fault('create', { kind: 'taskFails', reason: 'GPU on fire' });
		s.fault('status', { kind: 'envelope', code: 500, message: 'Internal error' });
		const created = await create(s, { callback_url: hook.url });
		expect(created.json.data).toMatchObject({ request_auth: bearer, debug: { headers: { authorization: bearer } } });
		const id = created.json.data.task_id;
		expect((await status(s, id)).json.message).toBe(`Internal error (request Authorization: ${bearer})`);
		await s.idle();
		expect((await status(s, id)).json.data).toMatchObject({ status: 'FAILED', error: `GPU on fire (request Authorization: ${bearer})`, request_auth: bearer });
		expect((await status(s, 'n41unknown')).json.message).toContain(bearer);
		expect((await create(s, { image: 'nope' })).json.message).toContain(bearer);
		expect((await call(s, 'GET', '/api/v1/tasks/x', { key: 'aio_wrong_key' })).json.message).toContain('Bearer aio_wrong_key');
		expect(hook.got[0]).toMatchObject({ request_auth: bearer, data: { error: expect.stringContaining(bearer), request_auth: bearer } });

		s.set({ echoKey: ['callback'] });
		const hook2 = await receiver();
		const plain = await create(s, { callback_url: hook2.url });
		expect(JSON.stringify(plain.json)).not.toContain(key);
		expect((await status(s, 'n41unknown')).json.message).toBe('Task not found');
		await s.idle();
		expect(JSON.stringify((await status(s, plain.json.data.task_id)).json)).not.toContain(key);
		expect(hook2.got[0]).toMatchObject({ request_auth: bearer, data: { status: 'COMPLETED', request_auth: bearer } });
		s.set({ echoKey: false });
		expect(JSON.stringify((await status(s, id)).json)).not.toContain(key);
	});

	test('statusLag: the callback goes out while the status route still says running', async () => {
		const hook = await receiver();
		const s = await start({ statusLagMs: 60_000 });
		const id = (await create(s, { callback_url: hook.url })).json.data.task_id;
		await s.idle();
		expect(hook.got[0].data).toMatchObject({ task_id: id, status: 'COMPLETED' });
		const lagging = (await status(s, id)).json.data;
		expect(lagging).toMatchObject({ task_id: id, status: 'IN_PROGRESS' });
		expect(lagging.output).toBeUndefined();
		expect(s.log.entries.at(-1)).toMatchObject({ route: 'status', taskId: id, fault: 'statusLag' });
		s.set({ statusLagMs: 0 });
		expect((await status(s, id)).json.data.status).toBe('COMPLETED');

		s.fault('create', { kind: 'statusLag', ms: 1500 });
		const one = (await create(s, { callback_url: hook.url })).json.data.task_id;
		const other = (await create(s, { callback_url: hook.url })).json.data.task_id;
		await s.idle();
		expect((await status(s, one)).json.data.status).toBe('IN_PROGRESS');
		expect((await status(s, other)).json.data.status).toBe('COMPLETED');
		expect((await settle(s, one)).data.status).toBe('COMPLETED');
		const firstDone = s.log.entries.find((e) => e.taskId === one && e.route === 'status' && !e.fault)!;
		expect(firstDone.at).toBeGreaterThanOrEqual(s.task(one)!.endedAt! + 1500);
	});
});

describe('rate limit', () => {
	test('token bucket: one second of burst, refilled at the rate; Retry-After rounded up to the unit', () => {
		let now = 0;
		const limit = new RateLimit(() => now);
		expect(limit.take()).toBeUndefined();
		limit.configure(4);
		expect([limit.take(), limit.take(), limit.take(), limit.take()]).toEqual([undefined, undefined, undefined, undefined]);
		expect(limit.take()).toBe(250);
		now = 100;
		expect(limit.take()).toBeCloseTo(150);
		now = 250;
		expect(limit.take()).toBeUndefined();
		now = 10_000;
		expect(Array.from({ length: 5 }, () => limit.take()).filter((w) => w === undefined)).toHaveLength(4);
		limit.configure(0.5);
		expect([limit.take(), limit.take()]).toEqual([undefined, 2000]);
		limit.configure(0);
		expect(limit.take()).toBeUndefined();
		expect([retryAfterHeader(150, 1), retryAfterHeader(1000, 1), retryAfterHeader(1001, 1)]).toEqual(['1', '1', '2']);
		expect([retryAfterHeader(150, 0.25), retryAfterHeader(300, 0.25), retryAfterHeader(48.4, 0)]).toEqual(['0.25', '0.5', '0.048']);
	});

	test('creates and reads limited separately, 429 with Retry-After, counted; set() changes them at run time', async () => {
		const s = await start({ createRate: 2, credits: 8 });
		s.fault('create', { kind: 'taskFails', reason: 'kept for the first create that passes' });
		const creates = await Promise.all(Array.from({ length: 4 }, () => create(s)));
		expect(creates.map((r) => r.status).sort()).toEqual([200, 200, 429, 429]);
		const limited = creates.find((r) => r.status === 429)!;
		expect(limited.json).toEqual({ code: 429, message: 'Rate limit exceeded: 2 creates per second' });
		expect(limited.headers['retry-after']).toBe('1');
		expect(s.tasks()).toHaveLength(2);
		await s.idle();
		// A request turned away by the limiter uses up no fault (and no credit): the first create that passed took it.
		expect(s.tasks().map((t) => t.error ?? t.state).sort()).toEqual(['kept for the first create that passes', 'succeeded']);
		const id = creates.find((r) => r.status === 200)!.json.data.task_id;
		s.set({ readRate: 3, retryAfterUnitS: 0 });
		const reads = await Promise.all(Array.from({ length: 6 }, () => status(s, id)));
		expect(reads.filter((r) => r.status === 200)).toHaveLength(3);
		for (const r of reads.filter((r) => r.status === 429)) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
		expect(reads.find((r) => r.status === 429)!.headers['retry-after']).toMatch(/^0\.\d{1,3}$/);
		expect([s.log.rateLimited('create'), s.log.rateLimited('status'), s.log.rateLimited()]).toEqual([2, 3, 5]);
		expect(s.log.count('status', (e) => e.fault === 'rateLimit')).toBe(3);
		s.set({ createRate: 0, readRate: 0 });
		expect((await Promise.all(Array.from({ length: 6 }, () => create(s)))).map((r) => r.status)).toEqual(Array(6).fill(200));
		expect((await create(s)).status).toBe(402);
	});
});
