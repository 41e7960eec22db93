/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { Container } from '@n8n/di';
import { BinaryDataConfig } from 'n8n-core';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

import { sleepsUntilCancelled } from '../clock';
import { runNode, startNode } from '../harness/engine';
import { binaryBuffer, credentialsFor, jsonOf, until, UPSCALE, useStandIn, visibleText } from '../helpers';

const box = useStandIn({ processingMs: 150 });

const upscale = (parameters: Record<string, unknown>, items = [{ json: {} }], continueOnFail = false) =>
	runNode({
		node: { type: UPSCALE, parameters: { resource: 'image', operation: 'upscale', ...parameters } as never, continueOnFail },
		items,
		credentials: credentialsFor(box.standIn),
	});

const getTask = (parameters: Record<string, unknown>, items = [{ json: {} }], continueOnFail = false) =>
	runNode({
		node: { type: UPSCALE, parameters: { resource: 'task', operation: 'get', ...parameters } as never, continueOnFail },
		items,
		credentials: credentialsFor(box.standIn),
	});

async function pixelsOf(binary: Parameters<typeof binaryBuffer>[0]) {
	const { width, height, format } = await sharp(await binaryBuffer(binary)).metadata();
	return { width, height, format };
}

describe('Image -> Upscale from a URL', () => {
	it('waits, downloads a real 2x file, and outputs the task shape', async () => {
		const url = box.standIn.imageUrl({ width: 40, height: 30, name: 'product-shot' });
		const result = await upscale({ imageUrl: url });
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(Object.keys(item.json)).toEqual(['taskId', 'state', 'imageUrl', 'error', 'model', 'elapsedMs']);
		expect(item.json).toMatchObject({ state: 'succeeded', error: null, model: 'image-upscale' });
		expect(item.json.taskId).toMatch(/^n41/);
		expect(item.json.imageUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/n41/);
		expect(item.json.elapsedMs).toEqual(expect.any(Number));
		expect(item.binary!.data).toMatchObject({ mimeType: 'image/png', fileName: 'product-shot.png', fileExtension: 'png' });
		expect(await pixelsOf(item.binary!.data)).toEqual({ width: 80, height: 60, format: 'png' });
		expect(box.standIn.log.bodies('create')).toEqual([{ model: 'image-upscale', image: url }]);
	});

	it('returns the task id at once when not waiting', async () => {
		const result = await upscale({ imageUrl: box.standIn.imageUrl(), waitForResult: false });
		expect(result.items[0].json).toMatchObject({ state: 'running', imageUrl: null, error: null });
		expect(result.items[0].binary).toBeUndefined();
		expect(box.standIn.log.count('status')).toBe(0);
	});

	it("adds the service's status word, every URL and its raw answer when asked", async () => {
		const result = await upscale({ imageUrl: box.standIn.imageUrl(), downloadResult: false, options: { includeServiceDetails: true } });
		const { json } = result.items[0];
		expect(json).toMatchObject({ state: 'succeeded', status: 'COMPLETED', imageUrls: [json.imageUrl] });
		expect(json.response).toMatchObject({ task_id: json.taskId, status: 'COMPLETED' });
	});

	it('sends the callback URL from an expression, with model, route and extra fields from the options', async () => {
		const result = await upscale(
			{
				imageUrl: '={{ $json.url }}',
				waitForResult: false,
				options: {
					callbackUrl: '={{ "http://127.0.0.1:5678/webhook-waiting/" + $json.executionId }}',
					model: 'bg-remover',
					route: 'api/v1/images/tools/remove-bg',
					extraBody: '{"scale": 3}',
				},
			},
			[{ json: { url: box.standIn.imageUrl(), executionId: '4711' } }],
		);
		expect(result.error).toBeUndefined();
		expect(box.standIn.log.bodies('create')).toEqual([
			{ model: 'bg-remover', image: box.standIn.imageUrl(), callback_url: 'http://127.0.0.1:5678/webhook-waiting/4711', scale: 3 },
		]);
		expect(box.standIn.log.entries.find((e) => e.route === 'create')?.path).toBe('/api/v1/images/tools/remove-bg');
	});

	it('returns a synchronous finished answer at once, with no task id', async () => {
		box.standIn.fault('create', { kind: 'sync' });
		const result = await upscale({ imageUrl: box.standIn.imageUrl({ width: 20, height: 10 }) });
		expect(result.items[0].json).toMatchObject({ taskId: null, state: 'succeeded' });
		expect(await pixelsOf(result.items[0].binary!.data)).toMatchObject({ width: 40, height: 20 });
		expect(box.standIn.log.count('status')).toBe(0);
	});

	it.each([
		{ envelope: false, words: 'alt', statusCase: 'lower', idAt: 'id', resultAt: 'images.object' },
		{ envelope: true, words: 'alt', statusCase: 'title', idAt: 'data.id', resultAt: 'result_urls' },
		{ envelope: true, idAt: 'task_id', resultAt: 'output.string' },
		{ envelope: true, resultAt: 'output.objects' },
		{ envelope: false, idAt: 'task_id', resultAt: 'url' },
	] as const)('reads the shape %j the same', async (shape) => {
		box.standIn.setShape(shape);
		const result = await upscale({ imageUrl: box.standIn.imageUrl({ width: 16, height: 16 }) });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ state: 'succeeded' });
		expect(result.items[0].json.taskId).toMatch(/^n41/);
		expect(await pixelsOf(result.items[0].binary!.data)).toMatchObject({ width: 32, height: 32 });
	});
});

describe('Image -> Upscale: the result download', () => {
	it('streams a result sent without Content-Length (chunked) as well', async () => {
		box.standIn.fault('file', { kind: 'chunked' });
		const result = await upscale({ imageUrl: box.standIn.imageUrl({ width: 30, height: 20 }) });
		expect(result.error).toBeUndefined();
		expect(box.standIn.log.entries.find((e) => e.route === 'file')!.fault).toBe('chunked');
		expect(await pixelsOf(result.items[0].binary!.data)).toEqual({ width: 60, height: 40, format: 'png' });
	});

	it.each([
		['with a Content-Length', /^The result image is 2\.\d MB, over the 1\.0 MB limit$/],
		['without one (chunked)', /^The result image is more than 1\.0 MB, over the 1\.0 MB limit$/],
	])('refuses a result over Max Result Size (MB), %s', async (how, message) => {
		if (how.startsWith('without')) box.standIn.fault('file', { kind: 'chunked' });
		// A 600x600 noise picture upscaled 2x: a PNG of about 2 MB.
		const result = await upscale({ imageUrl: box.standIn.imageUrl({ width: 600, height: 600, noise: true }), options: { maxResultSizeMb: 1 } });
		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toMatch(/Raise "Max Result Size \(MB\)"/);
	});
});

describe('Image -> Upscale from binary input', () => {
	it('sends the file inline and returns a 2x file named after the input', async () => {
		const input = await box.standIn.image({ width: 50, height: 20, format: 'jpeg' });
		const result = await runNode({
			node: { type: UPSCALE, parameters: { resource: 'image', operation: 'upscale', imageSource: 'binary', options: { outputBinaryField: 'upscaled' } } },
			items: [{ json: {}, binary: { data: { data: input.toString('base64'), mimeType: 'image/jpeg', fileName: 'scan 01.jpg' } } }],
			credentials: credentialsFor(box.standIn),
		});
		expect(result.error).toBeUndefined();
		const out = result.items[0].binary!.upscaled;
		expect(out).toMatchObject({ mimeType: 'image/jpeg', fileName: 'scan_01.jpg' });
		expect(await pixelsOf(out)).toEqual({ width: 100, height: 40, format: 'jpeg' });
		const [body] = box.standIn.log.bodies('create') as Array<{ image: string }>;
		expect(body.image).toMatch(/^data:image\/jpeg;base64,/);
	});

	it('refuses a file that is not an image, a missing field, and sends nothing', async () => {
		const items = [
			{ json: {}, binary: { data: { data: Buffer.from('%PDF-1.4').toString('base64'), mimeType: 'application/pdf', fileName: 'a.pdf' } } },
			{ json: {} },
		];
		const result = await runNode({
			node: { type: UPSCALE, parameters: { resource: 'image', operation: 'upscale', imageSource: 'binary' }, continueOnFail: true },
			items,
			credentials: credentialsFor(box.standIn),
		});
		expect(result.items[0].json.error).toBe('The file in field "data" is not an image (application/pdf)');
		expect(result.items[1].json.error).toMatch(/data/);
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(box.standIn.log.count('create')).toBe(0);
	});
});

describe('Image -> Upscale: binary input over 20 MB', () => {
	const overLimit = 20 * 1024 * 1024 + 1;
	it.each([
		// The stored bytes stand in for a file in the binary store: the metadata alone must stop it.
		['known from its metadata, before reading', { data: Buffer.alloc(10).toString('base64'), bytes: overLimit }],
		['found once read', { data: Buffer.alloc(overLimit).toString('base64') }],
	])('is refused, %s, and nothing is sent', async (_how, file) => {
		const result = await runNode({
			node: { type: UPSCALE, parameters: { resource: 'image', operation: 'upscale', imageSource: 'binary' } },
			items: [{ json: {}, binary: { data: { ...file, mimeType: 'image/png', fileName: 'huge.png' } } }],
			credentials: credentialsFor(box.standIn),
		});
		expect(result.error?.message).toBe('The image in field "data" is 20.0 MB, over the 20 MB limit');
		expect(box.standIn.log.count('create')).toBe(0);
	});
});

describe('Image -> Upscale validates before sending', () => {
	it.each([
		['={{ "" }}', 'The Image URL is empty'],
		['   ', 'The Image URL is empty'],
		['ftp://example.com/a.png', 'The Image URL is not an http(s) URL: "ftp://example.com/a.png"'],
		['example.com/a.png', 'The Image URL is not an http(s) URL: "example.com/a.png"'],
		['https://exa mple.com/a.png', 'The Image URL is not an http(s) URL: "https://exa mple.com/a.png"'],
		['https://?', 'The Image URL is not an http(s) URL: "https://?"'],
		['={{ 42 }}', 'The Image URL must be text, not number'],
		['={{ ["http://a/b.png"] }}', 'The Image URL must be text, not a list'],
	])('%p', async (imageUrl, message) => {
		const result = await upscale({ imageUrl });
		expect(result.error?.message).toBe(message);
		expect((result.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(0);
		expect(box.standIn.log.count('create')).toBe(0);
	});

	it('refuses a callback URL that is not http(s) and bad extra fields', async () => {
		const bad = await upscale({ imageUrl: box.standIn.imageUrl(), options: { callbackUrl: 'not a url' } });
		expect(bad.error?.message).toBe('The Callback URL must be an http(s) URL');
		const json = await upscale({ imageUrl: box.standIn.imageUrl(), options: { extraBody: '{oops' } });
		expect(json.error?.message).toBe('Extra Body Fields is not valid JSON');
		expect(box.standIn.log.count('create')).toBe(0);
	});
});

describe('Image -> Upscale: tasks that fail or do not end', () => {
	it('a failed task is an error naming the task and the reason', async () => {
		const result = await upscale({ imageUrl: box.standIn.imageUrl({ outcome: 'fail' }) });
		expect(result.error?.message).toBe('The task failed: The image could not be processed');
		expect(result.error?.description).toMatch(/^Task ID: n41/);
	});

	it('a task still running at the wait limit is an error with its id', async () => {
		const result = await upscale({ imageUrl: box.standIn.imageUrl({ outcome: 'never' }), options: { waitLimitSeconds: 1 } });
		expect(result.error?.message).toBe('The task was still running after 1 seconds');
		expect(result.error?.description).toMatch(/^Task ID: n41\w+ \(last status "IN_PROGRESS"\)\. Fetch it later with the Task -> Get operation/);
		expect((result.error as { context?: { taskId?: string } }).context?.taskId).toMatch(/^n41/);
	});

	it('or, if chosen, an item with state running and the id', async () => {
		const result = await upscale({ imageUrl: box.standIn.imageUrl({ outcome: 'never' }), options: { waitLimitSeconds: 1, onWaitLimit: 'returnRunning' } });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ state: 'running', imageUrl: null });
		expect(result.items[0].json.taskId).toMatch(/^n41/);
		expect(result.items[0].binary).toBeUndefined();
	});

	it('a cancelled execution stops waiting at once', async () => {
		sleepsUntilCancelled(); // so the run can only end by the cancel, and reads nothing after it
		const running = startNode({
			node: { type: UPSCALE, parameters: { resource: 'image', operation: 'upscale', imageUrl: box.standIn.imageUrl({ outcome: 'never' }) } },
			credentials: credentialsFor(box.standIn),
		});
		await until(() => box.standIn.log.count('create') === 1);
		running.cancel();
		const result = await running.result;
		expect(result.status).toBe('canceled');
		expect(box.standIn.log.count('status')).toBe(0);
	});

	it('a cancelled execution drops a download that is on its way', async () => {
		box.standIn.fault('file', { kind: 'hang' });
		const running = startNode({
			node: { type: UPSCALE, parameters: { resource: 'image', operation: 'upscale', imageUrl: box.standIn.imageUrl() } },
			credentials: credentialsFor(box.standIn),
		});
		await until(() => box.standIn.log.count('file') === 1);
		running.cancel();
		expect((await running.result).status).toBe('canceled');
		// n8n aborts the service calls itself; the download, which goes without credentials, is ours to drop.
		await until(() => box.standIn.log.entries.find((e) => e.route === 'file')!.ms > 0, 2000);
	});
});

describe('Image -> Upscale with many items', () => {
	it('a batch of 20 with mixed outcomes under continueOnFail keeps order and pairing', async () => {
		const kinds = Array.from({ length: 20 }, (_, i) => (i % 5 === 1 ? 'fail' : i % 5 === 3 ? 'bad-url' : 'ok'));
		const items = kinds.map((kind, i) => ({
			json: { url: kind === 'bad-url' ? 'not-a-url' : box.standIn.imageUrl({ width: 10 + i, height: 10, outcome: kind === 'fail' ? 'fail' : undefined }) },
		}));
		const result = await upscale({ imageUrl: '={{ $json.url }}', options: { concurrency: 5 } }, items, true);
		expect(result.items).toHaveLength(20);
		expect(result.items.map((item) => item.pairedItem)).toEqual(kinds.map((_, i) => ({ item: i })));
		for (const [i, kind] of kinds.entries()) {
			const { json, binary } = result.items[i];
			if (kind === 'ok') {
				expect(json.state).toBe('succeeded');
				expect(await pixelsOf(binary!.data)).toMatchObject({ width: 2 * (10 + i), height: 20 });
			} else if (kind === 'fail') {
				expect(json).toMatchObject({ error: 'The task failed: The image could not be processed', details: { itemIndex: i } });
				expect((json.details as { taskId: string }).taskId).toMatch(/^n41/);
			} else {
				expect(json).toEqual({ error: 'The Image URL is not an http(s) URL: "not-a-url"', details: { itemIndex: i } });
			}
		}
		expect(box.standIn.log.count('create')).toBe(16);
		expect(box.standIn.log.maxInFlight('create')).toBeLessThanOrEqual(5);
		expect(visibleText(result)).not.toContain(box.standIn.key);
	});

	it('without continueOnFail the node fails with an error naming the item', async () => {
		const items = [{ json: { url: box.standIn.imageUrl() } }, { json: { url: box.standIn.imageUrl({ outcome: 'fail' }) } }];
		const result = await upscale({ imageUrl: '={{ $json.url }}' }, items);
		expect(result.error?.message).toBe('The task failed: The image could not be processed');
		expect((result.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
	});

	it('50 items of 2 s each: in flight never above the limit, few status reads per task', async () => {
		box.standIn.set({ processingMs: 2000, jitter: 0.2 });
		try {
			const items = Array.from({ length: 50 }, (_, i) => ({ json: { url: box.standIn.imageUrl({ width: 8, height: 8 + i }) } }));
			const result = await upscale({ imageUrl: '={{ $json.url }}', downloadResult: false, options: { concurrency: 10 } }, items);
			expect(result.error).toBeUndefined();
			expect(jsonOf(result.items).every((json) => json.state === 'succeeded')).toBe(true);
			const { log } = box.standIn;
			expect(log.maxInFlight('create')).toBeLessThanOrEqual(10);
			expect(log.maxInFlight('status')).toBeLessThanOrEqual(10);
			const readsPerTask = log.count('status') / 50;
			expect(readsPerTask).toBeLessThanOrEqual(2.5);
		} finally {
			box.standIn.set({ processingMs: 150, jitter: 0 });
		}
	});

	it('concurrency 1 runs one item after another', async () => {
		const items = Array.from({ length: 3 }, () => ({ json: { url: box.standIn.imageUrl() } }));
		await upscale({ imageUrl: '={{ $json.url }}', downloadResult: false, options: { concurrency: 1 } }, items);
		const tasks = box.standIn.tasks().slice(-3);
		expect(tasks[1].createdAt).toBeGreaterThanOrEqual(tasks[0].endedAt!);
		expect(tasks[2].createdAt).toBeGreaterThanOrEqual(tasks[1].endedAt!);
	});
});

describe('Task -> Get', () => {
	async function createdTask(outcome?: 'fail' | 'never') {
		const result = await upscale({ imageUrl: box.standIn.imageUrl({ width: 12, height: 12, outcome }), waitForResult: false });
		return result.items[0].json.taskId as string;
	}

	it('reads a running task as it is', async () => {
		const taskId = await createdTask('never');
		const result = await getTask({ taskId });
		expect(result.items[0].json).toMatchObject({ taskId, state: 'running', error: null });
		expect(result.items[0].binary).toBeUndefined();
	});

	it('reads a finished task and downloads its result', async () => {
		const taskId = await createdTask();
		await box.standIn.idle();
		const result = await getTask({ taskId });
		expect(result.items[0].json).toMatchObject({ taskId, state: 'succeeded' });
		expect(await pixelsOf(result.items[0].binary!.data)).toMatchObject({ width: 24, height: 24 });
		expect(result.items[0].binary!.data.fileName).toBe(`${taskId}.png`);
	});

	it('waits for a task when asked', async () => {
		const taskId = await createdTask();
		const result = await getTask({ taskId, waitForResult: true, downloadResult: false });
		expect(result.items[0].json).toMatchObject({ taskId, state: 'succeeded' });
	});

	it('reports a failed task as an item with its reason', async () => {
		const taskId = await createdTask('fail');
		await box.standIn.idle();
		const result = await getTask({ taskId });
		expect(result.items[0].json).toMatchObject({ taskId, state: 'failed', error: 'The image could not be processed' });
	});

	it('URL-encodes the id and refuses ids with / or ..', async () => {
		const result = await getTask({ taskId: '={{ $json.id }}' }, [{ json: { id: 'a b' } }, { json: { id: '../admin' } }, { json: { id: 'x/y' } }, { json: { id: '' } }], true);
		expect(jsonOf(result.items)).toEqual([
			expect.objectContaining({ error: 'Not found: Task not found', details: expect.objectContaining({ httpCode: '404' }) }),
			expect.objectContaining({ error: '"../admin" is not a task ID' }),
			expect.objectContaining({ error: '"x/y" is not a task ID' }),
			expect.objectContaining({ error: 'The Task ID is empty' }),
		]);
		expect(box.standIn.log.entries.filter((e) => e.route === 'status').map((e) => e.path)).toEqual(['/api/v1/tasks/a%20b']);
	});
});

describe('Image -> Upscale error handling settings', () => {
	it('"Continue (using error output)" sends failed items to the error output', async () => {
		const items = [{ json: { url: box.standIn.imageUrl() } }, { json: { url: box.standIn.imageUrl({ outcome: 'fail' }) } }, { json: { url: 'nope' } }];
		const result = await runNode({
			node: { type: UPSCALE, parameters: { resource: 'image', operation: 'upscale', imageUrl: '={{ $json.url }}', downloadResult: false }, errorOutput: true },
			items,
			credentials: credentialsFor(box.standIn),
		});
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.items)).toEqual([expect.objectContaining({ state: 'succeeded' })]);
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
		expect(jsonOf(result.errorItems)).toEqual([
			expect.objectContaining({ error: 'The task failed: The image could not be processed', details: expect.objectContaining({ itemIndex: 1 }) }),
			expect.objectContaining({ error: 'The Image URL is not an http(s) URL: "nope"', details: { itemIndex: 2 } }),
		]);
		expect(result.errorItems.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
	});

	it("keeps the service's failure reason even when it names a system error code", async () => {
		box.standIn.fault('create', { kind: 'taskFails', reason: 'Could not download the image: connect ECONNREFUSED 10.0.0.1:80' });
		const result = await upscale({ imageUrl: box.standIn.imageUrl() });
		expect(result.error?.message).toBe('The task failed: Could not download the image: connect ECONNREFUSED 10.0.0.1:80');
	});
});

describe('Image -> Upscale: settings are checked before anything is sent', () => {
	it.each([
		[{ waitLimitSeconds: 'abc' }, 'Wait Limit (Seconds) must be a positive number, not "abc"'],
		[{ waitLimitSeconds: 0 }, 'Wait Limit (Seconds) must be a positive number, not 0'],
		[{ maxResultSizeMb: '' }, 'Max Result Size (MB) must be a positive number, not ""'],
		[{ maxResultSizeMb: -1 }, 'Max Result Size (MB) must be a positive number, not -1'],
		[{ outputBinaryField: ' ' }, 'Put Output File in Field must be a field name, not " "'],
		[{ concurrency: 'ten' }, 'Concurrency must be a positive number, not "ten"'],
		[{ concurrency: 2.5 }, 'Concurrency must be a whole number from 1 to 100, not 2.5'],
		[{ concurrency: 500 }, 'Concurrency must be a whole number from 1 to 100, not 500'],
	])('%j', async (options, message) => {
		const result = await upscale({ imageUrl: box.standIn.imageUrl(), options });
		expect(result.error?.message).toBe(message);
		expect(box.standIn.log.count('create')).toBe(0);
	});

	it('takes a number an expression gave as text, and fractions of a second', async () => {
		const result = await upscale({ imageUrl: box.standIn.imageUrl({ outcome: 'never' }), options: { waitLimitSeconds: '={{ "0.5" }}' } });
		expect(result.error?.message).toBe('The task was still running after 0.5 seconds');
	});
});

describe('Image -> Upscale: the download cap counts what arrives', () => {
	const storedFiles = () => {
		const root = Container.get(BinaryDataConfig).localStoragePath;
		const files: Array<{ path: string; size: number }> = [];
		const walk = (dir: string) => {
			for (const entry of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
				const path = join(dir, entry.name);
				if (entry.isDirectory()) walk(path);
				else files.push({ path, size: statSync(path).size });
			}
		};
		walk(root);
		return files;
	};

	it.each([true, false])('stops a gzip body that inflates past the cap, and stores none of it (Content-Length of the compressed body: %s)', async (contentLength) => {
		const before = new Set(storedFiles().map((file) => file.path));
		box.standIn.fault('file', { kind: 'gzipBomb', contentLength });
		const result = await upscale({ imageUrl: box.standIn.imageUrl(), options: { maxResultSizeMb: 1 } });
		expect(result.error?.message).toBe('The result image is more than 1.0 MB, over the 1.0 MB limit');
		expect((result.error as { context?: { taskId?: string } }).context?.taskId).toMatch(/^n41/);
		const added = storedFiles().filter((file) => !before.has(file.path));
		expect(added.filter((file) => file.size > 1024 * 1024)).toEqual([]);
		expect(added.filter((file) => /\.tmp\./.test(file.path))).toEqual([]);
	});
});

describe('Image -> Upscale: a batch that stops on a failure', () => {
	it('names the tasks already created for other items, so none is lost', async () => {
		const items = [
			{ json: { url: box.standIn.imageUrl({ name: 'a', outcome: 'never' }) } },
			{ json: { url: box.standIn.imageUrl({ name: 'b', outcome: 'fail' }) } },
			{ json: { url: box.standIn.imageUrl({ name: 'c', outcome: 'never' }) } },
		];
		const result = await upscale({ imageUrl: '={{ $json.url }}' }, items);
		const byName = (name: string) => box.standIn.tasks().find((task) => task.image.includes(`/${name}`))!.id;
		expect(result.error?.message).toBe('The task failed: The image could not be processed');
		expect(result.error?.description).toBe(
			`Task ID: ${byName('b')}. Tasks already created for other items keep running on the service (fetch them with Task -> Get): item 0: ${byName('a')}, item 2: ${byName('c')}.`,
		);
		expect((result.error as { context?: { createdTaskIds?: string[] } }).context?.createdTaskIds).toEqual([byName('a'), byName('c')]);
	});
});

describe('Image -> Upscale: the key never shows', () => {
	it('in the raw answer, when the service echoes it there', async () => {
		box.standIn.set({ echoKey: true });
		try {
			const result = await upscale({ imageUrl: box.standIn.imageUrl(), downloadResult: false, options: { includeServiceDetails: true } });
			expect(JSON.stringify(result.items[0].json.response)).toContain('Bearer aio_***');
			expect(visibleText(result)).not.toContain(box.standIn.key);
		} finally {
			box.standIn.set({ echoKey: false });
		}
	});
});

describe('Image -> Upscale: a Callback URL the service cannot reach', () => {
	const hintsOf = (result: Awaited<ReturnType<typeof upscale>>) =>
		(result.run.data.resultData.runData['Node Under Test']?.[0]?.hints ?? []).map((hint) => hint.message);

	it.each([
		['http://localhost:5678/webhook-waiting/12', 'localhost'],
		['http://127.0.0.1:5678/webhook/abc/callback', 'a loopback address'],
		['http://192.168.1.20:5678/webhook/abc/callback', 'a private address'],
	])('%s: one execution hint, however many items, saying what to set', async (callbackUrl, kind) => {
		const items = [{ json: {} }, { json: {} }, { json: {} }];
		const result = await upscale({ imageUrl: box.standIn.imageUrl(), waitForResult: false, options: { callbackUrl } }, items);
		expect(hintsOf(result)).toEqual([
			`The Callback URL ${callbackUrl} is ${kind}, which API in One cannot reach from the internet: its callbacks will never arrive. Set n8n's WEBHOOK_URL to the public address of your n8n (e.g. https://n8n.example.com/) so webhook and resume URLs use it.`,
		]);
	});

	it('gives no hint for a public address', async () => {
		const result = await upscale({ imageUrl: box.standIn.imageUrl(), waitForResult: false, options: { callbackUrl: 'https://n8n.example.com/webhook/abc/callback' } });
		expect(hintsOf(result)).toEqual([]);
	});
});
