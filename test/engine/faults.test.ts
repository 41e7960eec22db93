import { recordedSleeps } from '../clock';
import { runNode, type RunResult } from '../harness/engine';
import { credentialsFor, UPSCALE, useStandIn, visibleText } from '../helpers';
import type { Fault } from '../stand-in/server';

/**
 * The contract's failure table ("What each failure gets"), one case per row, on the create call and
 * on the status reads, through the Image Upscale node in n8n's engine, with and without
 * continueOnFail. The stand-in echoes the API key into everything it sends, and no case may show it.
 */

const box = useStandIn({ processingMs: 100, echoKey: true });

// Waits and back-offs take at most 20 ms of real time; what was asked is recorded.
let asked: number[] = [];
beforeEach(() => (asked = recordedSleeps((ms) => Math.min(ms, 20))));

async function upscale(continueOnFail: boolean, options: Record<string, unknown> = {}, baseUrl?: string): Promise<RunResult> {
	const credentials = credentialsFor(box.standIn);
	if (baseUrl) credentials.apiInOneApi.baseUrl = baseUrl;
	const result = await runNode({
		node: {
			type: UPSCALE,
			parameters: { resource: 'image', operation: 'upscale', imageUrl: box.standIn.imageUrl(), downloadResult: false, options } as never,
			continueOnFail,
		},
		credentials,
	});
	expect(visibleText(result)).not.toContain(box.standIn.key);
	return result;
}

interface Outcome {
	ok: boolean;
	message?: string;
	taskId?: string;
	httpCode?: string;
}

/** The item's outcome as the user sees it: the output item, or the node's error. */
function outcomeOf(result: RunResult, continueOnFail: boolean): Outcome {
	if (continueOnFail) {
		const json = result.items[0].json as { state?: string; error?: string; details?: { taskId?: string; httpCode?: string; description?: string } };
		if (json.state === 'succeeded') return { ok: true, taskId: String(result.items[0].json.taskId) };
		return { ok: false, message: `${json.error} ${json.details?.description ?? ''}`, taskId: json.details?.taskId, httpCode: json.details?.httpCode };
	}
	if (!result.error) return { ok: true, taskId: String(result.items[0].json.taskId) };
	const error = result.error as unknown as { message: string; description?: string; httpCode?: string; context: { taskId?: string } };
	return { ok: false, message: `${error.message} ${error.description ?? ''}`, taskId: error.context.taskId, httpCode: error.httpCode };
}

const createdTasks = () => box.standIn.tasks().length;
const MAYBE_CREATED = /^The create request failed and the task may have been created .*It was not sent again/;

type CreateRow = [name: string, fault: Fault, creates: number, tasks: number, expected: RegExp | 'ok'];

const createRows: CreateRow[] = [
	['429 with Retry-After', { kind: 'status', status: 429, retryAfter: 1 }, 2, 1, 'ok'],
	['429 in an HTTP 200 envelope', { kind: 'envelope', code: 429, message: 'slow down' }, 2, 1, 'ok'],
	['503', { kind: 'status', status: 503 }, 2, 1, 'ok'],
	['503 in an HTTP 200 envelope', { kind: 'envelope', code: 503, message: 'busy' }, 2, 1, 'ok'],
	['500', { kind: 'status', status: 500, message: 'internal' }, 1, 0, MAYBE_CREATED],
	['502 after the task was made', { kind: 'createdThen', then: { kind: 'status', status: 502 } }, 1, 1, MAYBE_CREATED],
	['504 after the task was made', { kind: 'createdThen', then: { kind: 'status', status: 504 } }, 1, 1, MAYBE_CREATED],
	['a reset after the task was made', { kind: 'createdThen', then: { kind: 'reset' } }, 1, 1, MAYBE_CREATED],
	['a hang-up after the task was made', { kind: 'createdThen', then: { kind: 'hangUp' } }, 1, 1, MAYBE_CREATED],
	['HTTP 200 with envelope code 500', { kind: 'createdThen', then: { kind: 'envelope', code: 500, message: 'oops' } }, 1, 1, MAYBE_CREATED],
	['an answer that is not JSON', { kind: 'createdThen', then: { kind: 'malformed' } }, 1, 1, MAYBE_CREATED],
	['400', { kind: 'status', status: 400, message: 'image is required' }, 1, 0, /^The service rejected the request: image is required/],
	['422', { kind: 'status', status: 422, message: 'image must be a URL' }, 1, 0, /^The service rejected the request: image must be a URL/],
	['401', { kind: 'status', status: 401, message: 'Invalid API key' }, 1, 0, /^Invalid API key: Invalid API key/],
	['403', { kind: 'status', status: 403, message: 'Key revoked' }, 1, 0, /^Invalid API key: Key revoked/],
	['404', { kind: 'status', status: 404, message: 'No such route' }, 1, 0, /^Not found: No such route/],
	['another envelope error', { kind: 'envelope', code: 4001, message: 'model unknown' }, 1, 0, /^The service answered with an error \(code 4001\): model unknown/],
	['402', { kind: 'status', status: 402, message: 'Insufficient credits' }, 1, 0, /^Out of credits: Insufficient credits/],
	['a 429 about credits', { kind: 'status', status: 429, message: 'credit limit reached' }, 1, 0, /^Out of credits: credit limit reached/],
];

describe.each([false, true])('the create call (continueOnFail: %s)', (continueOnFail) => {
	it.each(createRows)('%s', async (_name, fault, creates, tasks, expected) => {
		const before = createdTasks();
		box.standIn.fault('create', fault);
		const outcome = outcomeOf(await upscale(continueOnFail), continueOnFail);
		expect(box.standIn.log.count('create')).toBe(creates);
		expect(createdTasks() - before).toBe(tasks);
		if (expected === 'ok') return expect(outcome.ok).toBe(true);
		expect(outcome.ok).toBe(false);
		expect(outcome.message).toMatch(expected);
	});

	it.each([
		['connection refused', 'http://127.0.0.1:9'],
		['a DNS failure', 'http://apiinone-stand-in.invalid'],
	])('%s before sending: tried 4 times', async (_name, baseUrl) => {
		const outcome = outcomeOf(await upscale(continueOnFail, {}, baseUrl), continueOnFail);
		expect(outcome).toMatchObject({ ok: false, message: expect.stringMatching(/^The API in One service could not be reached after 4 attempts/) });
	});
});

it("honours a 429's Retry-After before sending the create again", async () => {
	box.standIn.fault('create', { kind: 'status', status: 429, retryAfter: 2 });
	await upscale(false);
	expect(asked).toContain(2000);
});

type ReadRow = [name: string, fault: Fault, times: number, expected: RegExp | 'ok'];

const readRows: ReadRow[] = [
	['429 with Retry-After', { kind: 'status', status: 429, retryAfter: 1 }, 2, 'ok'],
	['429 in an HTTP 200 envelope', { kind: 'envelope', code: 429, message: 'slow down' }, 2, 'ok'],
	['503, four times in a row', { kind: 'status', status: 503 }, 4, 'ok'],
	['500', { kind: 'status', status: 500 }, 2, 'ok'],
	['502', { kind: 'status', status: 502 }, 2, 'ok'],
	['504', { kind: 'status', status: 504 }, 2, 'ok'],
	['a reset', { kind: 'reset' }, 2, 'ok'],
	['a hang-up', { kind: 'hangUp' }, 2, 'ok'],
	['HTTP 200 with envelope code 500', { kind: 'envelope', code: 500, message: 'oops' }, 2, 'ok'],
	['an answer that is not JSON', { kind: 'malformed' }, 2, 'ok'],
	['400', { kind: 'status', status: 400, message: 'bad id' }, 1, /^The service rejected the request: bad id/],
	['401', { kind: 'status', status: 401, message: 'Invalid API key' }, 1, /^Invalid API key/],
	['403', { kind: 'status', status: 403, message: 'Key revoked' }, 1, /^Invalid API key: Key revoked/],
	['404', { kind: 'status', status: 404, message: 'Task not found' }, 1, /^Not found: Task not found/],
	['422', { kind: 'status', status: 422, message: 'bad id' }, 1, /^The service rejected the request: bad id/],
	['another envelope error', { kind: 'envelope', code: 4001, message: 'nope' }, 1, /^The service answered with an error \(code 4001\): nope/],
	['402', { kind: 'status', status: 402, message: 'Insufficient credits' }, 1, /^Out of credits/],
];

describe.each([false, true])('the status reads while waiting (continueOnFail: %s)', (continueOnFail) => {
	it.each(readRows)('%s', async (_name, fault, times, expected) => {
		box.standIn.fault('status', { fault, times });
		const outcome = outcomeOf(await upscale(continueOnFail), continueOnFail);
		expect(box.standIn.log.count('create')).toBe(1);
		const [task] = box.standIn.tasks().slice(-1);
		if (expected === 'ok') return expect(outcome).toEqual({ ok: true, taskId: task.id });
		expect(outcome.ok).toBe(false);
		expect(outcome.message).toMatch(expected);
		expect(outcome.taskId).toBe(task.id);
	});

	it('reads that keep failing do not end the wait before its limit; the error names the task and the last read error', async () => {
		box.standIn.fault('status', { fault: { kind: 'status', status: 503, message: 'down for maintenance' }, times: 1000 });
		const outcome = outcomeOf(await upscale(continueOnFail, { waitLimitSeconds: 30 }), continueOnFail);
		const [task] = box.standIn.tasks().slice(-1);
		expect(outcome.ok).toBe(false);
		expect(outcome.message).toMatch(/^The task was still running after 30 seconds /);
		expect(outcome.message).toContain(`Task ID: ${task.id}`);
		expect(outcome.message).toContain('The last status read failed: The service failed (HTTP 503): down for maintenance');
		expect(outcome.taskId).toBe(task.id);
		// Waited out the limit: the recorded waits add up to it.
		expect(asked.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(29_000);
	});

	it('a task that ends failed: the reason and the task ID', async () => {
		box.standIn.fault('create', { kind: 'taskFails', reason: 'The image is too small' });
		const outcome = outcomeOf(await upscale(continueOnFail), continueOnFail);
		const [task] = box.standIn.tasks().slice(-1);
		expect(outcome).toMatchObject({ ok: false, taskId: task.id });
		expect(outcome.message).toMatch(/^The task failed: The image is too small .*Bearer aio_\*\*\*.* Task ID: n41/);
	});

	it('a task still running at the wait limit: a time-out naming the task', async () => {
		box.standIn.fault('create', { kind: 'neverEnds' });
		const outcome = outcomeOf(await upscale(continueOnFail, { waitLimitSeconds: 2 }), continueOnFail);
		const [task] = box.standIn.tasks().slice(-1);
		expect(outcome).toMatchObject({ ok: false, taskId: task.id, message: expect.stringMatching(/^The task was still running after 2 seconds Task ID: n41/) });
	});
});
