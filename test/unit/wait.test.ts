import type { Task } from '../../nodes/shared/task';
import { nextDelay, RunTimeEstimate, waitForTask } from '../../nodes/shared/wait';

const running = (status = 'IN_PROGRESS'): Task => ({ taskId: 't', state: 'running', status, imageUrls: [], response: {} });
const done: Task = { taskId: 't', state: 'succeeded', status: 'COMPLETED', imageUrl: 'http://x/r.png', imageUrls: ['http://x/r.png'], response: {} };

describe('nextDelay', () => {
	const within = (value: number, target: number) => {
		expect(value).toBeGreaterThanOrEqual(Math.floor(target * 0.95));
		expect(value).toBeLessThanOrEqual(Math.ceil(target * 1.05));
	};

	it('reads quickly first, then backs off by half the time waited, before anything is known', () => {
		within(nextDelay(0, 0, false, undefined), 1500);
		within(nextDelay(1000, 1000, false, undefined), 500);
		within(nextDelay(8000, 8000, false, undefined), 4000);
		within(nextDelay(120_000, 120_000, false, undefined), 15_000);
	});

	it('once the batch knows a run time, reads when the task should be done, then in short steps', () => {
		within(nextDelay(0, 0, false, 2000), 2000);
		within(nextDelay(500, 500, false, 2000), 1500);
		within(nextDelay(2000, 2000, false, 2000), 400);
		within(nextDelay(10, 0, true, 2000), 2000);
		within(nextDelay(100, 100, false, 400), 300);
		within(nextDelay(500, 500, false, 400), 250);
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
	function clockedReads(answers: Task[]) {
		const reads: number[] = [];
		const start = Date.now();
		const read = async () => {
			reads.push(Date.now() - start);
			return answers.shift() ?? done;
		};
		return { read, reads };
	}

	it('returns the ended task and teaches the batch its run time', async () => {
		const estimate = new RunTimeEstimate();
		const { read, reads } = clockedReads([running(), done]);
		const result = await waitForTask(running(), read, { limitMs: 10_000, estimate });
		expect(result).toEqual({ task: done, timedOut: false });
		expect(reads).toHaveLength(2);
		expect(estimate.ms).toBeGreaterThan(1400);
		expect(estimate.ms).toBeLessThan(2200);
	});

	it('makes the quick first read even when the clock ticks between its calls', async () => {
		const estimate = new RunTimeEstimate();
		let ticks = 0;
		const { read, reads } = clockedReads([done]);
		await waitForTask(running(), read, { limitMs: 10_000, estimate, now: () => Date.now() + ticks++ });
		expect(reads[0]).toBeGreaterThanOrEqual(1400);
	});

	it('learns nothing from a task that waited in the queue, and reads it again a run time after it started', async () => {
		const estimate = new RunTimeEstimate();
		estimate.record(400);
		const { read, reads } = clockedReads([running('PENDING'), running('IN_PROGRESS'), done]);
		await waitForTask(running('QUEUED'), read, { limitMs: 10_000, estimate });
		expect(reads).toHaveLength(3);
		expect(reads[2] - reads[1]).toBeGreaterThanOrEqual(370);
		expect(estimate.ms).toBe(400);
	});

	it('stops at the limit with one last read', async () => {
		const { read, reads } = clockedReads(Array.from({ length: 10 }, () => running()));
		const result = await waitForTask(running(), read, { limitMs: 1200, estimate: new RunTimeEstimate() });
		expect(result.timedOut).toBe(true);
		expect(reads[reads.length - 1]).toBeGreaterThanOrEqual(1150);
		expect(reads[reads.length - 1]).toBeLessThan(1500);
	});

	it('ends at once when the signal aborts', async () => {
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 100);
		const started = Date.now();
		await expect(waitForTask(running(), async () => running(), { limitMs: 60_000, estimate: new RunTimeEstimate(), signal: controller.signal })).rejects.toThrow('cancelled');
		expect(Date.now() - started).toBeLessThan(400);
	});
});
