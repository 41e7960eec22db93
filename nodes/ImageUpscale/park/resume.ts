import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { answer, answerUnknownTask, askToResend } from '../../shared/answer';
import { clock } from '../../shared/clock';
import { taskJson } from '../../shared/output';
import { isTaskId, taskIdIn, type Task } from '../../shared/task';
import { isNotFound, RateGate, readWhileWaiting, verifyTask } from '../../shared/transport';
import { readParked, type ParkedBatch } from './record';

/** Reads at once in a check's sweep, and in a callback's once its first read found a task ended. */
const CHECK_READS_AT_ONCE = 10;
/** Tasks of all batches this process remembers (about 200 bytes each); older batches are read again if they come back. */
const MAX_REMEMBERED_TASKS = 100_000;

/** What this process has learned of a batch: the ended tasks' output JSON. Lost with the process, rebuilt by reading. */
interface Known {
	ids: Set<string>;
	ended: Map<string, IDataObject>;
	sweeping: boolean;
}
const remembered = new Map<string, Known>();

function knownOf(batch: ParkedBatch): Known {
	let known = remembered.get(batch.batchId);
	if (known) remembered.delete(batch.batchId);
	known ??= { ids: new Set(batch.tasks.filter((id): id is string => id !== null)), ended: new Map(), sweeping: false };
	remembered.set(batch.batchId, known);
	let tasks = 0;
	for (const other of remembered.values()) tasks += other.ids.size;
	for (const [id, other] of remembered) {
		if (tasks <= MAX_REMEMBERED_TASKS || other === known) break;
		tasks -= other.ids.size;
		remembered.delete(id);
	}
	return known;
}

const endedJson = (batch: ParkedBatch, task: Task) =>
	taskJson(task, { model: batch.model, elapsedMs: clock.now() - batch.startedAt, includeServiceDetails: batch.includeServiceDetails });

const unknownTasks = (known: Known) => [...known.ids].filter((id) => !known.ended.has(id));

/**
 * Reads the tasks not known to have ended, oldest first, and stops at a task still running (unless
 * `all`, once the limit passed). A callback's sweep starts with one read, a check's with ten; a
 * read that finds its task ended means more were missed, and the sweep goes on ten at a time. So
 * the tasks whose callbacks were lost (n8n answers 409 while the tasks are being created; a
 * process was down) are found by the next callback, and the last one finds every task ended. A
 * failed read throws: the next callback or check goes on from there. Returns the tasks read still
 * running.
 */
async function sweep(ctx: IWebhookFunctions, batch: ParkedBatch, known: Known, at: { atOnce: number; all: boolean }): Promise<Map<string, Task>> {
	const running = new Map<string, Task>();
	const gate = new RateGate();
	const stillRunning = () => [...running.keys()].some((id) => !known.ended.has(id));
	for (let atOnce = at.atOnce; ; atOnce = CHECK_READS_AT_ONCE) {
		const ids = unknownTasks(known)
			.filter((id) => !running.has(id))
			.slice(0, atOnce);
		if (ids.length === 0) return running;
		const reads = ids.map(async (id) => ({ id, read: await readWhileWaiting(ctx, id, { gate }) }));
		for (const { id, read } of await Promise.all(reads)) {
			if (!('state' in read)) throw read.error;
			if (read.state === 'running') running.set(id, read);
			else known.ended.set(id, endedJson(batch, read));
		}
		// A callback that came during the read may have ended the task that stopped this sweep.
		if (!at.all && stillRunning()) return running;
	}
}

/** One output item per input item, in input order, as Wait for Result outputs them (without files). */
function outputItems(batch: ParkedBatch, known: Known, running: Map<string, Task>): INodeExecutionData[] {
	const seconds = Math.round(batch.limitMs / 100) / 10;
	return batch.tasks.map((id, index) => {
		const json = id === null ? batch.ready[String(index)] : known.ended.get(id);
		if (json) return { json, pairedItem: { item: index } };
		const task: Task = running.get(id!) ?? { taskId: id!, state: 'running', queued: false, status: 'running', imageUrls: [], response: {} };
		const still = endedJson(batch, task);
		if (!batch.returnRunning) still.error = `The task was still running after ${seconds} seconds. Fetch it later with Task -> Get.`;
		return { json: still, pairedItem: { item: index } };
	});
}

/** A callback's task, verified with the API; or the answer already sent when it is none of ours or cannot be read now. */
async function takeCallback(ctx: IWebhookFunctions, batch: ParkedBatch, known: Known, taskId: string | undefined): Promise<IWebhookResponseData | undefined> {
	if (!taskId || !isTaskId(taskId) || !known.ids.has(taskId)) return answer(ctx, 200, 'Ignored: not a task of this batch');
	if (known.ended.has(taskId)) return undefined;
	let task: Task;
	try {
		task = await verifyTask(ctx, taskId);
	} catch (error) {
		return isNotFound(error) ? answerUnknownTask(ctx) : askToResend(ctx, 'unverified');
	}
	if (task.state === 'running') return askToResend(ctx, 'running');
	known.ended.set(taskId, endedJson(batch, task));
	return undefined;
}

/**
 * The parked batch's webhook: a task's callback (verified, never trusted) or a check. Once every
 * task has ended, or the limit passed, it resumes the execution with the batch's output.
 */
export async function parkedWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const batch = readParked(this);
	if (!batch) return answer(this, 200, 'Ignored: this node has no parked batch');
	const known = knownOf(batch);
	const body = this.getBodyData();
	const isCheck = body?.check === true;
	if (!isCheck) {
		const answered = await takeCallback(this, batch, known, taskIdIn(body));
		if (answered) return answered;
	}
	const pastLimit = clock.now() >= batch.parkedAt + batch.limitMs;
	const left = unknownTasks(known).length;
	if (known.sweeping) return answer(this, 200, `Received; ${left} tasks of the batch have not ended yet`);

	answer(this, 200, left > 0 ? 'Received; checking the batch' : 'The batch has ended');
	known.sweeping = true;
	try {
		const running = await sweep(this, batch, known, { atOnce: isCheck || pastLimit ? CHECK_READS_AT_ONCE : 1, all: pastLimit });
		// Callbacks that came during the sweep may have ended the rest.
		if (unknownTasks(known).length > 0 && !pastLimit) return { noWebhookResponse: true };
		remembered.delete(batch.batchId);
		return { noWebhookResponse: true, workflowData: [outputItems(batch, known, running)] };
	} catch (error) {
		this.logger.warn(`Image Upscale: a parked batch's check failed, the next one goes on: ${(error as Error).message}`);
		return { noWebhookResponse: true };
	} finally {
		known.sweeping = false;
	}
}
