import { deliverToAllAtOnce } from './checks-trigger';
import type { QueueRun } from './context';
import { endedTasks, expectUpscaledOverRest, fail, output, passedOn, startsPerTask, triggerRuns } from './runs';
import type { Workflow } from './workflows';

// Exactly once across webhook processes, the way example 06 shows users: the trigger may start
// twice, and what comes after it lets one of the two through. Measured with the same task
// delivered to both webhook processes at the same moment.

const TASKS = 10;

async function simultaneousDeliveries({ cluster, standIn }: QueueRun, workflow: Workflow, gate: string, name: string) {
	const taskIds = await endedTasks(standIn, TASKS, name);
	await deliverToAllAtOnce(cluster.webhooks, workflow, taskIds);
	const runs = await triggerRuns(cluster.main, workflow.id, taskIds);
	const started = startsPerTask(runs, taskIds);
	const passed = runs.filter((run) => passedOn(run.execution, gate));
	const through = startsPerTask(passed, taskIds);
	const failed = runs.filter((run) => run.execution.status !== 'success');
	const summary =
		`trigger started ${started.twice} of ${TASKS} tasks twice; past "${gate}": ` +
		`${TASKS - through.never - through.twice} once, ${through.twice} twice, ${through.never} never; ${failed.length} executions failed`;
	const failures: Failure[] = failed.map(({ execution }) => {
		const { error, runData = {} } = execution.data?.resultData ?? {};
		const node = error?.node?.name ?? Object.keys(runData).find((name) => runData[name].some((nodeRun) => nodeRun.error));
		return { executionId: execution.id, node, message: error?.message ?? execution.status };
	});
	return { passed, through, summary, failures };
}

interface Failure {
	executionId: string;
	node?: string;
	message: string;
}

const listed = (failures: Failure[]) => failures.map((f) => `${f.executionId} (${f.node ?? '?'}: ${f.message})`).join('; ');

export async function exactlyOnce(run: QueueRun) {
	const name = '(c) example 06, the same task to both webhook processes at once (10 tasks): each task goes past the Redis count once, its file read over REST';
	await run.ctx.check(name, async () => {
		const { passed, through, summary, failures } = await simultaneousDeliveries(run, run.workflows.exactlyOnce, 'First Delivery?', 'exactly-once');
		run.figure(`example 06 (Redis increment), simultaneous deliveries to both processes: ${summary}`);
		if (failures.length) fail(`executions failed: ${listed(failures)}`);
		if (through.twice > 0 || through.never > 0) fail(`runs past "First Delivery?" per task: ${JSON.stringify([...through.starts])}`);
		for (const { execution } of passed) await expectUpscaledOverRest(run.cluster.main, run.standIn, output(execution, 'Get Result'));
	});
}

/** Two executions writing the same key into Remove Duplicates' history at once: n8n's table refuses the second. */
const isHistoryRace = (failure: Failure) =>
	failure.node === 'Remove Duplicates' && failure.message.includes('duplicate key value violates unique constraint');

/**
 * Remove Duplicates reads its history, then writes it back, without a lock: measured, not relied on.
 * Where both executions of a task write its ID at once, one of them fails on the table's unique key
 * (n8n's node, seen in 2 of 8 runs): counted, the other failures still fail the check.
 */
export async function removeDuplicatesIsNotEnough(run: QueueRun) {
	await run.ctx.check('(c) Remove Duplicates in place of the Redis count (measured): each task still goes past it at least once', async () => {
		const { through, summary, failures } = await simultaneousDeliveries(run, run.workflows.removeDuplicates, 'Remove Duplicates', 'remove-duplicates');
		run.figure(`Remove Duplicates (n8n's node) in place of the Redis count, simultaneous deliveries: ${summary}`);
		const unexpected = failures.filter((failure) => !isHistoryRace(failure));
		if (unexpected.length) fail(`executions failed: ${listed(unexpected)}`);
		if (through.never > 0) fail(`${through.never} tasks never went past Remove Duplicates`);
	});
}
