/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Execution, N8n } from '../n8n';
import { createsPerUrl, expectParkedOutput, GET_NODE, PARK_NODE, tasksOf } from '../parked';
import { executionsRunBy } from './cluster';
import type { QueueRun } from './context';
import { expectUpscaledOverRest, fail, finished, output, until } from './runs';
import { MANUAL } from './workflows';

// Parked batches (docs/design-parked-batches.md 2.8): the Image Upscale node parks its execution
// while the service works, so no worker holds it, and the batch survives SIGKILLs of every n8n
// process. Counted from PostgreSQL, Redis, the workers' logs and the stand-in's request log.

/** Each task of the 50 takes about this long (jitter 0.2), 20 at a time: they end in three waves, about 35, 70 and 105 s after the park. */
const TASK_MS = 35_000;
const LOST_CALLBACKS = 5;

const statusOf = (run: QueueRun, id: string) => run.pg.sql(`select status, "waitTill" from execution_entity where id = ${Number(id)}`).trim();
const isWaiting = (row: string) => /^waiting\t3000-01-01/.test(row);

/**
 * Jobs the workers run now: the length of Bull's active list, from Redis itself. Its key is
 * `<prefix>:<queue>:active`, and n8n 2.41.1 uses prefix `bull` (QUEUE_BULL_PREFIX) and queue `jobs`
 * (`n8n/dist/scaling/queue-name.js`).
 */
const activeJobs = (run: QueueRun) => Number(execFileSync('redis-cli', ['-p', String(run.redis.port), 'llen', 'bull:jobs:active']).toString().trim());

/** A worker's jobs of one execution, from its log's "Worker started/finished execution N (job J)" lines. */
function jobsOf(worker: N8n, id: string) {
	const file = join(worker.folder, 'n8n.log');
	const jobs = new Map<string, { start?: number; end?: number }>();
	for (const line of existsSync(file) ? readFileSync(file, 'utf8').split('\n') : []) {
		const m = /Worker (started|finished) execution (\d+) \(job (\w+)\)/.exec(line);
		if (!m || m[2] !== id) continue;
		const { timestamp, metadata } = JSON.parse(line) as { timestamp?: string; metadata?: { timestamp?: string } };
		const job = jobs.get(m[3]) ?? {};
		job[m[1] === 'started' ? 'start' : 'end'] = Date.parse(timestamp ?? metadata?.timestamp ?? '');
		jobs.set(m[3], job);
	}
	return [...jobs.values()];
}

const busySeconds = (run: QueueRun, id: string) =>
	run.cluster.workers.flatMap((w) => jobsOf(w, id)).reduce((sum, job) => sum + ((job.end ?? NaN) - (job.start ?? NaN)) / 1000, 0);

/** The stand-in's callback attempts for these tasks, by n8n's answer ("error": no answer, the process was down). */
function callbackAnswers(run: QueueRun, urls: string[]) {
	const ids = new Set(tasksOf(run.standIn, urls).map((task) => task.id));
	const answers: Record<string, number> = {};
	for (const c of run.standIn.log.callbacks.filter((c) => ids.has(c.taskId))) answers[c.status] = (answers[c.status] ?? 0) + 1;
	return JSON.stringify(answers);
}

/** What the callbacks got, and n8n's warnings, for a batch that did not end. */
function whyNotEnded(run: QueueRun, id: string, urls: string[]) {
	const warnings = [run.cluster.main, ...run.cluster.webhooks, ...run.cluster.workers].flatMap((n8n) =>
		n8n.logTail().split('\n').filter((line) => /"level":"(warn|error)"/.test(line)).slice(-3),
	);
	return `execution ${id} is ${statusOf(run, id)}; callback attempts by answer ${callbackAnswers(run, urls)}; n8n's last warnings:\n${warnings.join('\n')}`;
}

/** The figures the issue asks for, then the checks every ended parked batch must pass. */
async function expectBatchDone(run: QueueRun, execution: Execution, urls: string[], startedAt: number, label: string) {
	const { standIn, figure } = run;
	const tasks = tasksOf(standIn, urls);
	const creates = createsPerUrl(standIn, urls);
	const reads = tasks.reduce((sum, task) => sum + standIn.log.statusReads(task.id), 0);
	const stoppedAt = Date.parse(execution.stoppedAt ?? '');
	const lastTaskEnd = Math.max(...tasks.map((task) => task.endedAt ?? NaN));
	const wall = (stoppedAt - startedAt) / 1000;
	const busy = busySeconds(run, execution.id);
	figure(
		`${label}: creates per task ${(creates.reduce((a, b) => a + b, 0) / urls.length).toFixed(2)}, reads per task ${(reads / urls.length).toFixed(2)} ` +
			`(Task -> Get's included), worker busy ${busy.toFixed(1)} s of ${wall.toFixed(1)} s wall (${((100 * busy) / wall).toFixed(1)}%), ` +
			`last task's end to the execution's end ${((stoppedAt - lastTaskEnd) / 1000).toFixed(1)} s; callback attempts by answer ${callbackAnswers(run, urls)}`,
	);
	if (execution.status !== 'success') fail(`execution ${execution.id} ended ${execution.status}: ${execution.data?.resultData.error?.message ?? ''}`);
	if (creates.some((n) => n !== 1)) fail(`creates per input (each must be 1): ${JSON.stringify(creates)}`);
	const jobs = run.cluster.workers.flatMap((w) => jobsOf(w, execution.id));
	if (jobs.length !== 2 || !(busy > 0)) fail(`workers' logs: ${jobs.length} jobs of execution ${execution.id}, not 2 (the park, the resume): ${JSON.stringify(jobs)}`);
	expectParkedOutput(execution, standIn, urls);
	const files = output(execution, GET_NODE);
	if (files.length !== urls.length) fail(`"${GET_NODE}" output ${files.length} items for ${urls.length} tasks`);
	await expectUpscaledOverRest(run.cluster.main, standIn, files);
}

/** Waits for the execution to park; the ids it created must be in the waiting execution before the service ends any task. */
async function parked(run: QueueRun, id: string, urls: string[]) {
	await until(`execution ${id} waiting in PostgreSQL`, async () => (isWaiting(statusOf(run, id)) ? true : undefined), 60_000);
	const execution = await run.cluster.main.execution(id);
	const tasks = tasksOf(run.standIn, urls);
	if (tasks.length !== urls.length) fail(`the stand-in has ${tasks.length} tasks for the ${urls.length} images at the park`);
	const before = execution.data?.resultData.runData[PARK_NODE]?.[0]?.data?.main?.[0] ?? [];
	const shown = before.map((item) => `${String(item.json.taskId)}:${String(item.json.state)}`).sort();
	const expected = tasks.map((task) => `${task.id}:parked`).sort();
	if (JSON.stringify(shown) !== JSON.stringify(expected)) fail(`the waiting execution shows ${JSON.stringify(shown.slice(0, 3))}... for tasks ${JSON.stringify(expected.slice(0, 3))}...`);
	const context = JSON.stringify((execution.data as { executionData?: { contextData?: unknown } } | undefined)?.executionData?.contextData ?? {});
	const missing = tasks.filter((task) => !context.includes(task.id));
	if (missing.length) fail(`${missing.length} task ids are not in the waiting execution's context data: ${context.slice(0, 300)}`);
	return tasks;
}

export async function parkedBatchSurvivesRestarts(run: QueueRun) {
	const { ctx, cluster, standIn } = run;
	const { workflow, urls } = run.workflows.parked;
	standIn.fault('create', { fault: { kind: 'takes', ms: TASK_MS }, times: urls.length, match: (req) => urls.includes(req.body?.image) });
	// The first tasks to end send no callback (lost, as during a process's restart): with the checker
	// gone with its worker, only the other callbacks' reads can find them ended.
	const isOurs = (taskId?: string) => urls.includes(standIn.task(taskId ?? '')?.image ?? '');
	standIn.fault('callback', { fault: { kind: 'noCallback' }, times: LOST_CALLBACKS, match: (req) => isOurs(req.taskId) });
	let id = '';
	let submitter: N8n | undefined;
	const startedAt = Date.now();
	const ok = await ctx.check('(park a) 50 images, While Waiting = Park: the execution waits in PostgreSQL with every task id, no worker runs it', async () => {
		id = await cluster.main.runManually(workflow.id, MANUAL);
		const tasks = await parked(run, id, urls);
		const ended = tasks.filter((task) => task.state === 'succeeded' || task.state === 'failed');
		if (ended.length) fail(`${ended.length} tasks had already ended at the park: the batch must park while the service works`);
		// The worker logs the job finished, then Bull moves it out of the active list: a few seconds' grace for both.
		const ranOn = await until(`one worker's log to show execution ${id} started and finished`, async () => {
			const workers = cluster.workers.filter((worker) => executionsRunBy(worker).includes(id));
			return workers.length === 1 && jobsOf(workers[0], id).every((job) => job.end) ? workers : undefined;
		}, 10_000);
		submitter = ranOn[0];
		const jobs = jobsOf(submitter, id);
		if (jobs.length !== 1) fail(`the worker's log has ${jobs.length} jobs of execution ${id}: ${JSON.stringify(jobs)}`);
		await until(`Redis to list no active job while execution ${id} waits`, async () => (activeJobs(run) === 0 ? true : undefined), 10_000);
		run.figure(`(park a) execution ${id} parked on worker ${cluster.workers.indexOf(submitter) + 1} after ${((jobs[0].end! - startedAt) / 1000).toFixed(1)} s (job ${((jobs[0].end! - jobs[0].start!) / 1000).toFixed(1)} s)`);
	});
	if (!ok || !submitter) return;
	await ctx.check('(park b) SIGKILL the worker that parked it, start it again: the execution still waits', async () => {
		const t0 = Date.now();
		await submitter!.kill();
		if (!isWaiting(statusOf(run, id))) fail(`after the SIGKILL execution ${id} is ${statusOf(run, id)}`);
		await submitter!.start();
		if (!isWaiting(statusOf(run, id))) fail(`after the worker's restart execution ${id} is ${statusOf(run, id)}`);
		run.figure(`(park b) the worker restarted in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	});
	await ctx.check('(park c) SIGKILL main and both webhook processes while the tasks run, start them once callbacks found them down: the execution still waits', async () => {
		const t0 = Date.now();
		const ended = () => tasksOf(standIn, urls).filter((task) => task.endedAt).length;
		const endedBefore = ended();
		if (endedBefore === urls.length) fail('every task had ended before the kills: they must come while the service works');
		await Promise.all([cluster.main, ...cluster.webhooks].map((n8n) => n8n.kill()));
		if (!isWaiting(statusOf(run, id))) fail(`after the SIGKILLs execution ${id} is ${statusOf(run, id)}`);
		// Down until callbacks have come and found nobody (beyond the ones never sent): the sender must send them again.
		const unanswered = () => standIn.log.callbacks.filter((c) => c.status === 'error' && isOurs(c.taskId)).length;
		await until('a callback to find n8n down', async () => (unanswered() >= 3 ? true : undefined), 120_000);
		await cluster.main.start();
		await Promise.all(cluster.webhooks.map((webhook) => webhook.start()));
		run.figure(`(park c) main and 2 webhook processes down and back after ${((Date.now() - t0) / 1000).toFixed(1)} s; tasks ended before the kills ${endedBefore}, meanwhile ${ended() - endedBefore}, after ${urls.length - ended()}; ${unanswered()} callback attempts found n8n down`);
		if (!isWaiting(statusOf(run, id))) fail(`after the restarts execution ${id} is ${statusOf(run, id)}`);
	});
	const name = `(park b, c) the callbacks end it (${LOST_CALLBACKS} never sent): success, 50 items succeeded, 1 create per task, 50 files read over REST`;
	await ctx.check(name, async () => {
		const execution = await finished(cluster.main, id, 360_000).catch((error: Error) => fail(`${error.message}: ${whyNotEnded(run, id, urls)}`));
		const silent = tasksOf(standIn, urls).filter((task) => !standIn.log.callbacks.some((c) => c.taskId === task.id));
		if (silent.length !== LOST_CALLBACKS) fail(`${silent.length} tasks sent no callback, not ${LOST_CALLBACKS} (the stand-in's fault)`);
		const resumedOn = cluster.workers.map((worker, i) => `worker ${i + 1}: ${jobsOf(worker, id).length} jobs`).join(', ');
		run.figure(`(park b, c) execution ${id}: ${resumedOn}`);
		await expectBatchDone(run, execution, urls, startedAt, '(park b, c) 50 images parked');
	});
}

export async function parkedBatchEndedByChecks(run: QueueRun) {
	const { workflow, urls } = run.workflows.parkedChecks;
	run.standIn.fault('create', { fault: { kind: 'takes', ms: 10_000 }, times: urls.length, match: (req) => urls.includes(req.body?.image) });
	await run.ctx.check("(park d) Resume On = Checks From n8n Only (10 images, checks every 5 s): no callback URL sent, the worker's checks end it", async () => {
		const startedAt = Date.now();
		const id = await run.cluster.main.runManually(workflow.id, MANUAL);
		const tasks = await parked(run, id, urls);
		const withUrl = tasks.filter((task) => task.callbackUrl);
		if (withUrl.length) fail(`${withUrl.length} tasks were created with a callback URL: ${withUrl[0].callbackUrl}`);
		const execution = await finished(run.cluster.main, id, 120_000);
		const callbacks = run.standIn.log.callbacks.filter((c) => tasks.some((task) => task.id === c.taskId));
		if (callbacks.length) fail(`the stand-in sent ${callbacks.length} callbacks for these tasks`);
		await expectBatchDone(run, execution, urls, startedAt, '(park d) 10 images, checks only');
	});
}
