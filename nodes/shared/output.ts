import type { IDataObject } from 'n8n-workflow';

import type { Task } from './task';

// The output shape: what both nodes make of a Task. Users' workflows read these names: keep them.

export interface OutputOptions {
	model?: string;
	elapsedMs?: number;
	/** Adds the service's own status word, every result URL and its raw `data` object. */
	includeServiceDetails?: boolean;
}

/**
 * The output item's JSON, the same from every operation and node so workflows read it one way:
 * a few stable fields that read well in n8n's table view; the service's raw answer on request.
 */
export function taskJson(task: Task, options: OutputOptions = {}): IDataObject {
	return {
		taskId: task.taskId ?? null,
		state: task.state,
		imageUrl: task.imageUrl ?? null,
		error: task.error ?? null,
		...(options.model !== undefined ? { model: options.model } : {}),
		...(options.elapsedMs !== undefined ? { elapsedMs: options.elapsedMs } : {}),
		...(options.includeServiceDetails ? { status: task.status, imageUrls: task.imageUrls, response: task.response } : {}),
	};
}

/** What an AI agent gets from the node used as a tool: the result URLs, the task and one line to read. */
export function toolJson(task: Task): IDataObject {
	const task_ = task.taskId ? ` (task ${task.taskId})` : '';
	const summary =
		task.state === 'succeeded'
			? `The result image is ready${task_}: ${task.imageUrl ?? 'the service gave no URL'}`
			: task.state === 'failed'
				? `The task failed${task_}: ${task.error}`
				: `The task is still running${task_}. Ask for it again later by its task ID (Task -> Get); upscaling the same image again would pay twice`;
	return { summary, taskId: task.taskId ?? null, state: task.state, imageUrl: task.imageUrl ?? null, imageUrls: task.imageUrls, error: task.error ?? null };
}
