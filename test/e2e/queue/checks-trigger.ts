import { sleep, type N8n } from '../n8n';
import type { QueueRun } from './context';
import type { Postgres } from './services';
import { callbackBody, endedTasks, expectUpscaledOverRest, fail, finished, output, post, startsPerTask, triggerRuns, until } from './runs';
import { MANUAL, productionUrl, TRIGGER, type Workflow } from './workflows';

// Check (c) and the exactly-once recipe: the API in One Trigger behind two webhook processes. What
// n8n shares between them is the database only; how often a task starts the workflow is counted
// from n8n's executions.

/** Callbacks answered 503 and sent again, over the whole suite. */
export const resent = { count: 0, why: new Map<string, number>() };

/**
 * One callback, sent again as the service does on a 503: the trigger's own (it could not verify the
 * task in time) or n8n's "Database is not ready!" (its database ping timed out). Both were seen with
 * 50 callbacks at once on a loaded machine. Every 2 s instead of Retry-After's 30, for up to a minute.
 */
export async function deliver(url: string, taskId: string): Promise<string> {
	for (let attempt = 1; ; attempt++) {
		const reply = await post(url, callbackBody(taskId));
		if (reply.status === 200) return ((await reply.json()) as { message?: string }).message ?? '';
		const text = (await reply.text()).slice(0, 300);
		if (reply.status !== 503 || attempt === 30) fail(`a callback for ${taskId} to ${url} answered ${reply.status}: ${text}`);
		resent.count++;
		resent.why.set(text.slice(0, 100), (resent.why.get(text.slice(0, 100)) ?? 0) + 1);
		await sleep(2000);
	}
}

/** The same task to every webhook process at the same moment, for every task at once. */
export const deliverToAllAtOnce = (webhooks: N8n[], workflow: Workflow, taskIds: string[]) =>
	Promise.all(taskIds.flatMap((taskId) => webhooks.map((webhook) => deliver(productionUrl(webhook, workflow), taskId))));

export async function waitForTriggerRoutes(webhooks: N8n[], workflows: Workflow[]) {
	for (const webhook of webhooks) {
		for (const workflow of workflows) {
			const url = productionUrl(webhook, workflow);
			// A body without a task id is the trigger's own 400: the route is there and the node loaded.
			await until(`the trigger at ${url}`, async () => ((await post(url, {})).status === 400 ? true : undefined), 60_000);
		}
	}
}

/**
 * Example 03 as users run it, callbacks spread over both webhook processes. Its Task -> Get after the
 * trigger downloads on a worker, so the file is readable (check (d)): a file the trigger made in a
 * webhook process would be stored under no execution ("temp" in database mode) and answer 404.
 */
export async function spreadOverWebhookProcesses({ ctx, cluster, standIn, workflows }: QueueRun) {
	await ctx.check('(c, d) example 03, callbacks spread over both webhook processes: one verified execution per task, its Task -> Get file read over REST', async () => {
		const id = await cluster.main.runManually(workflows.trigger.id, MANUAL);
		const submitted = output(await finished(cluster.main, id), 'Submit Upscale').map((item) => String(item.json.taskId));
		const runs = await triggerRuns(cluster.main, workflows.trigger.id, submitted);
		if (runs.length !== submitted.length) fail(`${submitted.length} tasks started ${runs.length} executions`);
		for (const webhook of cluster.webhooks) {
			const answered = standIn.log.callbacks.filter((c) => submitted.includes(c.taskId) && c.url.startsWith(webhook.url) && c.status === 200);
			if (answered.length === 0) fail(`no callback reached the webhook process at ${webhook.url}`);
		}
		for (const { execution, taskId } of runs) {
			const json = output(execution, TRIGGER)[0].json;
			const verified = json.state === 'succeeded' && json.imageUrl === standIn.task(taskId)!.resultUrl;
			if (!verified) fail(`execution ${execution.id}: unverified output ${JSON.stringify(json).slice(0, 200)}`);
			await expectUpscaledOverRest(cluster.main, standIn, output(execution, 'Get Result'));
		}
	});
}

export async function duplicateDeliveries({ ctx, cluster, pg, standIn, workflows, figure }: QueueRun) {
	const [first] = cluster.webhooks;
	const workflow = workflows.trigger;

	await ctx.check('(c) the same task to both webhook processes at once (10 tasks): every task starts, at most once per process', async () => {
		const taskIds = await endedTasks(standIn, 10, 'both-at-once');
		await deliverToAllAtOnce(cluster.webhooks, workflow, taskIds);
		const counted = startsPerTask(await triggerRuns(cluster.main, workflow.id, taskIds), taskIds);
		figure(`simultaneous deliveries to both webhook processes: ${counted.twice} of ${taskIds.length} tasks started twice`);
		if (counted.never > 0) fail(`${counted.never} tasks never started the workflow`);
		const perTask = [...counted.starts.values()];
		if (perTask.some((n) => n > cluster.webhooks.length)) fail(`a task started more than once in one process: ${JSON.stringify([...counted.starts])}`);
	});

	await ctx.check('(c) 50 different callbacks to one process at once, then a restart of it and the same 50 again: 50 starts, none after the restart', async () => {
		const taskIds = await endedTasks(standIn, 50, 'fifty');
		await Promise.all(taskIds.map((taskId) => deliver(productionUrl(first, workflow), taskId)));
		const before = await triggerRuns(cluster.main, workflow.id, taskIds);
		const kept = taskIds.filter((id) => startedTaskIds(pg, workflow).includes(id)).length;
		figure(`50 different callbacks to one process at once: ${before.length} executions; ${kept} of 50 task ids kept in the workflow's static data`);
		await first.stop(5_000);
		await first.start();
		await waitForTriggerRoutes([first], [workflow]);
		await Promise.all(taskIds.map((taskId) => deliver(productionUrl(first, workflow), taskId)));
		const after = await triggerRuns(cluster.main, workflow.id, taskIds);
		const again = startsPerTask(after, taskIds).twice;
		figure(`the same 50 again after a restart of that process: ${again} of 50 tasks started a second time`);
		if (startsPerTask(before, taskIds).twice > 0 || before.length !== 50) fail(`one process started ${before.length} executions for 50 tasks`);
		if (kept !== 50) fail(`only ${kept} of the 50 task ids are in the static data n8n saved`);
		if (again > 0) fail(`${again} of 50 tasks started again after the restart`);
	});
}

/** The trigger's record of started tasks, as n8n saved it with the workflow (read from its database). */
function startedTaskIds(pg: Postgres, workflow: Workflow): string[] {
	const text = pg.sql(`select "staticData" from workflow_entity where id = '${workflow.id}'`).trim();
	const data = (text ? JSON.parse(text) : {}) as Record<string, { startedTaskIds?: string[] } | undefined>;
	return data[`node:${TRIGGER}`]?.startedTaskIds ?? [];
}
