import { runNode } from '../harness/engine';
import { credentialsFor, jsonOf, UPSCALE, useStandIn } from '../helpers';

// A batch against the stand-in's account rate limit (a token bucket holding one second's worth):
// the batch meets the limit together, and no item fails for it.

const box = useStandIn({ processingMs: 100 });

async function batch(n: number, concurrency: number) {
	const items = Array.from({ length: n }, (_, i) => ({ json: { url: box.standIn.imageUrl({ width: 8, height: 8 + (i % 50) }) } }));
	const result = await runNode({
		node: { type: UPSCALE, parameters: { resource: 'image', operation: 'upscale', imageUrl: '={{ $json.url }}', downloadResult: false, options: { concurrency } } as never, continueOnFail: true },
		items,
		credentials: credentialsFor(box.standIn),
	});
	return jsonOf(result.items);
}

afterEach(() => box.standIn.set({ createRate: 0, readRate: 0 }));

it('creates: 429s only from the creates in flight when the limit is first met, and no failed item', async () => {
	box.standIn.set({ createRate: 20 });
	const items = await batch(120, 40);
	expect(items.filter((json) => json.state !== 'succeeded')).toEqual([]);
	expect(box.standIn.log.count('create')).toBe(120 + box.standIn.log.rateLimited('create'));
	expect(box.standIn.log.rateLimited('create')).toBeLessThanOrEqual(40 + 5);
});

it('reads: a read rate limit slows the waits down, and no item fails for it', async () => {
	box.standIn.set({ readRate: 10 });
	const items = await batch(60, 30);
	expect(items.filter((json) => json.state !== 'succeeded')).toEqual([]);
	expect(box.standIn.log.rateLimited('status')).toBeGreaterThan(0);
});
