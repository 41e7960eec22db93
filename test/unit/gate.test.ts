import { RateGate } from '../../nodes/shared/transport/gate';
import { clock } from '../../nodes/shared/clock';
import { simulatedClock } from '../clock';
import { RateLimit, retryAfterHeader } from '../stand-in/rate';

// The batch gate against an account limited to `rate` creates a second (the stand-in's token
// bucket, one second's worth), in simulated time: each request takes 5 ms.

async function batch(items: number, concurrency: number, rate: number, gate?: RateGate) {
	const time = simulatedClock();
	const account = new RateLimit(() => clock.now());
	account.configure(rate);
	let requests = 0;
	let rejected = 0;
	const create = async () => {
		for (let attempt = 1; ; attempt++) {
			await gate?.enter('create');
			requests++;
			await clock.sleep(5);
			const wait = account.take();
			if (wait === undefined) return void gate?.succeeded('create');
			rejected++;
			const retryAfterMs = Number(retryAfterHeader(wait, 1)) * 1000;
			// As transport does: the gate holds the lane back itself, so a gated call does not wait too.
			if (gate) gate.limited('create', retryAfterMs);
			else await clock.sleep(retryAfterMs);
		}
	};
	const started = time.now;
	await time.run(async () => {
		let next = 0;
		await Promise.all(Array.from({ length: concurrency }, async () => {
			while (next < items) {
				next++;
				await create();
			}
		}));
	});
	return { seconds: (time.now - started) / 1000, requests, rejected };
}

describe('the rate gate', () => {
	it('settles at the account rate: near the ideal time, few 429s', async () => {
		const { seconds, requests, rejected } = await batch(1000, 50, 20, new RateGate());
		expect(seconds).toBeLessThanOrEqual((1000 / 20) * 1.05);
		// The creates in flight when the limit is first met, and hardly any after.
		expect(rejected).toBeLessThanOrEqual(50 + 5);
		expect(requests).toBe(1000 + rejected);
	});

	it('does better than items meeting the limit each on its own', async () => {
		const gated = await batch(400, 50, 20, new RateGate());
		const alone = await batch(400, 50, 20);
		expect(gated.rejected).toBeLessThan(alone.rejected / 10);
		expect(gated.seconds).toBeLessThanOrEqual((400 / 20) * 1.1);
	});

	it('holds every item back while a Retry-After runs, creates and reads apart', async () => {
		const gate = new RateGate();
		const time = simulatedClock();
		const start = time.now;
		const sent: Record<string, number[]> = { create: [], read: [] };
		await time.run(async () => {
			gate.limited('read', 3000);
			await Promise.all(
				(['read', 'read', 'read', 'create'] as const).map(async (kind) => {
					await gate.enter(kind);
					sent[kind].push(time.now - start);
				}),
			);
		});
		expect(sent).toEqual({ read: [3000, 3000, 3000], create: [0] });
	});
});
