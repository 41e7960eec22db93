import sharp from 'sharp';
import { fetch } from 'undici';

import type { StandIn } from '../../stand-in/server';
import { fail, hasEnded, until, type Execution, type N8n } from '../n8n';

export { fail, finished, until } from '../n8n';
import { TRIGGER } from './workflows';

// Reading what n8n did, from n8n itself: executions and their output over the public API, files
// over the REST binary-data endpoint.

export type Item = { json: Record<string, unknown>; binary?: Record<string, { id?: string; data: string; mimeType: string; fileName?: string }> };

/** A node's output items, or an error naming the node and n8n's own message. */
export function output(execution: Execution, node: string): Item[] {
	const { runData, error } = execution.data?.resultData ?? { runData: {} };
	for (const [name, runs] of Object.entries(runData)) {
		const failed = runs.find((r) => r.error);
		if (failed) fail(`execution ${execution.id}: node "${name}" failed in n8n: ${failed.error!.message}`);
	}
	if (error) fail(`execution ${execution.id} failed at node "${error.node?.name ?? '?'}": ${error.message}`);
	const items = runData[node]?.[0]?.data?.main?.[0];
	const ran = Object.keys(runData).join(', ');
	return (items as Item[] | undefined) ?? fail(`execution ${execution.id}: node "${node}" did not run (status ${execution.status}; ran: ${ran})`);
}

/** Whether a node ran and passed on at least one item. */
export const passedOn = (execution: Execution, node: string) => (execution.data?.resultData.runData[node]?.[0]?.data?.main?.[0]?.length ?? 0) > 0;

export interface TriggerRun {
	execution: Execution;
	taskId: string;
}

/**
 * The executions the trigger started for these tasks, once every task has one, all have ended and
 * their number has not changed for a few seconds (a duplicate start comes within a second).
 */
export async function triggerRuns(main: N8n, workflowId: string, taskIds: string[], quietMs = 4000): Promise<TriggerRun[]> {
	const wanted = new Set(taskIds);
	let last = -1;
	let stableSince = Date.now();
	return await until(`the trigger's executions for ${taskIds.length} tasks`, async () => {
		const runs = (await main.executions(workflowId))
			.filter((execution) => execution.mode === 'webhook')
			.map((execution) => ({ execution, taskId: String(execution.data?.resultData.runData[TRIGGER]?.[0]?.data?.main?.[0]?.[0]?.json.taskId) }))
			.filter((run) => wanted.has(run.taskId));
		if (runs.length !== last) [last, stableSince] = [runs.length, Date.now()];
		const complete = new Set(runs.map((run) => run.taskId)).size === wanted.size && runs.every((run) => hasEnded(run.execution));
		return complete && Date.now() - stableSince >= quietMs ? runs : undefined;
	});
}

/** How many times each task started the workflow. */
export function startsPerTask(runs: TriggerRun[], taskIds: string[]) {
	const starts = new Map(taskIds.map((id) => [id, 0]));
	for (const run of runs) starts.set(run.taskId, (starts.get(run.taskId) ?? 0) + 1);
	const counts = [...starts.values()];
	return {
		starts,
		twice: counts.filter((n) => n > 1).length,
		never: counts.filter((n) => n === 0).length,
		extra: counts.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
	};
}

export const post = (url: string, body: unknown) =>
	fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The callback the service sends when a task ends (the trigger takes only the id from it). */
export const callbackBody = (taskId: string) => ({ code: 200, message: 'success', data: { task_id: taskId, status: 'COMPLETED' } });

/** Tasks created on the stand-in as any client would, without a callback, and waited for. */
export async function endedTasks(standIn: StandIn, count: number, name: string): Promise<string[]> {
	const ids = await Promise.all(
		Array.from({ length: count }, async (_, i) => {
			const response = await fetch(`${standIn.url}/api/v1/images/tools/upscale`, {
				method: 'POST',
				headers: { authorization: `Bearer ${standIn.key}`, 'content-type': 'application/json' },
				body: JSON.stringify({ model: 'image-upscale', image: standIn.imageUrl({ name: `${name}-${i}`, width: 30 + i, height: 20 + (i % 5) }) }),
			});
			return ((await response.json()) as { data: { task_id: string } }).data.task_id;
		}),
	);
	await until(`${count} tasks to end`, async () => (ids.every((id) => standIn.task(id)?.state === 'succeeded') ? true : undefined), 60_000);
	return ids;
}

async function pixels(data: Buffer) {
	const { width, height } = await sharp(data).metadata();
	return `${width}x${height}`;
}

/** Each item's file, read over n8n's REST API, must be the stand-in's input picture at twice its size. */
export async function expectUpscaledOverRest(main: N8n, standIn: StandIn, items: Item[]) {
	for (let i = 0; i < items.length; i += 5) await Promise.all(items.slice(i, i + 5).map((item) => expectUpscaledItem(main, standIn, item)));
}

async function expectUpscaledItem(main: N8n, standIn: StandIn, { json, binary }: Item) {
	if (json.state !== 'succeeded') fail(`task ${String(json.taskId)} is ${String(json.state)}: ${String(json.error ?? '')}`);
	const task = standIn.task(String(json.taskId)) ?? fail(`the stand-in has no task ${String(json.taskId)}`);
	const id = binary?.data?.id ?? fail(`task ${task.id}: no stored file in n8n's output (binary: ${JSON.stringify(binary).slice(0, 200)})`);
	if (!id.startsWith('database:')) fail(`task ${task.id}: file stored as ${id}, not in the database`);
	const file = await main.binary(id);
	if (file.status !== 200) fail(`task ${task.id}: GET /rest/binary-data?id=${id} answered ${file.status}`);
	const input = Buffer.from(await (await fetch(task.image)).arrayBuffer());
	const [inSize, outSize] = [await pixels(input), await pixels(file.data)];
	const [w, h] = inSize.split('x').map(Number);
	if (outSize !== `${2 * w}x${2 * h}`) fail(`task ${task.id}: ${inSize} in, ${outSize} out over REST, not 2x`);
}
