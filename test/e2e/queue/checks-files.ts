import { executionsRunBy } from './cluster';
import type { QueueRun } from './context';
import { endedTasks, expectUpscaledOverRest, fail, finished, output, post, callbackBody, triggerRuns, type TriggerRun } from './runs';
import { MANUAL, productionUrl, TRIGGER } from './workflows';

// Checks (a), (b) and (d): results of runs on workers, stored by n8n in the database and read back
// over its REST API.

export async function batchOnAWorker({ ctx, cluster, standIn, workflows, figure }: QueueRun) {
	await ctx.check('(a) 50 images in one run (example 01) on a worker: 50 files, each 2x its input, read over REST', async () => {
		const id = await cluster.main.runManually(workflows.batch.id, MANUAL);
		const execution = await finished(cluster.main, id);
		const items = output(execution, 'Upscale Images');
		if (items.length !== 50) fail(`expected 50 items, n8n gave ${items.length}`);
		const ranOn = cluster.workers.map((worker, i) => (executionsRunBy(worker).includes(id) ? `worker ${i + 1}` : '')).filter(Boolean);
		if (ranOn.length !== 1) fail(`execution ${id} was started by ${ranOn.length} workers (their logs), not 1`);
		figure(`(a) the 50-image run (execution ${id}) ran on ${ranOn[0]}`);
		await expectUpscaledOverRest(cluster.main, standIn, items);
	});
}

export async function callbackThroughWebhookProcess({ ctx, cluster, standIn, workflows }: QueueRun) {
	await ctx.check('(b) callback to $execution.resumeUrl (example 04): resumed through a webhook process, Task -> Get file read over REST', async () => {
		const id = await cluster.main.runManually(workflows.callbackWait.id, MANUAL);
		const execution = await finished(cluster.main, id);
		const submitted = output(execution, 'Submit Upscale')[0].json;
		const callbacks = standIn.log.callbacks.filter((c) => c.taskId === submitted.taskId);
		const resumeUrl = `${cluster.webhooks[0].url}/webhook-waiting/${id}`;
		if (!callbacks.some((c) => c.status === 200 && c.url.startsWith(resumeUrl))) {
			fail(`no callback answered 200 at ${resumeUrl}...: ${JSON.stringify(callbacks.map((c) => [c.url, c.status]))}`);
		}
		await expectUpscaledOverRest(cluster.main, standIn, output(execution, 'Get Result'));
	});
}

/**
 * n8n 2.41.1 stores a file a trigger makes in a webhook process before the execution exists: in
 * database mode under execution "temp", which nothing renames and the REST endpoint refuses.
 */
export async function triggerDownloadIsNotReadable({ ctx, cluster, pg }: QueueRun, runs: TriggerRun[]) {
	await ctx.check('(d) n8n limitation: a file the trigger downloads in a webhook process is stored under execution "temp", REST answers 404', async () => {
		if (runs.length === 0) fail('no trigger runs with Download Result on to look at (check (c) failed earlier)');
		const seen: string[] = [];
		for (const { execution, taskId } of runs) {
			const id = output(execution, TRIGGER)[0].binary?.data?.id ?? fail(`execution ${execution.id}: the trigger output no file for ${taskId}`);
			const row = pg.sql(`select "sourceType", "sourceId" from binary_data where "fileId" = '${id.replace(/^database:/, '').replace(/'/g, '')}'`).trim();
			const { status } = await cluster.main.binary(id);
			seen.push(`execution ${execution.id}: ${id} -> REST ${status}, binary_data row (sourceType, sourceId) = (${row.replace('\t', ', ')})`);
		}
		ctx.log(`        ${seen.join('\n        ')}`);
		const asBefore = seen.every((line) => line.includes('REST 404') && line.endsWith('(execution, temp)'));
		if (!asBefore) fail('n8n changed: a trigger file is readable or stored elsewhere; see the lines above');
	});
}

export async function triggerThenTaskGet({ ctx, cluster, standIn, workflows }: QueueRun) {
	await ctx.check('(d) trigger (Download Result off) -> Task -> Get (Download Result on) on a worker: the file is read over REST', async () => {
		const taskIds = await endedTasks(standIn, 4, 'then-get');
		const replies = await Promise.all(taskIds.map((id, i) => post(productionUrl(cluster.webhooks[i % 2], workflows.triggerThenGet), callbackBody(id))));
		if (replies.some((reply) => reply.status !== 200)) fail(`callbacks answered ${replies.map((reply) => reply.status)}`);
		const runs = await triggerRuns(cluster.main, workflows.triggerThenGet.id, taskIds);
		if (runs.length !== taskIds.length) fail(`${taskIds.length} callbacks started ${runs.length} executions`);
		for (const run of runs) {
			if (output(run.execution, TRIGGER)[0].binary) fail(`execution ${run.execution.id}: the trigger downloaded although Download Result is off`);
			await expectUpscaledOverRest(cluster.main, standIn, output(run.execution, 'Get Result'));
		}
	});
}
