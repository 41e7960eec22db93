/* eslint-disable @n8n/community-nodes/no-restricted-globals -- dev tooling, never published: n8n's rules for community node code do not apply */
import { runPool } from '../../nodes/ImageUpscale/run/pool';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runPool', () => {
	it('keeps input order and never runs more than the limit', async () => {
		let running = 0;
		let most = 0;
		const results = await runPool(12, 3, async (index) => {
			running++;
			most = Math.max(most, running);
			await tick(20 - index);
			running--;
			return index * 10;
		});
		expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i * 10));
		expect(most).toBe(3);
	});

	it('handles no work and a limit above the count', async () => {
		expect(await runPool(0, 5, async () => 1)).toEqual([]);
		expect(await runPool(2, 50, async (i) => i)).toEqual([0, 1]);
	});

	it('after a failure starts nothing new and aborts the others', async () => {
		const started: number[] = [];
		const aborted: number[] = [];
		const failure = new Error('item 1 failed');
		const run = runPool(10, 3, async (index, signal) => {
			started.push(index);
			if (index === 1) throw failure;
			await new Promise<void>((resolve) => signal.addEventListener('abort', () => (aborted.push(index), resolve())));
			return index;
		});
		await expect(run).rejects.toBe(failure);
		expect(started).toEqual([0, 1, 2]);
		expect(aborted.sort()).toEqual([0, 2]);
	});

	it('stops when the parent signal aborts', async () => {
		const parent = new AbortController();
		const run = runPool(5, 2, async (index, signal) => {
			if (index === 0) setTimeout(() => parent.abort(new Error('cancelled')), 10);
			await new Promise((resolve) => signal.addEventListener('abort', resolve));
			return index;
		}, parent.signal);
		await expect(run).rejects.toThrow('cancelled');
	});
});
