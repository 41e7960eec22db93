import type { IWebhookFunctions } from 'n8n-workflow';

const REMEMBERED = 500;

/**
 * The tasks that already started this workflow, oldest first, kept in the node's static data so
 * that a callback the service sends again (or retries) starts nothing the second time.
 */
export function startedTasks(ctx: IWebhookFunctions) {
	const data = ctx.getWorkflowStaticData('node');
	const ids = (): string[] => (Array.isArray(data.startedTaskIds) ? (data.startedTaskIds as string[]) : []);
	return {
		has: (taskId: string) => ids().includes(taskId),
		/** False when another delivery of the same task got here first. */
		add(taskId: string): boolean {
			const known = ids();
			if (known.includes(taskId)) return false;
			data.startedTaskIds = [...known, taskId].slice(-REMEMBERED);
			return true;
		},
	};
}
