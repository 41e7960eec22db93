import type { ShapeVariant, TaskRecord } from './types';

export const DEFAULT_SHAPE: ShapeVariant = {
	envelope: true,
	statusCase: 'upper',
	words: 'default',
	idAt: 'data.task_id',
	resultAt: 'output.object',
	errorAt: 'error.string',
};

const WORDS: Record<ShapeVariant['words'], Record<TaskRecord['state'], string>> = {
	default: { queued: 'PENDING', running: 'IN_PROGRESS', succeeded: 'COMPLETED', failed: 'FAILED' },
	alt: { queued: 'QUEUED', running: 'PROCESSING', succeeded: 'SUCCESS', failed: 'ERROR' },
};

type Json = Record<string, unknown>;

export function statusWord(state: TaskRecord['state'], shape: ShapeVariant): string {
	const word = WORDS[shape.words][state];
	if (shape.statusCase === 'lower') return word.toLowerCase();
	if (shape.statusCase === 'title') {
		return word
			.toLowerCase()
			.split('_')
			.map((w) => w.charAt(0).toUpperCase() + w.slice(1))
			.join('_');
	}
	return word;
}

function placeResult(data: Json, task: TaskRecord, url: string, at: ShapeVariant['resultAt']): void {
	switch (at) {
		case 'output.string':
			data.output = url;
			break;
		case 'output.array':
			data.output = [url];
			break;
		case 'output.object':
			data.output = { image_url: url, width: task.outputWidth, height: task.outputHeight };
			break;
		case 'output.objects':
			data.output = [{ url, width: task.outputWidth, height: task.outputHeight }];
			break;
		case 'result_urls':
			data.result_urls = [url];
			break;
		case 'images.string':
			data.images = [url];
			break;
		case 'images.object':
			data.images = [{ url }];
			break;
		default:
			data[at] = url;
	}
}

function placeError(data: Json, reason: string, at: ShapeVariant['errorAt']): void {
	if (at === 'error.string') data.error = reason;
	else if (at === 'error.object') data.error = { code: 'PROCESSING_FAILED', message: reason };
	else data[at] = reason;
}

/** `Bearer <key>` to echo into a task's answer: appended to its failure reason, and/or as extra data fields. */
export interface TaskEcho {
	reason?: string;
	data?: string;
}

export const echoed = (text: string, bearer?: string): string => (bearer ? `${text} (request Authorization: ${bearer})` : text);

export function taskBody(task: TaskRecord, shape: ShapeVariant, withId = true, echo: TaskEcho = {}): Json {
	const data: Json = {};
	const idKey = shape.idAt.replace(/^data\./, '');
	const idInData = shape.idAt.startsWith('data.') || !shape.envelope;
	if (withId && idInData) data[idKey] = task.id;
	data.status = statusWord(task.state, shape);
	data.model = task.model;
	data.created_at = new Date(task.createdAt).toISOString();
	if (task.state === 'succeeded' && task.resultUrl) placeResult(data, task, task.resultUrl, shape.resultAt);
	if (task.state === 'failed') placeError(data, echoed(task.error ?? 'Task failed', echo.reason), shape.errorAt);
	if (echo.data) Object.assign(data, { request_auth: echo.data, debug: { headers: { authorization: echo.data } } });
	if (!shape.envelope) return data;
	const body: Json = { code: 200, message: 'success' };
	if (withId && !idInData) body[idKey] = task.id;
	body.data = data;
	return body;
}

export const errorBody = (code: number, message: string): Json => ({ code, message });
