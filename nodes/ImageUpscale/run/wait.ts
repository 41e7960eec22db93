import { clock } from '../../shared/clock';
import type { Task } from '../../shared/task';
import { PROFILES, type FailedRead } from '../../shared/transport';

/**
 * Waiting for a task, all of it: when to read (a quick first read, the run time the batch has
 * learned, back-off for tasks that are late or stuck in the queue, a ceiling per step), the wait
 * limit, the cancel signal, and reads that fail while waiting (they count as "still running"; how
 * long to wait after them is the waitRead profile's in transport).
 *
 * Tasks of one batch take about the same time, so each ended task teaches the batch how long a
 * task runs: later tasks make their first read when they should be done. A task that is late is
 * read again soon, then less and less often, so a stuck task costs about 20-25 reads in 5 minutes
 * however short the learned run time.
 */

const FIRST_READ_MS = 1500;
const MIN_STEP_MS = 250;
const MAX_STEP_MS = 20_000;
/**
 * A late task is read again after a quarter of its expected run time, twice (that covers the usual
 * spread of run times), then each step 2.6x longer.
 */
const LATE_STEP = 0.25;
const LATE_EVEN_STEPS = 2;
const LATE_GROWTH = 2.6;
/**
 * A task found ended at a first read made when it should be done ended a little before: the batch
 * learns a little less than that read's time, so a run time learned too long comes down (half of
 * it would drag the learned time far below the real one, and tasks would be read late in the
 * back-off). A blind first read (nothing learned yet) that finds it ended teaches half its time.
 */
const ENDED_AT_FIRST_READ = 0.9;

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

export interface Schedule {
	/** Time from the start of the wait to the last read. */
	waitedMs: number;
	/** Time the task has run since it left the queue (0 while queued). */
	runningMs: number;
	queued: boolean;
	/** What the batch has learned a task takes, if anything yet. */
	expectedMs?: number;
	/** Reads so far that found the task running after it should have ended. */
	lateReads: number;
	/** Reads in a row that failed. */
	failedReads: number;
	/** What the service asked for with the last failed read. */
	retryAfterMs?: number;
}

const jitter = (ms: number) => Math.round(ms * (0.95 + Math.random() * 0.1));

/** How long to wait before the next read. */
export function nextDelay(s: Schedule): number {
	const expected = s.expectedMs;
	let delay: number;
	if (expected === undefined || s.queued) {
		// Nothing known, or no telling when the queue lets it start: quick at first, then half the time waited.
		delay = s.waitedMs <= 0 ? (expected ?? FIRST_READ_MS) : Math.max(expected ?? 0, s.waitedMs / 2);
	} else if (s.runningMs < expected * 0.95) {
		delay = expected - s.runningMs;
	} else {
		delay = expected * LATE_STEP * LATE_GROWTH ** Math.max(0, s.lateReads - LATE_EVEN_STEPS);
	}
	if (s.failedReads > 0) delay = Math.max(delay, PROFILES.waitRead.backoffMs(s.failedReads));
	return Math.max(jitter(Math.min(MAX_STEP_MS, Math.max(MIN_STEP_MS, delay))), s.retryAfterMs ?? 0);
}

const isFailedRead = (result: Task | FailedRead): result is FailedRead => 'error' in result && result.error instanceof Error;

export interface WaitOptions {
	limitMs: number;
	estimate: RunTimeEstimate;
	signal?: AbortSignal;
}

export interface WaitResult {
	task: Task;
	/** True when the limit passed while the task was still running. */
	timedOut: boolean;
	/** The last read that failed, when the wait ended without reading the task again after it. */
	lastReadError?: Error;
}

/**
 * Reads the task until it ends or the limit passes. A failed read is tried again later; `read`
 * rejects only for errors that end the wait.
 */
export async function waitForTask(first: Task, read: () => Promise<Task | FailedRead>, options: WaitOptions): Promise<WaitResult> {
	const startedWaiting = clock.now();
	const deadline = startedWaiting + options.limitMs;
	let task = first;
	let lastRead = startedWaiting;
	let runningSince = first.queued ? undefined : startedWaiting;
	// Only tasks seen running from the start teach the batch: a queued task's start is known only roughly.
	const startKnown = runningSince !== undefined;
	const s: Schedule = { waitedMs: 0, runningMs: 0, queued: first.queued, lateReads: 0, failedReads: 0 };
	let lastReadError: Error | undefined;

	const readOnce = async (): Promise<void> => {
		const readAt = clock.now();
		const result = await read();
		if (isFailedRead(result)) {
			lastReadError = result.error;
			s.failedReads++;
			s.retryAfterMs = result.retryAfterMs;
			return;
		}
		task = result;
		lastReadError = undefined;
		s.failedReads = 0;
		s.retryAfterMs = undefined;
		// It left the queue somewhere between two reads. Counting from this read (the latest it can
		// have started) makes the next read come when it is surely done, not a step too early.
		if (runningSince === undefined && !task.queued) runningSince = readAt;
		const ranMs = readAt - (runningSince ?? readAt);
		if (task.state === 'running' && s.expectedMs !== undefined && ranMs >= s.expectedMs * 0.95) s.lateReads++;
		if (task.state === 'succeeded' && startKnown) {
			const endedBy = readAt - startedWaiting;
			const readWhenDue = lastRead === startedWaiting && s.expectedMs !== undefined;
			options.estimate.record(readWhenDue ? endedBy * ENDED_AT_FIRST_READ : (lastRead + readAt) / 2 - startedWaiting);
		}
		lastRead = readAt;
	};

	while (task.state === 'running') {
		s.waitedMs = lastRead - startedWaiting; // to the last read, so a clock tick since then cannot skip the quick first read
		s.runningMs = runningSince === undefined ? 0 : clock.now() - runningSince;
		s.queued = task.queued;
		s.expectedMs = options.estimate.ms;
		const delay = nextDelay(s);
		if (clock.now() + delay > deadline) {
			const rest = deadline - clock.now();
			if (rest > 0) await clock.sleep(rest, options.signal);
			await readOnce();
			return { task, timedOut: task.state === 'running', lastReadError };
		}
		await clock.sleep(delay, options.signal);
		await readOnce();
	}
	return { task, timedOut: false };
}
