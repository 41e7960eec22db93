import { taskJson } from '../../nodes/shared/output';
import { isHttpUrl, isTaskId, parseTask, readEnvelope, stateOf, taskIdIn } from '../../nodes/shared/task';

const URL_A = 'https://cdn.apiin.one/r/a.png';
const URL_B = 'https://cdn.apiin.one/r/b.png';
const wrap = (data: object) => ({ code: 200, message: 'success', data });

describe('parseTask: status words', () => {
	it.each(['PENDING', 'QUEUED', 'IN_PROGRESS', 'PROCESSING', 'RUNNING', 'STARTING'])('%s is running', (word) => {
		expect(stateOf(word)).toBe('running');
		expect(stateOf(word.toLowerCase())).toBe('running');
	});
	it.each(['COMPLETED', 'SUCCESS', 'SUCCEEDED', 'DONE', 'FINISHED'])('%s is succeeded, in any case', (word) => {
		expect(stateOf(word)).toBe('succeeded');
		expect(stateOf(word.toLowerCase())).toBe('succeeded');
		expect(stateOf(word[0] + word.slice(1).toLowerCase())).toBe('succeeded');
	});
	it.each(['FAILED', 'ERROR', 'CANCELLED', 'CANCELED', 'TIMEOUT', 'EXPIRED'])('%s is failed', (word) => {
		expect(stateOf(word)).toBe('failed');
		expect(stateOf(word.toLowerCase())).toBe('failed');
	});
	it('treats an unknown word as running and keeps it raw', () => {
		const task = parseTask(wrap({ task_id: 'n41a', status: 'Warming_Up' }));
		expect(task).toMatchObject({ taskId: 'n41a', state: 'running', status: 'Warming_Up', imageUrls: [] });
	});
});

describe('parseTask: queued tasks', () => {
	it.each(['PENDING', 'queued'])('%s is running and queued', (status) => {
		expect(parseTask(wrap({ task_id: 'n41a', status }))).toMatchObject({ state: 'running', queued: true });
	});
	it.each(['IN_PROGRESS', 'Warming_Up', 'COMPLETED'])('%s is not queued', (status) => {
		expect(parseTask(wrap({ task_id: 'n41a', status })).queued).toBe(false);
	});
});

describe('taskJson: the output item', () => {
	const task = parseTask(wrap({ task_id: 'n41a', status: 'COMPLETED', output: [URL_A, URL_B], extra: 1 }));

	it('has a few stable fields, the same for every task', () => {
		expect(taskJson(task)).toEqual({ taskId: 'n41a', state: 'succeeded', imageUrl: URL_A, error: null });
		expect(taskJson(parseTask(wrap({ task_id: 'n41b', status: 'FAILED', error: 'bad' })), { model: 'm', elapsedMs: 5 })).toEqual({
			taskId: 'n41b',
			state: 'failed',
			imageUrl: null,
			error: 'bad',
			model: 'm',
			elapsedMs: 5,
		});
	});

	it("adds the service's status word, every URL and its raw answer on request", () => {
		expect(taskJson(task, { includeServiceDetails: true })).toMatchObject({
			status: 'COMPLETED',
			imageUrls: [URL_A, URL_B],
			response: { task_id: 'n41a', extra: 1 },
		});
	});
});

describe('parseTask: the documented create answer', () => {
	it('reads task id and status from the envelope', () => {
		const body = { code: 200, message: 'success', data: { task_id: 'n41xxxx', status: 'IN_PROGRESS' } };
		expect(parseTask(body)).toEqual({
			taskId: 'n41xxxx',
			state: 'running',
			queued: false,
			status: 'IN_PROGRESS',
			imageUrl: undefined,
			imageUrls: [],
			response: { task_id: 'n41xxxx', status: 'IN_PROGRESS' },
		});
	});
});

describe('parseTask: where the task id lives', () => {
	it.each([
		['data.task_id', wrap({ task_id: 't1', status: 'QUEUED' })],
		['data.id', wrap({ id: 't1', status: 'QUEUED' })],
		['top-level task_id', { task_id: 't1', status: 'QUEUED' }],
		['top-level id', { id: 't1', status: 'QUEUED' }],
		['top-level task_id beside an envelope', { code: 200, task_id: 't1', data: { status: 'QUEUED' } }],
	])('%s', (_where, body) => {
		expect(parseTask(body).taskId).toBe('t1');
	});
	it('prefers data.task_id over data.id', () => {
		expect(parseTask(wrap({ task_id: 'a', id: 'b' })).taskId).toBe('a');
	});
	it('turns a number into a string', () => {
		expect(parseTask(wrap({ id: 4242, status: 'DONE' })).taskId).toBe('4242');
	});
});

describe('parseTask: where the result is', () => {
	it.each([
		['output as a string', { output: URL_A }],
		['output as an array of strings', { output: [URL_A, URL_B] }],
		['output as an object with a url key', { output: { image_url: URL_A } }],
		['output as an array of objects', { output: [{ url: URL_A }, { url: URL_B }] }],
		['result as a string', { result: URL_A }],
		['result as an object', { result: { imageUrl: URL_A } }],
		['result_url', { result_url: URL_A }],
		['image_url', { image_url: URL_A }],
		['url', { url: URL_A }],
		['result_urls', { result_urls: [URL_A, URL_B] }],
		['images as strings', { images: [URL_A] }],
		['images as objects', { images: [{ url: URL_A }] }],
	])('%s', (_where, data) => {
		const task = parseTask(wrap({ task_id: 't', status: 'COMPLETED', ...data }));
		expect(task.state).toBe('succeeded');
		expect(task.imageUrl).toBe(URL_A);
		expect(task.imageUrls[0]).toBe(URL_A);
	});

	it('keeps every URL found, in the contract order, once each', () => {
		const task = parseTask(
			wrap({ status: 'DONE', images: [{ url: 'https://x/5' }], url: 'https://x/4', result_url: 'https://x/2', output: ['https://x/1', 'https://x/1'], image_url: 'https://x/3' }),
		);
		expect(task.imageUrls).toEqual(['https://x/1', 'https://x/2', 'https://x/3', 'https://x/4', 'https://x/5']);
	});

	it('ignores values that are not http(s) URLs', () => {
		const task = parseTask(wrap({ status: 'DONE', output: ['ftp://x/a', 'not a url', 'javascript:alert(1)', URL_B], url: 'file:///etc/passwd' }));
		expect(task.imageUrls).toEqual([URL_B]);
	});

	it('keeps the raw data object untouched', () => {
		const data = { task_id: 't', status: 'SUCCESS', output: { image_url: URL_A }, width: 128, extra: { nested: true } };
		expect(parseTask(wrap(data)).response).toEqual(data);
	});
});

describe('parseTask: failure reasons', () => {
	it.each([
		['error as a string', { error: 'bad pixels' }],
		['error as an object', { error: { message: 'bad pixels', code: 7 } }],
		['fail_reason', { fail_reason: 'bad pixels' }],
		['message', { message: 'bad pixels' }],
	])('%s', (_where, data) => {
		const task = parseTask(wrap({ task_id: 't', status: 'FAILED', ...data }));
		expect(task).toMatchObject({ state: 'failed', error: 'bad pixels' });
	});

	it('falls back to the envelope message', () => {
		expect(parseTask({ code: 200, message: 'model overloaded', data: { task_id: 't', status: 'ERROR' } }).error).toBe('model overloaded');
	});

	it('never uses "success" as a reason', () => {
		expect(parseTask(wrap({ task_id: 't', status: 'FAILED' })).error).toBe('The task failed without a reason');
	});

	it('sets no error on tasks that did not fail', () => {
		expect(parseTask(wrap({ task_id: 't', status: 'RUNNING', message: 'working' })).error).toBeUndefined();
	});
});

describe('parseTask: synchronous answers and odd bodies', () => {
	it('a finished answer with no task id', () => {
		const task = parseTask(wrap({ status: 'COMPLETED', output: { image_url: URL_A } }));
		expect(task).toMatchObject({ taskId: undefined, state: 'succeeded', imageUrl: URL_A });
	});

	it('a result with no status word at all counts as finished', () => {
		expect(parseTask({ result_url: URL_A })).toMatchObject({ state: 'succeeded', status: '', imageUrl: URL_A });
	});

	it.each([null, undefined, 'text', 42, [1, 2]])('%p gives an empty running task', (body) => {
		expect(parseTask(body)).toMatchObject({ taskId: undefined, state: 'running', status: '', imageUrls: [] });
	});

	it('reads a callback body without envelope', () => {
		expect(taskIdIn({ task_id: 'cb1', status: 'COMPLETED', output: URL_A })).toBe('cb1');
	});
});

describe('readEnvelope', () => {
	it.each([
		[{ code: 200, message: 'success', data: {} }, undefined],
		[{ code: 0, data: {} }, undefined],
		[{ code: '200', data: {} }, undefined],
		[{ data: { status: 'DONE' } }, undefined],
		[{ code: 500, message: 'internal' }, { code: 500, message: 'internal' }],
		[{ code: '4001', message: 'bad image' }, { code: 4001, message: 'bad image' }],
		[{ code: 402 }, { code: 402, message: 'The service answered with code 402' }],
	])('%j', (body, error) => {
		expect(readEnvelope(body).error).toEqual(error);
	});
});

describe('isTaskId', () => {
	it.each(['n41abc', 'a b', 'task.v2:7', 'x'.repeat(200)])('accepts %p', (id) => expect(isTaskId(id)).toBe(true));
	it.each(['', '../admin', 'a/b', 'a\\b', '..', '.', 'x'.repeat(201)])('refuses %p', (id) => expect(isTaskId(id)).toBe(false));
});

describe('isHttpUrl', () => {
	it.each(['https://example.com/a.png', 'http://127.0.0.1:8080/x?y=1', ' https://example.com/a b.png '])('accepts %p', (url) =>
		expect(isHttpUrl(url)).toBe(true),
	);
	it.each(['', 'example.com/a.png', 'ftp://example.com/a.png', 'https://exa mple.com/a.png', 'https://?', 'https:example.com/a.png', 'http:/host/a.png', 'data:image/png;base64,AA', 42])(
		'refuses %p',
		(url) => expect(isHttpUrl(url)).toBe(false),
	);
});
