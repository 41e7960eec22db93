/* eslint-disable @n8n/community-nodes/no-restricted-globals -- dev tooling, never published: n8n's rules for community node code do not apply */
import { clock } from '../nodes/shared/clock';

/** Test control of the nodes' clock (nodes/shared/clock.ts): no test reads the wall clock to judge time. */

const cancelled = () => new Error('The execution was cancelled');

/** A clock that only moves when the code under test sleeps: waits take no real time. */
export function virtualClock(start = 1_700_000_000_000) {
	let now = start;
	const sleeps: number[] = [];
	jest.spyOn(clock, 'now').mockImplementation(() => now);
	jest.spyOn(clock, 'sleep').mockImplementation(async (ms: number, signal?: AbortSignal) => {
		if (signal?.aborted) throw cancelled();
		sleeps.push(ms);
		now += ms;
		await Promise.resolve();
		if (signal?.aborted) throw cancelled();
	});
	return {
		get now() {
			return now;
		},
		advance: (ms: number) => (now += ms),
		sleeps,
	};
}

/** Records what the code asked to sleep, then sleeps `realMs(ms)` of real time (by default none). */
export function recordedSleeps(realMs: (ms: number) => number = () => 0): number[] {
	const asked: number[] = [];
	const real = clock.sleep;
	jest.spyOn(clock, 'sleep').mockImplementation(async (ms: number, signal?: AbortSignal) => {
		asked.push(ms);
		await real(realMs(ms), signal);
	});
	return asked;
}

/** Every sleep lasts until the execution is cancelled: a test that ends at all shows the cancel stopped it. */
export function sleepsUntilCancelled(): void {
	const real = clock.sleep;
	jest.spyOn(clock, 'sleep').mockImplementation(async (_ms: number, signal?: AbortSignal) => await real(24 * 3600_000, signal));
}

afterEach(() => jest.restoreAllMocks());

/**
 * A simulated clock for code that waits in many places at once: sleeps end in time order, and time
 * jumps to the next one whenever everything else is waiting. `run` drives it until `main` is done.
 */
export function simulatedClock(start = 1_700_000_000_000) {
	let now = start;
	const sleepers: Array<{ at: number; wake: () => void }> = [];
	jest.spyOn(clock, 'now').mockImplementation(() => now);
	jest.spyOn(clock, 'sleep').mockImplementation(
		(ms: number, signal?: AbortSignal) =>
			new Promise<void>((resolve, reject) => {
				if (signal?.aborted) return reject(cancelled());
				sleepers.push({ at: now + Math.max(0, ms), wake: resolve });
				sleepers.sort((a, b) => a.at - b.at);
			}),
	);
	const settle = () => new Promise((resolve) => setImmediate(resolve));
	return {
		get now() {
			return now;
		},
		async run<T>(main: () => Promise<T>): Promise<T> {
			let done = false;
			const result = main().finally(() => (done = true));
			for (;;) {
				await settle();
				if (done) return await result;
				const next = sleepers.shift();
				if (!next) return await result;
				now = next.at;
				next.wake();
			}
		},
	};
}
