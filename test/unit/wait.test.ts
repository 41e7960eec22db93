import type { Task } from '../../nodes/shared/task';
import type { FailedRead } from '../../nodes/shared/transport';
import { nextDelay, RunTimeEstimate, waitForTask, type Schedule } from '../../nodes/ImageUpscale/run/wait';
import { virtualClock } from '../clock';

const running = (status = 'IN_PROGRESS'): Task => ({ taskId: 't', state: 'running', queued: /PENDING|QUEUED/.test(status), status, imageUrls: [], response: {} });
const done: Task = { taskId: 't', state: 'succeeded', queued: false, status: 'COMPLETED', imageUrl: 'http://x/r.png', imageUrls: ['http://x/r.png'], response: {} };

const schedule = (s: Partial<Schedule>): Schedule => ({ waitedMs: 0, runningMs: 0, queued: false, lateReads: 0, failedReads: 0, ...s });

describe('nextDelay', () => {
	const within = (value: number, target: number) => {
		expect(value).toBeGreaterThanOrEqual(Math.floor(target * 0.95));
		expect(value).toBeLessThanOrEqual(Math.ceil(target * 1.05));
	};

	it('reads quickly first, then backs off by half the time waited, before anything is known', () => {
		within(nextDelay(schedule({})), 1500);
		within(nextDelay(schedule({ waitedMs: 1000, runningMs: 1000 })), 500);
		within(nextDelay(schedule({ waitedMs: 8000, runningMs: 8000 })), 4000);
		within(nextDelay(schedule({ waitedMs: 120_000, runningMs: 120_000 })), 20_000);
	});

	it('once the batch knows a run time, reads when the task should be done', () => {
		within(nextDelay(schedule({ expectedMs: 2000 })), 2000);
		within(nextDelay(schedule({ waitedMs: 500, runningMs: 500, expectedMs: 2000 })), 1500);
		within(nextDelay(schedule({ waitedMs: 10, queued: true, expectedMs: 2000 })), 2000);
	});

	it('reads a late task again soon, then less and less often', () => {
		within(nextDelay(schedule({ waitedMs: 2000, runningMs: 2000, expectedMs: 2000, lateReads: 1 })), 500);
		within(nextDelay(schedule({ waitedMs: 2500, runningMs: 2500, expectedMs: 2000, lateReads: 2 })), 500);
		within(nextDelay(schedule({ waitedMs: 3000, runningMs: 3000, expectedMs: 2000, lateReads: 3 })), 1300);
		within(nextDelay(schedule({ waitedMs: 4300, runningMs: 4300, expectedMs: 2000, lateReads: 4 })), 3380);
		within(nextDelay(schedule({ waitedMs: 100, runningMs: 100, expectedMs: 100, lateReads: 1 })), 250);
		within(nextDelay(schedule({ waitedMs: 60_000, runningMs: 60_000, expectedMs: 100, lateReads: 30 })), 20_000);
	});

	it('backs off after failed reads and honours a Retry-After', () => {
		within(nextDelay(schedule({ expectedMs: 300, waitedMs: 300, runningMs: 300, lateReads: 1, failedReads: 3 })), 4000);
		expect(nextDelay(schedule({ expectedMs: 300, failedReads: 1, retryAfterMs: 30_000 }))).toBe(30_000);
	});
});

describe('RunTimeEstimate', () => {
	it('is the median of the last samples', () => {
		const estimate = new RunTimeEstimate();
		expect(estimate.ms).toBeUndefined();
		[2000, 9000, 1800, 2100, 1900].forEach((ms) => estimate.record(ms));
		expect(estimate.ms).toBe(2000);
	});
});

describe('waitForTask', () => {
	/** Reads answered by `answer(now)`; returns the times of the reads, from the start of the wait. */
	function reads(answer: (msSinceStart: number) => Task | FailedRead | Error) {
		const time = virtualClock();
		const start = time.now;
		const at: number[] = [];
		const read = async () => {
			at.push(time.now - start);
			const result = answer(time.now - start);
			if (result instanceof Error) throw result;
			return result;
		};
		return { read, at, time };
	}
	const endsAt = (ms: number) => (t: number) => (t >= ms ? done : running());
	const retryable = (status: number, retryAfterMs?: number): FailedRead => ({ error: new Error(`HTTP ${status}`), retryAfterMs });

	it('returns the ended task and teaches the batch its run time', async () => {
		const estimate = new RunTimeEstimate();
		const { read, at } = reads(endsAt(1800));
		const result = await waitForTask(running(), read, { limitMs: 10_000, estimate });
		expect(result).toEqual({ task: done, timedOut: false });
		expect(at).toHaveLength(2);
		expect(at[0]).toBeGreaterThanOrEqual(1425);
		expect(estimate.ms).toBeGreaterThan(1400);
		expect(estimate.ms).toBeLessThan(2300);
	});

	it('learns a little less than the time of a first read made when the task should be done, that found it ended', async () => {
		const estimate = new RunTimeEstimate();
		[1000, 1000, 2000, 2000].forEach((ms) => estimate.record(ms));
		const { read, at } = reads(endsAt(1900));
		await waitForTask(running(), read, { limitMs: 60_000, estimate });
		expect(at).toHaveLength(1);
		expect(estimate.ms).toBeCloseTo(at[0] * 0.9); // the middle of 1000, 1000, this, 2000, 2000
	});

	it('learns half the time of a first read made before anything was learned, that found the task ended', async () => {
		const estimate = new RunTimeEstimate();
		const { read, at } = reads(endsAt(400));
		await waitForTask(running(), read, { limitMs: 60_000, estimate });
		expect(at).toHaveLength(1);
		expect(estimate.ms).toBeCloseTo(at[0] / 2);
	});

	it('makes its first read when a task of this batch should be done', async () => {
		const estimate = new RunTimeEstimate();
		estimate.record(4000);
		const { read, at } = reads(endsAt(3800));
		await waitForTask(running(), read, { limitMs: 60_000, estimate });
		expect(at).toHaveLength(1);
		expect(at[0]).toBeGreaterThanOrEqual(3800);
	});

	it('learns nothing from a task that waited in the queue, and reads it again a run time after it started', async () => {
		const estimate = new RunTimeEstimate();
		estimate.record(400);
		const answers = [running('PENDING'), running('IN_PROGRESS'), done];
		const { read, at } = reads(() => answers.shift() ?? done);
		await waitForTask(running('QUEUED'), read, { limitMs: 10_000, estimate });
		expect(at).toHaveLength(3);
		expect(at[2] - at[1]).toBeGreaterThanOrEqual(380);
		expect(estimate.ms).toBe(400);
	});

	it.each([100, 500, 2000])('reads a stuck task at most 30 times in 300 s, when the batch learned %i ms', async (learned) => {
		const estimate = new RunTimeEstimate();
		estimate.record(learned);
		const { read, at } = reads(() => running());
		const result = await waitForTask(running(), read, { limitMs: 300_000, estimate });
		expect(result.timedOut).toBe(true);
		expect(at.length).toBeLessThanOrEqual(30);
		expect(at[at.length - 1]).toBe(300_000);
	});

	// Five reads for one such task: E, 1.25E and 1.5E cover the usual spread, then 2.15E and 3.84E.
	// In a batch the later slow tasks learn the longer time (the bench's 3x row: at most 4 on average).
	it('reads a task that takes 3x the learned time at most 5 times', async () => {
		const estimate = new RunTimeEstimate();
		estimate.record(2000);
		const { read, at } = reads(endsAt(6000));
		await waitForTask(running(), read, { limitMs: 300_000, estimate });
		expect(at.length).toBeLessThanOrEqual(5);
	});

	it('stops at the limit with one last read', async () => {
		const { read, at } = reads(() => running());
		const result = await waitForTask(running(), read, { limitMs: 1200, estimate: new RunTimeEstimate() });
		expect(result.timedOut).toBe(true);
		expect(at).toEqual([1200]);
	});

	it('keeps waiting through failing reads, backing off, and reports the last one at the limit', async () => {
		const { read, at } = reads((t) => (t < 30_000 ? retryable(503) : running()));
		const result = await waitForTask(running(), read, { limitMs: 60_000, estimate: new RunTimeEstimate() });
		expect(result.timedOut).toBe(true);
		expect(result.lastReadError).toBeUndefined();
		const failed = at.filter((t) => t < 30_000);
		expect(failed.length).toBeGreaterThanOrEqual(4);
		expect(failed.length).toBeLessThanOrEqual(8);
		const gaps = failed.slice(1).map((t, i) => t - failed[i]);
		expect(gaps.every((gap, i) => i === 0 || gap >= gaps[i - 1] * 0.9)).toBe(true);
	});

	it('ends a wait whose reads keep failing at the limit, naming the last error', async () => {
		const { read } = reads(() => retryable(502));
		const result = await waitForTask(running(), read, { limitMs: 20_000, estimate: new RunTimeEstimate() });
		expect(result).toMatchObject({ timedOut: true, lastReadError: { message: 'HTTP 502' } });
	});

	it("waits as long as a failed read's Retry-After asks", async () => {
		let calls = 0;
		const { read, at } = reads(() => (calls++ === 0 ? retryable(429, 7000) : done));
		await waitForTask(running(), read, { limitMs: 60_000, estimate: new RunTimeEstimate() });
		expect(at[1] - at[0]).toBe(7000);
	});

	it('ends the wait at once on an error that will not pass', async () => {
		const { read } = reads(() => new Error('Invalid API key'));
		await expect(waitForTask(running(), read, { limitMs: 60_000, estimate: new RunTimeEstimate() })).rejects.toThrow('Invalid API key');
	});

	it('ends at once when the signal aborts', async () => {
		virtualClock();
		const controller = new AbortController();
		let reads = 0;
		const read = async () => {
			if (++reads === 2) controller.abort();
			return running();
		};
		await expect(waitForTask(running(), read, { limitMs: 60_000, estimate: new RunTimeEstimate(), signal: controller.signal })).rejects.toThrow('cancelled');
		expect(reads).toBe(2);
	});
});
