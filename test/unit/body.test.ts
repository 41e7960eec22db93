/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { PassThrough } from 'node:stream';

import { clock } from '../../nodes/shared/clock';
import { beforeDeadline, collect, jsonDepth, MAX_JSON_DEPTH } from '../../nodes/shared/transport/body';

describe('jsonDepth', () => {
	it.each<[string, number]>([
		['1', 0],
		['{}', 1],
		['[[1],[2,[3]]]', 3],
		['{"a":{"b":[1]}}', 3],
		['"[[[{{{"', 0],
		['{"a":"\\"[[[","b":[1]}', 2],
		['{"a":"\\\\","b":[1]}', 2],
		['[1]]]][[', 2],
	])('%s is %i deep', (text, depth) => {
		expect(jsonDepth(text)).toBe(depth);
	});

	it('stops counting just past the limit', () => {
		expect(jsonDepth('['.repeat(1_000_000))).toBe(MAX_JSON_DEPTH + 1);
	});
});

describe('collect', () => {
	it('reads the whole body', async () => {
		const stream = new PassThrough();
		const read = collect(stream, 10);
		stream.end('0123456789');
		expect(await read).toEqual({ bytes: Buffer.from('0123456789'), tooLarge: false });
	});

	it('stops at the cap and ends the stream', async () => {
		const stream = new PassThrough();
		const read = collect(stream, 10);
		stream.write('01234');
		stream.write('56789ab');
		expect(await read).toEqual({ bytes: Buffer.from('0123456789'), tooLarge: true });
		expect(stream.destroyed).toBe(true);
	});

	it('fails when the connection closes before the end', async () => {
		const stream = new PassThrough();
		const read = collect(stream);
		stream.write('{');
		stream.destroy();
		await expect(read).rejects.toThrow('closed before the answer ended');
	});
});

describe('beforeDeadline', () => {
	it('settles with the work, and clears the deadline', async () => {
		const spy = jest.spyOn(clock, 'deadline');
		expect(await beforeDeadline(Promise.resolve(5), clock.now() + 60_000)).toEqual({ value: 5 });
		const [, signal] = spy.mock.calls[0];
		expect(signal?.aborted).toBe(true);
	});

	it('expires when the work is late, and a late failure goes unnoticed', async () => {
		let fail: (error: Error) => void = () => {};
		const late = new Promise<never>((_, reject) => (fail = reject));
		expect(await beforeDeadline(late, clock.now() + 20)).toEqual({ expired: true });
		fail(new Error('too late'));
	});

	it('rejects at once when the signal aborts', async () => {
		const stop = new AbortController();
		const waiting = beforeDeadline(new Promise(() => {}), clock.now() + 60_000, stop.signal);
		stop.abort();
		await expect(waiting).rejects.toThrow('cancelled');
	});
});
