/**
 * Runs `work` for indexes 0..count-1 with at most `limit` running at once; results keep input order.
 * After the first failure, or when `parentSignal` aborts, no new work starts and every worker's
 * signal aborts, so waits in flight end early too. Each worker has a signal of its own, so no
 * signal collects more than a few listeners however large the limit.
 */
export async function runPool<T>(
	count: number,
	limit: number,
	work: (index: number, signal: AbortSignal) => Promise<T>,
	parentSignal?: AbortSignal,
): Promise<T[]> {
	const results = new Array<T>(count);
	const workers: AbortController[] = [];
	let stopped: { reason: unknown } | undefined;
	const stop = (reason: unknown) => {
		stopped ??= { reason };
		for (const worker of workers) worker.abort(reason);
	};
	const onParentAbort = () => stop(parentSignal?.reason ?? new Error('The execution was cancelled'));
	parentSignal?.addEventListener('abort', onParentAbort, { once: true });
	if (parentSignal?.aborted) onParentAbort();
	let next = 0;

	const worker = async () => {
		const controller = new AbortController();
		workers.push(controller);
		while (!stopped && next < count) {
			const index = next++;
			try {
				results[index] = await work(index, controller.signal);
			} catch (error) {
				stop(error);
			}
		}
	};

	try {
		await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
	} finally {
		parentSignal?.removeEventListener('abort', onParentAbort);
	}
	if (stopped) throw stopped.reason;
	return results;
}
