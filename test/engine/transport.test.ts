/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- dev tooling, never published: n8n's rules for community node code do not apply */
import { clock } from '../../nodes/shared/clock';
import { recordedSleeps } from '../clock';
import { runNode, type RunResult } from '../harness/engine';
import { credentialsFor, useStandIn, visibleText } from '../helpers';
import type { Fault } from '../stand-in/server';

// The shared transport, driven through the real n8n engine by a small probe node, against the stand-in.

const box = useStandIn({ processingMs: 100 });

const createBody = () => JSON.stringify({ model: 'image-upscale', image: box.standIn.imageUrl() });

async function probe(parameters: Record<string, unknown>, apiKey?: string): Promise<RunResult> {
	const result = await runNode({
		node: { type: 'test.probe', parameters: parameters as never },
		credentials: credentialsFor(box.standIn, apiKey),
	});
	expect(visibleText(result)).not.toContain(apiKey ?? box.standIn.key);
	return result;
}

const create = (extra: Record<string, unknown> = {}) => probe({ call: 'create', body: createBody(), ...extra });

async function existingTaskId(): Promise<string> {
	const { items } = await create();
	box.standIn.log.clear();
	return items[0].json.taskId as string;
}

const read = async (taskId: string) => probe({ call: 'get', taskId });

describe('transport: successful calls', () => {
	it('creates a task with the Bearer key and reads it back', async () => {
		const created = await create();
		expect(created.error).toBeUndefined();
		const taskId = created.items[0].json.taskId as string;
		expect(taskId).toMatch(/^n41/);
		await box.standIn.idle();
		const { items } = await read(taskId);
		expect(items[0].json).toMatchObject({ taskId, state: 'succeeded' });
		expect(items[0].json.imageUrl).toMatch(new RegExp(`^${box.standIn.url}/files/`));
		expect(box.standIn.log.count('create')).toBe(1);
		expect(box.standIn.log.count('status')).toBe(1);
	});
});

describe('transport: retries as the failure table says', () => {
	it.each<[string, Fault]>([
		['429', { kind: 'status', status: 429 }],
		['502', { kind: 'status', status: 502 }],
		['503', { kind: 'status', status: 503 }],
		['504', { kind: 'status', status: 504 }],
		['500 on a status read', { kind: 'status', status: 500 }],
		['a connection reset', { kind: 'reset' }],
		['malformed JSON on a status read', { kind: 'malformed' }],
	])('retries a status read after %s', async (_name, fault) => {
		const taskId = await existingTaskId();
		box.standIn.fault('status', { fault, times: 2 });
		const result = await read(taskId);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.taskId).toBe(taskId);
		expect(box.standIn.log.count('status')).toBe(3);
	});

	it.each<[string, Fault]>([
		['429', { kind: 'status', status: 429 }],
		['503', { kind: 'status', status: 503 }],
	])('retries a create after %s (the task was not made)', async (_name, fault) => {
		box.standIn.fault('create', fault);
		const result = await create();
		expect(result.error).toBeUndefined();
		expect(box.standIn.log.count('create')).toBe(2);
	});

	it('gives up after 4 attempts and shows only the final error', async () => {
		const taskId = await existingTaskId();
		box.standIn.fault('status', { fault: { kind: 'status', status: 503, message: 'busy' }, times: 10 });
		const result = await read(taskId);
		expect(result.error?.message).toBe('The service failed after 4 attempts (HTTP 503): busy');
		expect(box.standIn.log.count('status')).toBe(4);
	});

	it('honours Retry-After in seconds', async () => {
		const taskId = await existingTaskId();
		const asked = recordedSleeps();
		box.standIn.fault('status', { kind: 'status', status: 429, retryAfter: 1 });
		await read(taskId);
		expect(asked).toEqual([1000]);
		expect(box.standIn.log.count('status')).toBe(2);
	});

	it('fails at once, saying why, when Retry-After asks for more than a minute', async () => {
		const taskId = await existingTaskId();
		box.standIn.fault('status', { kind: 'status', status: 429, retryAfter: 120, message: 'slow down' });
		const result = await read(taskId);
		expect(result.error?.message).toBe('Rate limited by the service: slow down');
		expect(result.error?.description).toBe(
			'The service asked to wait 120 s before another try, longer than this node waits (60 s). Lower the Concurrency option or try again later.',
		);
		expect(box.standIn.log.count('status')).toBe(1);
	});

	it('honours Retry-After as an HTTP date', async () => {
		const taskId = await existingTaskId();
		const now = Date.UTC(2026, 11, 1, 12, 0, 0);
		jest.spyOn(clock, 'now').mockReturnValue(now);
		const asked = recordedSleeps();
		box.standIn.fault('status', { kind: 'status', status: 503, retryAfter: new Date(now + 2000).toUTCString() });
		await read(taskId);
		expect(asked).toEqual([2000]);
		expect(box.standIn.log.count('status')).toBe(2);
	});

	it('retries when the service cannot be reached, then says so', async () => {
		const result = await runNode({
			node: { type: 'test.probe', parameters: { call: 'get', taskId: 'n41x' } },
			credentials: { apiInOneApi: { apiKey: box.standIn.key, baseUrl: 'http://127.0.0.1:9' } },
		});
		expect(result.error?.message).toBe('The API in One service could not be reached after 4 attempts');
		expect(visibleText(result)).not.toContain(box.standIn.key);
	});
});

describe('transport: never pays twice for an ambiguous create', () => {
	it.each<[string, Fault]>([
		['500', { kind: 'status', status: 500, message: 'internal error' }],
		['malformed JSON', { kind: 'malformed' }],
	])('does not re-send a create after %s', async (_name, fault) => {
		box.standIn.fault('create', fault);
		const result = await create();
		expect(result.error?.message).toBe('The create request failed and the task may have been created');
		expect(result.error?.description).toContain('was not sent again');
		expect(box.standIn.log.count('create')).toBe(1);
	});

	it('does not re-send a create that timed out', async () => {
		box.standIn.fault('create', { kind: 'hang' });
		const result = await create({ timeoutMs: 500 });
		expect(result.error?.message).toBe('The create request failed and the task may have been created');
		expect(result.error?.description).toContain('timed out');
		expect(box.standIn.log.count('create')).toBe(1);
	});
});

describe('transport: final errors carry the service message, the status and the item', () => {
	it.each<[string, Fault, string, string | undefined]>([
		['400', { kind: 'status', status: 400, message: 'image is required' }, 'The service rejected the request: image is required', '400'],
		['422', { kind: 'status', status: 422, message: 'image must be a URL' }, 'The service rejected the request: image must be a URL', '422'],
		['402', { kind: 'status', status: 402, message: 'Insufficient credits' }, 'Out of credits: Insufficient credits', '402'],
		['403', { kind: 'status', status: 403, message: 'Key revoked' }, 'Invalid API key: Key revoked', '403'],
		['an envelope error in HTTP 200', { kind: 'envelope', code: 5001, message: 'model overloaded' }, 'The service answered with an error (code 5001): model overloaded', '5001'],
		['an envelope about credits', { kind: 'envelope', code: 4002, message: 'Not enough credits left' }, 'Out of credits: Not enough credits left', '4002'],
		['a 429 about credits', { kind: 'status', status: 429, message: 'credit limit reached' }, 'Out of credits: credit limit reached', '429'],
	])('%s on a create is not retried', async (_name, fault, message, httpCode) => {
		box.standIn.fault('create', fault);
		const result = await runNode({
			node: { type: 'test.probe', parameters: { call: 'create', body: createBody() }, continueOnFail: true },
			items: [{ json: {} }, { json: {} }],
			credentials: credentialsFor(box.standIn),
		});
		const [failed, passed] = result.items.map((item) => item.json);
		expect(failed).toMatchObject({ error: message, httpCode, itemIndex: 0 });
		expect(passed.taskId).toMatch(/^n41/);
		expect(box.standIn.log.count('create')).toBe(2);
		expect(visibleText(result)).not.toContain(box.standIn.key);
	});

	it('a wrong key gets 401 once, and the key shows nowhere', async () => {
		const wrongKey = 'aio_wrong_key_do_not_leak_1234';
		const result = await probe({ call: 'create', body: createBody() }, wrongKey);
		expect(result.error?.message).toBe('Invalid API key: Invalid API key');
		expect((result.error as { httpCode?: string }).httpCode).toBe('401');
		expect(box.standIn.log.count('create')).toBe(1);
	});

	it('the key shows nowhere even when the service echoes it back', async () => {
		const echoed = `Malformed header: Authorization: Bearer ${box.standIn.key}`;
		box.standIn.fault('create', { kind: 'status', status: 400, message: echoed });
		const rejected = await create();
		expect(rejected.error?.message).toBe('The service rejected the request: Malformed header: Authorization: Bearer aio_***');

		const taskId = await existingTaskId();
		box.standIn.fault('status', { fault: { kind: 'status', status: 502, body: `<html>${echoed}</html>` }, times: 4 });
		const failed = await read(taskId);
		expect(failed.error?.message).toMatch(/^The service failed after 4 attempts \(HTTP 502\)/);
		expect(visibleText(failed)).toContain('Bearer aio_***');
	});

	it('an unknown task is a 404, not retried', async () => {
		const result = await read('n41doesnotexist');
		expect(result.error?.message).toBe('Not found: Task not found');
		expect(box.standIn.log.count('status')).toBe(1);
	});

	it('names the failing item', async () => {
		box.standIn.fault('create', { fault: { kind: 'status', status: 422, message: 'bad image' }, match: (req) => String(req.body?.image).includes('second') });
		const result = await runNode({
			node: { type: 'test.probe', parameters: { call: 'create', body: '={{ JSON.stringify({ model: "image-upscale", image: $json.image }) }}' } },
			items: [{ json: { image: box.standIn.imageUrl({ name: 'first' }) } }, { json: { image: box.standIn.imageUrl({ name: 'second' }) } }],
			credentials: credentialsFor(box.standIn),
		});
		expect(result.error?.message).toBe('The service rejected the request: bad image');
		expect((result.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
	});
});
