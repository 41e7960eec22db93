import type { IWebhookFunctions } from 'n8n-workflow';

import { clock } from '../shared/clock';

const REMEMBERED = 500;
/** How long a started task waits for the deliveries it overlaps with before n8n may save (see record). */
const MAX_SETTLE_WAIT_MS = 5000;

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
	/** Claimed tasks not yet recorded or released, each settled when it is. */
	inFlight: Map<string, { settled: Promise<void>; settle: () => void }>;
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
			? newMemory()
			: (memory.get(key) ?? memory.set(key, newMemory()).get(key)!);
	const loaded: string[] = Array.isArray(data.startedTaskIds) ? [...(data.startedTaskIds as string[])] : [];
	/** What was loaded, plus every task this process started (the latest last). */
	const merged = () => [...loaded.filter((id) => !here.recorded.has(id)), ...here.recorded].slice(-REMEMBERED);
	let storing = () => {};
	/** Settled when n8n reads the list to save it (after webhook() returned). */
	const stored = new Promise<void>((resolve) => (storing = resolve));
	const readToStore = () => (storing(), merged());
	const settle = (taskId: string) => {
		here.inFlight.get(taskId)?.settle();
		here.inFlight.delete(taskId);
	};
	return {
		stored,
		/** False when the task already started the workflow, or another delivery of it is being handled. */
		claim(taskId: string): boolean {
			if (here.claimed.has(taskId) || loaded.includes(taskId)) return false;
			remember(here.claimed, taskId);
			let done = () => {};
			here.inFlight.set(taskId, { settled: new Promise<void>((resolve) => (done = resolve)), settle: done });
			return true;
		},
		/** The task did not start the workflow: a later callback may. */
		release(taskId: string) {
			here.claimed.delete(taskId);
			settle(taskId);
		},
		/**
		 * Records the task, then waits (briefly) for the other deliveries in flight here to settle.
		 * n8n writes the static data after webhook() has returned: the list is made again when it is
		 * written, so it has the tasks other requests started meanwhile. But of writes running at
		 * once, the one committed last wins, not the one made last: returning only when the
		 * overlapping deliveries have settled makes every write of a burst carry the whole burst.
		 */
		async record(taskId: string) {
			remember(here.recorded, taskId);
			settle(taskId);
			data.startedTaskIds = merged(); // through n8n's proxy: marks the static data as changed
			// The setter only lets the assignment above mark the data changed again.
			Object.defineProperty(data, 'startedTaskIds', { get: readToStore, set: () => undefined, enumerable: true, configurable: true });
			const others = [...here.inFlight.values()].map((entry) => entry.settled);
			if (others.length === 0) return;
			const stop = new AbortController();
			const timeLimit = clock.sleep(MAX_SETTLE_WAIT_MS, stop.signal).catch(() => undefined);
			await Promise.race([Promise.all(others), timeLimit]);
			stop.abort();
		},
	};
}

function newMemory(): ProcessMemory {
	return { claimed: new Set(), recorded: new Set(), inFlight: new Map() };
}
