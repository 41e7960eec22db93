import { startStandIn } from '../../stand-in/server';
import { installN8n, type Suite, type SuiteContext } from '../harness';
import { createCluster, executionsRunBy, installEverywhere, startCluster } from '../queue/cluster';
import { batchOnAWorker, callbackThroughWebhookProcess } from '../queue/checks-files';
import { duplicateDeliveries, resent, spreadOverWebhookProcesses, waitForTriggerRoutes } from '../queue/checks-trigger';
import { exactlyOnce, removeDuplicatesIsNotEnough } from '../queue/checks-once';
import { redeliveryToTheOtherProcess } from '../queue/checks-redelivery';
import type { QueueRun } from '../queue/context';
import { parkedBatchEndedByChecks, parkedBatchSurvivesRestarts } from '../queue/checks-parked';
import { ensureQueueServices, startPostgres, startRedis } from '../queue/services';
import { importWorkflows, publishTriggers, queueWorkflows } from '../queue/workflows';

/**
 * n8n 2.x in queue mode, the way teams scale it: PostgreSQL, Redis, a main process, 2 workers and
 * 2 webhook processes, all on loopback, all started and stopped here.
 */
export function queueMode(): Suite {
	return {
		name: 'queue mode',
		async run(ctx: SuiteContext) {
			const phase = timer(ctx);
			ensureQueueServices(ctx.log);
			const install = installN8n(2);
			phase('PostgreSQL and Redis installed, n8n cached');
			const pg = await startPostgres();
			const redis = await startRedis().catch((error) => (pg.stop(), Promise.reject(error)));
			// Callbacks sent 9 times at most, the last about 5 min after the first: they outlast a restart of main and the webhook processes.
			const standIn = await startStandIn({ processingMs: 1500, jitter: 0.2, maxRunning: 20, callbackAttempts: 9 });
			const cluster = await createCluster(install, pg, redis);
			const figures: string[] = [];
			try {
				ctx.log(`\n== n8n ${install.version} in queue mode: PostgreSQL on 127.0.0.1:${pg.port}, Redis on 127.0.0.1:${redis.port}`);
				phase('PostgreSQL and Redis started');
				await installEverywhere(cluster, ctx.tarball);
				phase(`the package installed in ${cluster.all().length} user folders`);
				const workflows = queueWorkflows(standIn, cluster.webhooks);
				await importWorkflows(cluster.main, standIn, redis.port, workflows);
				phase('credential and workflows imported (migrations included)');
				await startCluster(cluster);
				phase('main, 2 workers and 2 webhook processes ready');
				await cluster.main.setUpOwner();
				await publishTriggers(cluster.main, workflows);
				await waitForTriggerRoutes(cluster.webhooks, workflows.triggers());
				ctx.log(`  main ${cluster.main.url}, webhook processes ${cluster.webhooks.map((w) => w.url).join(' ')}`);
				phase('owner set up, triggers published and answering on both webhook processes');

				const run: QueueRun = { ctx, cluster, pg, redis, standIn, workflows, figure: (line) => (figures.push(line), ctx.log(`  figure: ${line}`)) };
				await batchOnAWorker(run);
				await callbackThroughWebhookProcess(run);
				await spreadOverWebhookProcesses(run);
				await duplicateDeliveries(run);
				await redeliveryToTheOtherProcess(run);
				await exactlyOnce(run);
				await removeDuplicatesIsNotEnough(run);
				await parkedBatchSurvivesRestarts(run);
				await parkedBatchEndedByChecks(run);
				const perWorker = cluster.workers.map((worker, i) => `worker ${i + 1}: ${executionsRunBy(worker).length}`);
				run.figure(`executions started per worker over the whole suite: ${perWorker.join(', ')}`);
				run.figure(`callbacks answered 503 and sent again: ${resent.count} ${JSON.stringify([...resent.why])}`);
				phase('checks done');
			} catch (error) {
				await ctx.check('queue mode: set-up', () => Promise.reject(error));
			} finally {
				await cluster.stop();
				await redis.stop();
				pg.stop();
				await standIn.close();
				for (const n8n of cluster.all()) n8n.cleanup();
				phase('everything stopped');
				if (figures.length) ctx.log(`\n  queue-mode figures:\n    ${figures.join('\n    ')}`);
			}
		},
	};
}

function timer(ctx: SuiteContext) {
	const started = Date.now();
	return (what: string) => ctx.log(`  [${((Date.now() - started) / 1000).toFixed(1)} s] ${what}`);
}

