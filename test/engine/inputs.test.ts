import { runNode, type RunResult } from '../harness/engine';
import { credentialsFor, jsonOf, UPSCALE, useStandIn, visibleText } from '../helpers';

// Bad input is refused before anything is sent, and what a user typed as a secret never shows.

const box = useStandIn({ processingMs: 50 });

async function run(parameters: Record<string, unknown>, items = [{ json: {} }], continueOnFail = false): Promise<RunResult> {
	return await runNode({ node: { type: UPSCALE, parameters: parameters as never, continueOnFail }, items, credentials: credentialsFor(box.standIn) });
}

const statusReads = () => box.standIn.log.count('status');

describe('Task -> Get refuses task ids that could leave the status route, without a request', () => {
	const bad = ['a\u0000b', 'a\r\nX-Injected: 1', 'tab\there', '%2e%2e', '..%2F..%2Fadmin', '%2E', 'x'.repeat(201), 'a\u007fb'];
	it.each(bad.map((id) => [JSON.stringify(id).slice(0, 40), id]))('%s', async (_name, id) => {
		const result = await run({ resource: 'task', operation: 'get', taskId: '={{ $json.id }}' }, [{ json: { id } }], true);
		const { error } = result.items[0].json as { error: string };
		expect(error).toMatch(/is not a task ID$/);
		expect(['\r', '\n', '\u0000'].some((char) => error.includes(char))).toBe(false);
		expect(statusReads()).toBe(0);
	});

	it('still reads an id of 200 characters', async () => {
		const result = await run({ resource: 'task', operation: 'get', taskId: 'x'.repeat(200) }, [{ json: {} }], true);
		expect(result.items[0].json.error).toBe('Not found: Task not found');
		expect(statusReads()).toBe(1);
	});
});

describe('Extra Body Fields cannot replace what the node sends, nor reach a prototype', () => {
	it.each([
		['{"model": "other-model"}', 'model'],
		['{"image": "https://elsewhere.example/x.png"}', 'image'],
		['{"callback_url": "https://attacker.example/hook"}', 'callback_url'],
		['{"__proto__": {"polluted": true}}', '__proto__'],
		['{"constructor": {"prototype": {"polluted": true}}}', 'constructor'],
	])('%s is refused, naming %s', async (extraBody, field) => {
		const result = await run({ resource: 'image', operation: 'upscale', imageUrl: box.standIn.imageUrl(), options: { extraBody } });
		expect(result.error?.message).toBe(`Extra Body Fields cannot set "${field}"`);
		expect(box.standIn.log.count('create')).toBe(0);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('other fields are sent as given', async () => {
		const result = await run({ resource: 'image', operation: 'upscale', imageUrl: box.standIn.imageUrl(), waitForResult: false, options: { extraBody: '{"scale": 4}' } });
		expect(result.error).toBeUndefined();
		expect(box.standIn.log.entries.find((e) => e.route === 'create')?.body).toMatchObject({ scale: 4, model: 'image-upscale' });
	});
});

describe('binary input: empty or too large is refused with its size', () => {
	it.each([
		['an empty file', Buffer.alloc(0), 'The image in field "data" is empty (0 bytes)'],
		['a file over 20 MB', Buffer.alloc(21 * 1024 * 1024), 'The image in field "data" is 21.0 MB, over the 20 MB limit'],
	])('%s', async (_name, bytes, message) => {
		const result = await run({ resource: 'image', operation: 'upscale', imageSource: 'binary' }, [
			{ json: {}, binary: { data: { data: bytes.toString('base64'), mimeType: 'image/png', fileName: 'a.png' } } } as never,
		]);
		expect(result.error?.message).toBe(message);
		expect(box.standIn.log.count('create')).toBe(0);
	});
});

describe('an image URL with user:password@ is sent as given and never shown with the password', () => {
	const password = 'S3cr3t-pw';

	it('a failure reason that echoes the URL hides the password, in the error and in continueOnFail items', async () => {
		const url = box.standIn.imageUrl().replace('http://', `http://shop:${password}@`);
		box.standIn.fault('create', { kind: 'taskFails', reason: `Could not download ${url} (401)` });
		box.standIn.fault('create', { kind: 'taskFails', reason: `Could not download ${url} (401)` });
		const failed = await run({ resource: 'image', operation: 'upscale', imageUrl: url, downloadResult: false });
		expect(failed.error?.message).toContain('shop:***@');
		const items = await run({ resource: 'image', operation: 'upscale', imageUrl: url, downloadResult: false, options: { includeServiceDetails: true } }, [{ json: {} }], true);
		expect(jsonOf(items.items)[0].error).toContain('shop:***@');
		for (const result of [failed, items]) expect(visibleText(result)).not.toContain(password);
		expect(box.standIn.log.entries.filter((e) => e.route === 'create').map((e) => (e.body as { image: string }).image)).toEqual([url, url]);
	});

	it('a URL refused as not http(s) is shown without its password', async () => {
		const result = await run({ resource: 'image', operation: 'upscale', imageUrl: `ftp://shop:${password}@example.com/a.png` });
		expect(result.error?.message).toBe('The Image URL is not an http(s) URL: "ftp://shop:***@example.com/a.png"');
		expect(visibleText(result)).not.toContain(password);
	});
});
