import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Batch } from './batch';
import { clock } from './clock';
import { resultBinary } from './download';
import { asNodeError, operationError, withTaskId } from './errors';
import type { ItemSettings } from './settings';
import { taskJson, toolJson, type Task } from './task';
import { getTask, isRetryable, retryAfterOf } from './transport';
import { waitForTask, type FailedRead } from './wait';

/** One item's run: its index, the batch it belongs to, and the signal that stops it. */
export interface ItemRun {
	itemIndex: number;
	batch: Batch;
	signal: AbortSignal;
	startedAt: number;
}

export interface SettleOptions {
	settings: ItemSettings;
	/** Whether a task that ended failed is an error (Upscale) or a state to report (Get). */
	failedIsError: boolean;
	model?: string;
	/** Name of the input, for the result file's name. */
	inputName?: string;
}

async function waitedTask(ctx: IExecuteFunctions, run: ItemRun, task: Task, settings: ItemSettings): Promise<Task> {
	const { wait } = settings;
	const taskId = task.taskId;
	if (!wait || task.state !== 'running' || !taskId) return task;
	const { itemIndex, batch, signal } = run;
	// One attempt per read: a failed read that may pass goes back to the wait, which tries again later.
	const read = async (): Promise<Task | FailedRead> => {
		try {
			return await getTask(ctx, taskId, { itemIndex, signal, maxAttempts: 1, gate: batch.gate });
		} catch (error) {
			if (isRetryable(error)) return { error: error as Error, retryAfterMs: retryAfterOf(error) };
			throw asNodeError(ctx.getNode(), error, itemIndex);
		}
	};
	const waited = await waitForTask(task, read, { limitMs: wait.limitMs, estimate: batch.estimate, signal });
	if (!waited.timedOut || wait.returnRunning) return waited.task;
	const seconds = Math.round(wait.limitMs / 100) / 10;
	const lastRead = waited.lastReadError ? ` The last status read failed: ${waited.lastReadError.message}.` : '';
	throw operationError(ctx.getNode(), `The task was still running after ${seconds} seconds`, {
		itemIndex,
		description: `Task ID: ${taskId} (last status "${waited.task.status}").${lastRead} Fetch it later with the Task -> Get operation, or raise "Wait Limit (Seconds)".`,
	});
}

/**
 * Waits for the task if asked, downloads its result if asked, and shapes the output item. Every
 * error from here on names the task: it exists, and was paid for.
 */
export async function settle(ctx: IExecuteFunctions, run: ItemRun, first: Task, options: SettleOptions): Promise<INodeExecutionData> {
	const { itemIndex } = run;
	const { settings } = options;
	try {
		const task = await waitedTask(ctx, run, first, settings);
		if (task.state === 'failed' && options.failedIsError) {
			throw operationError(ctx.getNode(), `The task failed: ${task.error}`, { itemIndex });
		}
		const json = settings.asTool
			? toolJson(task)
			: taskJson(task, { model: options.model, elapsedMs: clock.now() - run.startedAt, includeServiceDetails: settings.includeServiceDetails });
		const item: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
		if (settings.download && task.state === 'succeeded') {
			item.binary = await resultBinary(ctx, task, settings.download, { itemIndex, inputName: options.inputName, signal: run.signal });
		}
		return item;
	} catch (error) {
		throw first.taskId ? withTaskId(ctx.getNode(), error, itemIndex, first.taskId) : error;
	}
}
