import type { StandIn } from '../stand-in/server';
import { fail, finished, until, type N8n } from './n8n';
import { batchUrls, createsPerUrl, expectParkedOutput, GET_NODE, PARK_NODE, PARK_REFUSAL, parkNodeId, parkedWorkflow, tasksOf } from './parked';
import { expectUpscaledFiles, output, type Check } from './workflows';

// While Waiting = Park in one n8n process (SQLite): on 2.x a short batch parks and its callbacks end
// it; on 1.x the node refuses before it creates anything (docs/design-parked-batches.md 2.6).

const MANUAL = "When clicking 'Execute workflow'";
const IMAGES = 5;

/** Imports the workflow (before n8n starts); the check runs once the server is up. */
export async function parkedBatchCheck(n8n: N8n, standIn: StandIn): Promise<Check> {
	const urls = batchUrls(standIn, `parked-single-${n8n.install.major}`, IMAGES);
	// Checks from n8n every 10 min: only the callbacks can end this batch within the check's minute.
	const workflow = parkedWorkflow('e2eParkedBatch01', 'Parked batch', urls, { checkEverySeconds: 600 });
	await n8n.importJson('workflow', [workflow]);
	const run = () => n8n.runManually(workflow.id, MANUAL);
	if (n8n.install.major < 2) {
		return {
			name: `5. While Waiting = Park on 1.x: refused ("${PARK_REFUSAL}..."), nothing created`,
			async run() {
				const execution = await finished(n8n, await run(), 60_000);
				const { error, runData } = execution.data?.resultData ?? { runData: {} };
				const message = runData[PARK_NODE]?.[0]?.error?.message ?? error?.message ?? '';
				if (execution.status !== 'error' || !message.startsWith(PARK_REFUSAL)) fail(`status ${execution.status}, error: ${message || '(none)'}`);
				const creates = createsPerUrl(standIn, urls).reduce((a, b) => a + b, 0);
				if (creates !== 0) fail(`the stand-in got ${creates} creates`);
			},
		};
	}
	return {
		name: `5. While Waiting = Park, ${IMAGES} images: the execution waits, the callbacks end it, Task -> Get downloads 2x files`,
		async run() {
			standIn.fault('create', { fault: { kind: 'takes', ms: 6000 }, times: IMAGES, match: (req) => urls.includes(req.body?.image) });
			const id = await run();
			await until(`execution ${id} to wait`, async () => ((await n8n.execution(id)).status === 'waiting' ? true : undefined), 30_000);
			const execution = await finished(n8n, id, 60_000);
			if (execution.status !== 'success') fail(`execution ${id} ended ${execution.status}`);
			expectParkedOutput(execution, standIn, urls);
			const creates = createsPerUrl(standIn, urls);
			if (creates.some((n) => n !== 1)) fail(`creates per input (each must be 1): ${JSON.stringify(creates)}`);
			const path = `/webhook-waiting/${id}/${parkNodeId(workflow)}`;
			for (const task of tasksOf(standIn, urls)) {
				const answered = standIn.log.callbacks.filter((c) => c.taskId === task.id && new URL(c.url).pathname === path && c.status === 200);
				if (!answered.length) fail(`task ${task.id}: no callback answered 200 at ${path} (callback URL ${task.callbackUrl ?? 'none'})`);
			}
			await expectUpscaledFiles(n8n, standIn, output(execution, GET_NODE));
		},
	};
}
