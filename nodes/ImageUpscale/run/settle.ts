import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import { clock } from '../../shared/clock';
import { asNodeError, operationError, type NodeError } from '../../shared/errors';
import { taskJson, toolJson } from '../../shared/output';
import type { Task } from '../../shared/task';
import { readWhileWaiting } from '../../shared/transport';
import type { Batch } from './batch';
import { resultBinary } from './download';
import type { ItemSettings } from './settings';
import { waitForTask } from './wait';

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
	const read = async () => await readWhileWaiting(ctx, taskId, { itemIndex, signal, gate: batch.gate });
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
 * Marks an error raised after the task was created with the task's ID (in its description and in
 * `context.taskId`, which continueOnFail items carry), so a paid task is never lost from sight.
 */
export function withTaskId(node: INode, error: unknown, itemIndex: number, taskId: string): NodeError {
	const marked = asNodeError(node, error, itemIndex);
	if (marked.context.taskId) return marked;
	marked.context.taskId = taskId;
	if (!`${marked.message} ${marked.description ?? ''}`.includes(taskId)) {
		marked.description = `Task ID: ${taskId}.${marked.description ? ` ${marked.description}` : ''}`;
	}
	return marked;
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
		// As a tool, a failed task is the answer: n8n's AI Agent 2.x hands a tool's error to the model
		// as an empty message, and 3.x keeps only its first line (docs/agents.md).
		if (task.state === 'failed' && options.failedIsError && !settings.asTool) {
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
