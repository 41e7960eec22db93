/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { recordedSleeps } from '../clock';
import { runNode, type RunResult } from '../harness/engine';
import { credentialsFor, until, UPSCALE, useStandIn } from '../helpers';
import type { FaultRule } from '../stand-in/server';

/**
 * Issue 23, point 5: 2,000 items in one run. Open sockets stay bounded by the concurrency (each
 * item sends one request at a time, and n8n's request helper opens a connection per request and
 * closes it after the answer, so at most `concurrency` requests, and about as many sockets, are
 * open at once; the margin is for sockets whose answer has arrived but whose close has not yet
 * reached the stand-in). The stand-in runs in this process and answers in about a millisecond, faster
 * than the engine prepares the next request, so its answers are held back (a delay fault) for the
 * requests to overlap at all. Under continueOnFail with half the creates failing, every item gets
 * exactly one output and no create is sent twice. Wall time and memory are printed, never asserted.
 */

const ITEMS = Number(process.env.LOAD_ITEMS ?? 2000);
/**
 * How long the stand-in holds each create and status answer, by concurrency: long enough for the
 * engine (a few ms of CPU a request) to have every worker's request open at once.
 */
const HOLD_MS: Record<number, number> = { 10: 15, 50: 60 };
/** Sockets the answer of which has come but the close of which the stand-in has not seen yet. */
const SOCKET_MARGIN = 5;
const MAYBE_CREATED = /^The create request failed and the task may have been created .*It was not sent again/;

const box = useStandIn({ processingMs: 5 });

// The wait's first read is due after 1.5 s and reads are at least 250 ms apart: here sleeps take at
// most 10 ms of real time (with the held status answer, time enough for most tasks to have ended
// at their first read), and every read goes over the wire.
beforeEach(() => recordedSleeps((ms) => Math.min(ms, 10)));

/** A full garbage collection, so the heap figures are what the run holds, not garbage (jest runs without --expose-gc). */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const imageOf = (index: number) => box.standIn.imageUrl({ name: `item-${index}`, width: 16, height: 12 });

async function upscaleAll(options: { concurrency?: number; continueOnFail?: boolean }) {
	const concurrency = options.concurrency ?? 10;
	const hold = { fault: { kind: 'delay', ms: HOLD_MS[concurrency] }, times: Infinity } as const;
	box.standIn.fault('create', hold);
	box.standIn.fault('status', hold);
	const items = Array.from({ length: ITEMS }, (_, index) => ({ json: { url: imageOf(index) } }));
	gc();
	const before = process.memoryUsage();
	// The last run's sockets close a moment after its last answer: counted from none open.
	await until(() => box.standIn.connections.open === 0);
	box.standIn.connections.resetPeak();
	const started = Date.now();
	const result = await runNode({
		node: {
			type: UPSCALE,
			parameters: {
				resource: 'image',
				operation: 'upscale',
				imageUrl: '={{ $json.url }}',
				downloadResult: false,
				options: concurrency === 10 ? {} : { concurrency },
			} as never,
			continueOnFail: options.continueOnFail,
		},
		items,
		credentials: credentialsFor(box.standIn),
	});
	const wallMs = Date.now() - started;
	gc();
	const after = process.memoryUsage();
	const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
	const { log, connections } = box.standIn;
	process.stdout.write(
		`load: ${ITEMS} items, concurrency ${concurrency}${options.continueOnFail ? ', half the creates failing' : ''}: ` +
			`peak sockets ${connections.peak} (${connections.total} opened), in flight at most ${log.maxInFlight('create')} creates / ${log.maxInFlight('status')} reads, ` +
			`wall ${(wallMs / 1000).toFixed(1)} s, heap ${mb(after.heapUsed - before.heapUsed)} more after a full collection (the output items held), RSS ${mb(after.rss - before.rss)} more\n`,
	);
	return { result, heapGrowth: after.heapUsed - before.heapUsed };
}

/** How many creates the stand-in got for each item's image. */
function createsPerImage(): Map<string, number> {
	const counts = new Map<string, number>();
	for (const body of box.standIn.log.bodies('create') as Array<{ image: string }>) counts.set(body.image, (counts.get(body.image) ?? 0) + 1);
	return counts;
}

function expectOneCreateEach() {
	const counts = createsPerImage();
	expect(counts.size).toBe(ITEMS);
	expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
	for (let index = 0; index < ITEMS; index++) expect(counts.get(imageOf(index))).toBe(1);
}

function expectOneOutputEach(result: RunResult) {
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(ITEMS);
	expect(result.items.map((item) => (item.pairedItem as { item: number }).item)).toEqual(Array.from({ length: ITEMS }, (_, index) => index));
}

it.each([10, 50])(
	'2,000 items at Concurrency %i: every item succeeds once, open sockets stay within the concurrency',
	async (concurrency) => {
		const { result, heapGrowth } = await upscaleAll({ concurrency });
		expectOneOutputEach(result);
		expect(result.items.filter((item) => item.json.state !== 'succeeded').map((item) => item.json)).toEqual([]);
		expect(new Set(result.items.map((item) => item.json.taskId)).size).toBe(ITEMS);
		expectOneCreateEach();
		// Each item sends one request at a time: no more creates, nor reads, in flight than items running.
		expect(box.standIn.log.maxInFlight('create')).toBeLessThanOrEqual(concurrency);
		expect(box.standIn.log.maxInFlight('status')).toBeLessThanOrEqual(concurrency);
		expect(box.standIn.connections.peak).toBeLessThanOrEqual(concurrency + SOCKET_MARGIN);
		// The requests did overlap: the bound above was put to the test.
		expect(box.standIn.connections.peak).toBeGreaterThanOrEqual(3);
		// Structural, not a timing: 50 KB an item (the bench's target) is ten times what the output holds.
		expect(heapGrowth).toBeLessThan(ITEMS * 50 * 1024);
	},
	120_000,
);

/** By the item's index modulo 8: the even ones succeed, the odd ones meet one failure each. */
const failures: Array<[remainder: number, rule: FaultRule['fault'], message: RegExp, httpCode: string]> = [
	[1, { kind: 'status', status: 400, message: 'image is unreadable' }, /^The service rejected the request: image is unreadable/, '400'],
	[3, { kind: 'status', status: 422, message: 'image is too small' }, /^The service rejected the request: image is too small/, '422'],
	[5, { kind: 'createdThen', then: { kind: 'status', status: 500, message: 'internal' } }, MAYBE_CREATED, '500'],
	[7, { kind: 'status', status: 500, message: 'internal' }, MAYBE_CREATED, '500'],
];

it(
	'2,000 items with half the creates failing, under continueOnFail: one output each, no create sent twice',
	async () => {
		const indexOf = (image: string) => Number(/\/item-(\d+)\./.exec(image)?.[1]);
		for (const [remainder, fault] of failures) {
			box.standIn.fault('create', { fault, times: Infinity, match: ({ body }) => indexOf(String(body?.image)) % 8 === remainder });
		}
		const tasksBefore = box.standIn.tasks().length;
		const { result } = await upscaleAll({ continueOnFail: true });
		expectOneOutputEach(result);
		expectOneCreateEach();
		// The even items' tasks and the tasks made before a 500 answer, nothing more.
		expect(box.standIn.tasks().length - tasksBefore).toBe(ITEMS / 2 + ITEMS / 8);
		result.items.forEach((item, index) => {
			const json = item.json as { state?: string; taskId?: string; error?: string; details?: { itemIndex?: number; httpCode?: string; description?: string } };
			if (index % 2 === 0) {
				expect(json).toMatchObject({ state: 'succeeded', taskId: expect.stringMatching(/^n41/) });
				return;
			}
			const [, , message, httpCode] = failures.find(([remainder]) => remainder === index % 8)!;
			expect(`${json.error} ${json.details?.description ?? ''}`).toMatch(message);
			expect(json.details).toMatchObject({ itemIndex: index, httpCode });
		});
		expect(box.standIn.connections.peak).toBeLessThanOrEqual(10 + SOCKET_MARGIN);
	},
	120_000,
);
