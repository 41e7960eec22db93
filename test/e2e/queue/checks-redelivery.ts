import type { N8n } from '../n8n';
import { deliver } from './checks-trigger';
import type { QueueRun } from './context';
import { endedTasks, fail, startsPerTask, triggerRuns } from './runs';
import { productionUrl, type Workflow } from './workflows';

// A sender's retry that reaches the other webhook process after the first delivery was answered
// (a load balancer in front of both). The trigger answers "started" only once n8n has saved the
// task in the workflow's static data, which every webhook process reads per request.

const TASKS = 20;
const STARTED = 'Workflow was started';
const IGNORED = /^Ignored: this task has already started the workflow/;

/** The first delivery of a task to one process, then, as soon as it is answered, the same to the other. */
async function firstThenOther(from: N8n, to: N8n, workflow: Workflow, taskId: string) {
	const firstAnswer = await deliver(productionUrl(from, workflow), taskId);
	const secondAnswer = await deliver(productionUrl(to, workflow), taskId);
	return { firstAnswer, secondAnswer };
}

async function redeliveries(run: QueueRun, name: string, firstTo: (i: number) => [N8n, N8n]) {
	const workflow = run.workflows.trigger;
	const taskIds = await endedTasks(run.standIn, TASKS, name);
	const answers = await Promise.all(taskIds.map((taskId, i) => firstThenOther(...firstTo(i), workflow, taskId)));
	const counted = startsPerTask(await triggerRuns(run.cluster.main, workflow.id, taskIds), taskIds);
	const ignored = answers.filter((a) => IGNORED.test(a.secondAnswer)).length;
	const summary = `${TASKS - counted.twice - counted.never} of ${TASKS} tasks started once, ${counted.twice} twice, ${counted.never} never; ${ignored} redeliveries answered "already started"`;
	return { answers, counted, summary };
}

export async function redeliveryToTheOtherProcess(run: QueueRun) {
	const [a, b] = run.cluster.webhooks;
	const name = `(c) ${TASKS} tasks at once to one webhook process, each sent to the other right after its answer: every task starts exactly once`;
	await run.ctx.check(name, async () => {
		const { answers, counted, summary } = await redeliveries(run, 'a-then-b', () => [a, b]);
		run.figure(`a redelivery to the other process right after the first answer (${TASKS} tasks at once, first to one process): ${summary}`);
		const unexpected = answers.find((x) => x.firstAnswer !== STARTED);
		if (unexpected) fail(`a first delivery was answered ${JSON.stringify(unexpected.firstAnswer)}, not "${STARTED}"`);
		if (counted.twice > 0 || counted.never > 0) fail(`starts per task: ${JSON.stringify([...counted.starts])}`);
	});
	// Measured, not a target: first deliveries reaching both processes at once. n8n saves the whole
	// static data and keeps the save committed last, so a process's save can drop a task the other
	// process saved a moment earlier; a redelivery of that task can then start it again.
	const spread = `(c) ${TASKS} tasks at once, first deliveries spread over both processes, each sent to the other right after its answer (measured): every task starts, at most twice`;
	await run.ctx.check(spread, async () => {
		const { counted, summary } = await redeliveries(run, 'spread-then-other', (i) => (i % 2 ? [b, a] : [a, b]));
		run.figure(`a redelivery to the other process right after the first answer (${TASKS} tasks at once, first deliveries spread over both): ${summary}`);
		if (counted.never > 0) fail(`${counted.never} tasks never started the workflow`);
		if ([...counted.starts.values()].some((n) => n > 2)) fail(`a task started more than twice: ${JSON.stringify([...counted.starts])}`);
	});
}
