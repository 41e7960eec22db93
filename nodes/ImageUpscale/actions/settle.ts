import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_WAIT_LIMIT_SECONDS } from '../../shared/descriptions';
import { resultBinary } from '../../shared/download';
import { taskError } from '../../shared/errors';
import { taskJson, type Task } from '../../shared/task';
import { getTask } from '../../shared/transport';
import { waitForTask, type RunTimeEstimate } from '../../shared/wait';

/** What one run of the node shares between its items. */
export interface Batch {
	estimate: RunTimeEstimate;
	signal: AbortSignal;
}

export interface SettleOptions {
	itemIndex: number;
	batch: Batch;
	wait: boolean;
	download: boolean;
	/** Whether a task that ended failed is an error (Upscale) or a status to report (Get). */
	failedIsError: boolean;
	model?: string;
	/** Name of the input, for the result file's name. */
	inputName?: string;
	startedAt: number;
	options: IDataObject;
}

/** Waits for the task if asked, downloads its result if asked, and shapes the output item. */
export async function settle(ctx: IExecuteFunctions, first: Task, settle: SettleOptions): Promise<INodeExecutionData> {
	const { itemIndex, batch, options } = settle;
	let task = first;
	if (settle.wait && task.state === 'running' && task.taskId) {
		const taskId = task.taskId;
		const limitSeconds = Number(options.waitLimitSeconds ?? DEFAULT_WAIT_LIMIT_SECONDS);
		const waited = await waitForTask(task, () => getTask(ctx, taskId, { itemIndex, signal: batch.signal }), {
			limitMs: limitSeconds * 1000,
			estimate: batch.estimate,
			signal: batch.signal,
		});
		task = waited.task;
		if (waited.timedOut && options.onWaitLimit !== 'returnRunning') {
			throw taskError(
				ctx.getNode(),
				`The task was still running after ${limitSeconds} seconds`,
				itemIndex,
				taskId,
				`Task ID: ${taskId}. Fetch it later with the Task -> Get operation, or raise "Wait Limit (Seconds)".`,
			);
		}
	}
	if (task.state === 'failed' && settle.failedIsError) {
		throw taskError(ctx.getNode(), `The task failed: ${task.error}`, itemIndex, task.taskId);
	}

	const json = taskJson(task, { model: settle.model, elapsedMs: Date.now() - settle.startedAt });
	const item: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
	if (settle.download && task.state === 'succeeded') {
		item.binary = await resultBinary(ctx, task, options, { itemIndex, inputName: settle.inputName, signal: batch.signal });
	}
	return item;
}
