import { pause } from './pause';
import type { Task } from './task';

/**
 * Polls a task until it ends or the limit passes, spending as few status reads as it can.
 *
 * Tasks of one batch take about the same time, so each ended task teaches the batch how long a
 * task runs: later tasks make their first read when they are expected to be done and then read
 * again in short steps. Until the batch knows anything, reads start quick and back off.
 */

const FIRST_READ_MS = 1500;
const MIN_STEP_MS = 250;
const MAX_STEP_MS = 15_000;
const QUEUED = /^(pending|queued)$/i;

export class RunTimeEstimate {
	private samples: number[] = [];

	record(ms: number) {
		this.samples.push(ms);
		if (this.samples.length > 25) this.samples.shift();
	}

	/** The median of what this batch has seen, or undefined before the first task ends. */
	get ms(): number | undefined {
		if (this.samples.length === 0) return undefined;
		const sorted = [...this.samples].sort((a, b) => a - b);
		return sorted[Math.floor(sorted.length / 2)];
	}
}

const jitter = (ms: number) => Math.round(ms * (0.95 + Math.random() * 0.1));

/**
 * How long to wait before the next read of a task we have waited on for `waitedMs`, of which it
 * has run `runningMs` since it left the service's queue.
 */
export function nextDelay(waitedMs: number, runningMs: number, queued: boolean, expectedMs: number | undefined): number {
	let delay: number;
	if (expectedMs === undefined) {
		delay = waitedMs <= 0 ? FIRST_READ_MS : waitedMs / 2;
	} else if (queued) {
		delay = expectedMs;
	} else if (runningMs < expectedMs * 0.95) {
		delay = expectedMs - runningMs;
	} else {
		delay = Math.min(runningMs * 0.2, expectedMs * 0.25);
	}
	return jitter(Math.min(MAX_STEP_MS, Math.max(MIN_STEP_MS, delay)));
}

export interface WaitOptions {
	limitMs: number;
	estimate: RunTimeEstimate;
	signal?: AbortSignal;
	now?: () => number;
}

export interface WaitResult {
	task: Task;
	/** True when the limit passed while the task was still running. */
	timedOut: boolean;
}

export async function waitForTask(first: Task, read: () => Promise<Task>, options: WaitOptions): Promise<WaitResult> {
	const now = options.now ?? Date.now;
	const startedWaiting = now();
	const deadline = startedWaiting + options.limitMs;
	let task = first;
	let lastRead = startedWaiting;
	let runningSince: number | undefined = QUEUED.test(task.status) ? undefined : startedWaiting;
	// Only tasks seen running from the start teach the batch: a queued task's start is known only roughly.
	const startKnown = runningSince !== undefined;

	while (task.state === 'running') {
		const queued = QUEUED.test(task.status);
		const runningMs = runningSince === undefined ? 0 : now() - runningSince;
		// Counted to the last read, not to now: a clock tick since then must not skip the quick first read.
		const delay = nextDelay(lastRead - startedWaiting, runningMs, queued, options.estimate.ms);
		if (now() + delay > deadline) {
			const rest = deadline - now();
			if (rest > 0) await pause(rest, options.signal);
			const last = await read();
			return { task: last, timedOut: last.state === 'running' };
		}
		await pause(delay, options.signal);
		const readAt = now();
		task = await read();
		// It left the queue somewhere between the two reads. Counting from this read (the latest it
		// can have started) makes the next read come when it is surely done, not a step too early.
		if (runningSince === undefined && !QUEUED.test(task.status)) runningSince = readAt;
		if (task.state === 'succeeded' && startKnown) options.estimate.record((lastRead + readAt) / 2 - startedWaiting);
		lastRead = readAt;
	}
	return { task, timedOut: false };
}
