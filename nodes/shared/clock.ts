import { sleep } from 'n8n-workflow';

/**
 * Waits `ms`, or rejects as soon as the execution is cancelled.
 * n8n 1.x's `sleep` takes no signal, so the abort is raced rather than passed only.
 */
async function pause(ms: number, signal?: AbortSignal): Promise<void> {
	if (!signal) return await sleep(ms);
	if (signal.aborted) throw new Error('The execution was cancelled');
	let onAbort = () => {};
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => reject(new Error('The execution was cancelled'));
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([sleep(ms, signal), aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

/** Time as the nodes see it: every wait goes through here, so tests can drive the clock. */
export const clock = {
	now: (): number => Date.now(),
	sleep: pause,
	/** A time limit raced against a request: apart from `sleep`, so tests that drive the waits leave limits real. */
	deadline: pause,
};
