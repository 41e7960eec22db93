import type { IWebhookFunctions } from 'n8n-workflow';

const REMEMBERED = 500;

/**
 * Per workflow and trigger node, what this process knows. n8n hands each request a fresh copy of
 * the static data and saves it only after webhook() returns, so two deliveries of one task
 * arriving together would both find it absent there: `claimed` is shared by them at once. And as
 * the last copy saved wins, a request writing back only what it loaded would drop the tasks that
 * other requests recorded meanwhile: each write carries everything in `recorded`.
 */
interface ProcessMemory {
	/** Tasks being handled or started here. */
	claimed: Set<string>;
	/** Tasks that started the workflow here, oldest first. */
	recorded: Set<string>;
}

const memory = new Map<string, ProcessMemory>();

function remember(set: Set<string>, taskId: string) {
	set.delete(taskId);
	set.add(taskId);
	if (set.size > REMEMBERED) set.delete(set.values().next().value as string);
}

/**
 * The tasks that already started this workflow, so that a callback the service sends again (or
 * retries) starts nothing the second time: claimed in memory, recorded in the node's static data,
 * which survives restarts.
 */
export function startedTasks(ctx: IWebhookFunctions) {
	const data = ctx.getWorkflowStaticData('node');
	const key = `${ctx.getWorkflow().id ?? ''}/${ctx.getNode().name}`;
	// A test event ("listen for test event") keeps nothing, as n8n keeps no static data of it.
	const here: ProcessMemory =
		ctx.getMode() === 'manual'
			? { claimed: new Set(), recorded: new Set() }
			: (memory.get(key) ?? memory.set(key, { claimed: new Set(), recorded: new Set() }).get(key)!);
	const loaded: string[] = Array.isArray(data.startedTaskIds) ? [...(data.startedTaskIds as string[])] : [];
	/** What was loaded, plus every task this process started (the latest last). */
	const merged = () => [...loaded.filter((id) => !here.recorded.has(id)), ...here.recorded].slice(-REMEMBERED);
	return {
		/** False when the task already started the workflow, or another delivery of it is being handled. */
		claim(taskId: string): boolean {
			if (here.claimed.has(taskId) || loaded.includes(taskId)) return false;
			remember(here.claimed, taskId);
			return true;
		},
		/** The task did not start the workflow: a later callback may. */
		release: (taskId: string) => here.claimed.delete(taskId),
		record(taskId: string) {
			remember(here.recorded, taskId);
			data.startedTaskIds = merged(); // through n8n's proxy: marks the static data as changed
			// n8n writes the static data after webhook() has returned, after the download: the list
			// is made again when it is written, so it has the tasks other requests started meanwhile.
			// (The setter only lets the assignment above mark the data changed again.)
			Object.defineProperty(data, 'startedTaskIds', { get: merged, set: () => undefined, enumerable: true, configurable: true });
		},
	};
}
