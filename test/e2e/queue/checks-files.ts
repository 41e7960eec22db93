import { executionsRunBy } from './cluster';
import type { QueueRun } from './context';
import { expectUpscaledOverRest, fail, finished, output } from './runs';
import { MANUAL } from './workflows';

// Checks (a) and (b): results of runs on workers, stored by n8n in the database and read back
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
