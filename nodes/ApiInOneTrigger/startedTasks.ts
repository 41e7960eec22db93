import type { IWebhookFunctions } from 'n8n-workflow';

const REMEMBERED = 500;

/**
 * Task ids claimed in this process, per workflow and trigger node. n8n hands each request a fresh
 * copy of the static data and saves it only after webhook() returns, so two deliveries of one task
 * arriving together would both find it absent there; this set is shared by them at once.
 */
const claims = new Map<string, Set<string>>();

/**
 * The tasks that already started this workflow, so that a callback the service sends again (or
 * retries) starts nothing the second time: claimed in memory, recorded in the node's static data,
 * which survives restarts.
 */
export function startedTasks(ctx: IWebhookFunctions) {
	const data = ctx.getWorkflowStaticData('node');
	const key = `${ctx.getWorkflow().id ?? ''}/${ctx.getNode().name}`;
	// A test event ("listen for test event") keeps nothing, as n8n keeps no static data of it.
	const claimed = ctx.getMode() === 'manual' ? new Set<string>() : (claims.get(key) ?? claims.set(key, new Set()).get(key)!);
	const recorded = (): string[] => (Array.isArray(data.startedTaskIds) ? (data.startedTaskIds as string[]) : []);
	return {
		/** False when the task already started the workflow, or another delivery of it is being handled. */
		claim(taskId: string): boolean {
			if (claimed.has(taskId) || recorded().includes(taskId)) return false;
			claimed.add(taskId);
			if (claimed.size > REMEMBERED) claimed.delete(claimed.values().next().value as string);
			return true;
		},
		/** The task did not start the workflow: a later callback may. */
		release: (taskId: string) => claimed.delete(taskId),
		record(taskId: string) {
			data.startedTaskIds = [...recorded(), taskId].slice(-REMEMBERED);
		},
	};
}
