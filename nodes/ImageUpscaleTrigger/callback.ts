import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { answer, answerUnknownTask, askToResend } from '../shared/answer';
import { clock } from '../shared/clock';
import { taskJson } from '../shared/output';
import type { Task } from '../shared/task';
import { isNotFound, verifyTask } from '../shared/transport';
import { checkCallback } from './request';
import { triggerSettings } from './settings';
import { startedTasks } from './startedTasks';
import { verifyBudget } from './verifyBudget';

type VerifyBudget = ReturnType<typeof verifyBudget>;

/** A callback may come a moment before the status route says the task ended: read again this often, this far apart. */
const RUNNING_REREADS = 3;
const REREAD_PAUSE_MS = 1000;
const STARTED = 'Workflow was started';
/** How long after n8n read the list to save it the answer waits, and how long at most for that read. */
const WRITE_LANDS_MS = 500;
const MAX_WAIT_FOR_SAVE_MS = 5000;

/**
 * Answers "started" once n8n has begun storing the task in the static data, which every webhook
 * process reads per request, and a moment more for that write to land: a redelivery that follows
 * the answer, to any process, then finds the task. n8n 2.41 saves the static data only after
 * webhook() returned with noWebhookResponse (letting n8n answer "onReceived" skips the save: its
 * WorkflowRunner re-wraps the data and clears the changed flag), and tells the node nothing when
 * the save ends: the moment n8n reads the list to write it is the last sign the node gets.
 */
async function answerOnceStored(ctx: IWebhookFunctions, stored: Promise<void>) {
	try {
		// A test event keeps no static data: nothing to wait for.
		if (ctx.getMode() !== 'manual') {
			const stop = new AbortController();
			const limit = clock.sleep(MAX_WAIT_FOR_SAVE_MS, stop.signal).then(() => false, () => false);
			const seen = await Promise.race([stored.then(() => true), limit]);
			stop.abort();
			if (seen) await clock.sleep(WRITE_LANDS_MS);
		}
		answer(ctx, 200, STARTED);
	} catch (error) {
		ctx.logger.warn(`API in One Trigger could not answer a callback: ${(error as Error).message}`);
	}
}

/** The task as the API reports it, read again a few times (within the budget) while it still says running. */
async function verifiedTask(ctx: IWebhookFunctions, taskId: string, budget: VerifyBudget): Promise<Task> {
	let task = await verifyTask(ctx, taskId);
	for (let reread = 0; reread < RUNNING_REREADS && task.state === 'running'; reread++) {
		await clock.sleep(REREAD_PAUSE_MS);
		if (budget.take() !== undefined) break;
		task = await verifyTask(ctx, taskId);
	}
	return task;
}

/** The ended task as the API reports it, or the answer already sent when it cannot (or may not) be read now. */
async function endedTask(ctx: IWebhookFunctions, taskId: string, budget: VerifyBudget): Promise<{ task: Task } | { answered: IWebhookResponseData }> {
	if (budget.knownUnknown(taskId)) return { answered: answerUnknownTask(ctx) };
	const wait = budget.take();
	if (wait !== undefined) {
		return { answered: answer(ctx, 429, 'Too many callbacks to verify with API in One; send this one again later', { 'retry-after': String(wait) }) };
	}
	let task: Task;
	try {
		task = await verifiedTask(ctx, taskId, budget);
	} catch (error) {
		if (isNotFound(error)) {
			budget.rememberUnknown(taskId);
			return { answered: answerUnknownTask(ctx) };
		}
		ctx.logger.warn(`API in One Trigger could not verify task ${taskId}: ${(error as Error).message}`);
		return { answered: askToResend(ctx, 'unverified') };
	}
	if (task.state !== 'running') return { task };
	return { answered: askToResend(ctx, 'running') };
}

/**
 * Handles one callback. Only the task id is taken from the body: the task itself is read from the
 * API with the credential, so a forged or stale callback cannot bring in a status or a result URL.
 */
export async function receiveCallback(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const settings = triggerSettings(this);
	const check = await checkCallback(this, settings);
	if ('status' in check) return answer(this, check.status, check.message);
	const { taskId } = check;
	const started = startedTasks(this);
	if (!started.claim(taskId)) return answer(this, 200, 'Ignored: this task has already started the workflow, or another delivery of it is starting it');
	let recorded = false;
	try {
		const budget = verifyBudget(this);
		const verified = await endedTask(this, taskId, budget);
		if ('answered' in verified) return verified.answered;
		const { task } = verified;
		if (!settings.events.includes(task.state)) {
			return answer(this, 200, `Ignored: the task ${task.state}, and this trigger does not start on that`);
		}
		const overlappingSettled = started.record(taskId);
		recorded = true;
		budget.started();
		// No download here: in queue mode a file made in a webhook process cannot be read afterwards
		// (n8n stores it before the execution exists). A Task -> Get after the trigger downloads it.
		const json = taskJson(task, { includeServiceDetails: settings.includeServiceDetails });
		await overlappingSettled;
		void answerOnceStored(this, started.stored);
		return { noWebhookResponse: true, workflowData: [[{ json }]] };
	} finally {
		// Whatever kept the workflow from starting (running, unknown, an error), a later callback may start it.
		if (!recorded) started.release(taskId);
	}
}
