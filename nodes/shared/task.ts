import type { IDataObject } from 'n8n-workflow';

// Everything the service's answers may look like (see the contract) is read here and only here.

export type TaskState = 'running' | 'succeeded' | 'failed';

export interface Task {
	/** Absent when the service answered synchronously with a finished result. */
	taskId?: string;
	state: TaskState;
	/** Running, but still waiting in the service's queue (PENDING, QUEUED): its run time has not started. */
	queued: boolean;
	/** The status word exactly as the service sent it ('' when it sent none). */
	status: string;
	imageUrl?: string;
	imageUrls: string[];
	error?: string;
	/** The service's own `data` object, untouched. */
	response: IDataObject;
}

const SUCCEEDED = ['completed', 'success', 'succeeded', 'done', 'finished'];
const FAILED = ['failed', 'error', 'cancelled', 'canceled', 'timeout', 'expired'];
/** What a failed task without a reason of its own tells by its status word alone. */
const FAILED_WITHOUT_REASON: Record<string, string> = {
	cancelled: 'The task was cancelled',
	canceled: 'The task was cancelled',
	timeout: 'The task timed out on the service',
	expired: 'The task expired on the service',
};
const QUEUED = ['pending', 'queued'];

const isObject = (value: unknown): value is IDataObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** An absolute http(s) URL with a host. */
export function isHttpUrl(value: unknown): boolean {
	// The prefix check too: URL() also takes "https:example.com" and "http:/host".
	if (typeof value !== 'string' || !/^\s*https?:\/\//i.test(value)) return false;
	try {
		return new URL(value.trim()).hostname !== '';
	} catch {
		return false;
	}
}

const text = (value: unknown): string | undefined =>
	typeof value === 'string' && value.trim() !== ''
		? value.trim()
		: typeof value === 'number'
			? String(value)
			: undefined;

export interface Envelope {
	/** The task data: the envelope's `data`, or the whole body when there is no envelope. */
	data: IDataObject;
	/** Set when the body is an error envelope (`code` other than 200 or 0). */
	error?: { code: number; message: string };
	message?: string;
}

export function readEnvelope(body: unknown): Envelope {
	if (!isObject(body)) return { data: {} };
	const code = body.code === undefined || body.code === null ? undefined : Number(body.code);
	const message = text(body.message);
	const data = isObject(body.data) ? body.data : body;
	if (code !== undefined && code !== 200 && code !== 0) {
		return { data, message, error: { code, message: message ?? `The service answered with code ${code}` } };
	}
	return { data, message };
}

/** Running words (PENDING, QUEUED, IN_PROGRESS, ...) and any word the contract does not list mean running. */
export function stateOf(status: string): TaskState {
	const word = status.toLowerCase();
	if (SUCCEEDED.includes(word)) return 'succeeded';
	if (FAILED.includes(word)) return 'failed';
	return 'running';
}

function urlsIn(value: unknown): string[] {
	if (typeof value === 'string' && isHttpUrl(value) && !/\s/.test(value.trim())) return [value.trim()];
	if (Array.isArray(value)) return value.flatMap(urlsIn);
	if (isObject(value)) {
		return Object.keys(value)
			.filter((key) => key.toLowerCase().includes('url'))
			.flatMap((key) => urlsIn(value[key]));
	}
	return [];
}

export function resultUrls(data: IDataObject): string[] {
	const found = [
		...urlsIn(data.output),
		...urlsIn(data.result),
		...urlsIn(data.result_url),
		...urlsIn(data.image_url),
		...urlsIn(data.url),
		...urlsIn(data.result_urls),
		...urlsIn(data.images),
	];
	return [...new Set(found)];
}

function failureReason(data: IDataObject, envelopeMessage?: string): string | undefined {
	const error = data.error;
	return (
		text(error) ??
		(isObject(error) ? text(error.message) : undefined) ??
		text(data.fail_reason) ??
		text(data.message) ??
		(envelopeMessage && !/^(success|ok)$/i.test(envelopeMessage) ? envelopeMessage : undefined)
	);
}

/** Turns any answer of the service (create, status or callback; with or without envelope) into a Task. */
export function parseTask(body: unknown): Task {
	const { data, message } = readEnvelope(body);
	const top = isObject(body) ? body : {};
	const taskId = text(data.task_id) ?? text(data.id) ?? text(top.task_id) ?? text(top.id);
	const status = text(data.status) ?? text(top.status) ?? '';
	const imageUrls = resultUrls(data);
	// A finished synchronous answer may carry a result and no status word at all.
	const state: TaskState = status === '' && imageUrls.length > 0 ? 'succeeded' : stateOf(status);
	const queued = state === 'running' && QUEUED.includes(status.toLowerCase());
	const task: Task = { taskId, state, queued, status, imageUrl: imageUrls[0], imageUrls, response: data };
	if (state === 'failed') {
		task.error = failureReason(data, message) ?? FAILED_WITHOUT_REASON[status.toLowerCase()] ?? 'The task failed without a reason';
	}
	return task;
}

/**
 * Task ids go into the status route's path: nothing that could reach another route once put there
 * ("/", "\\", dot segments, also percent-encoded), nor control characters that could break a
 * header or a log line.
 */
const hasControlCharacter = (text: string) => [...text].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);

export const isTaskId = (id: string): boolean =>
	id.length > 0 && id.length <= 200 && id !== '.' && !hasControlCharacter(id) && !/[/\\]|\.\.|%2e|%2f|%5c/i.test(id);

/** The task id named by a callback body, before anything in it is trusted. */
export const taskIdIn = (body: unknown): string | undefined => parseTask(body).taskId;
