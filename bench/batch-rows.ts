/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- dev tooling, never published: n8n's rules for community node code do not apply */
import { progress } from './format';
import { measure, Unavailable, type RunOutcome, type RunSpec } from './measure';
import type { Options } from './options';
import { smallImage, specOf } from './phases';
import { StandInClient } from './stand-in-client';
import type { Snapshot } from './stand-in-process';

/**
 * The batch rows of issue 12: (1) a large batch under the account's create rate, with and without
 * the node's rate gate; (2) one task that never ends; (3) tasks that run longer than the batch
 * learned; (4) memory per extra item, from row 1's batch and the same at 100 items.
 */

export interface RateRows {
	/** Creates per second the stand-in allowed (already scaled). */
	perSecond: number;
	gated: RunOutcome;
	/** The same batch with the gate off, or why it could not run. */
	ungated: RunOutcome | { unavailable: string };
	/** The same set-up at 100 items, for memory per extra item. */
	hundred: RunOutcome;
}

function rateSpec(o: Options, n: number, gateOff: boolean): RunSpec {
	const { scale, concurrency, cap, perSecond } = o.rate;
	const label = `this node, c ${concurrency}, ${perSecond} creates/s, gate ${gateOff ? 'off' : 'on'}`;
	return {
		...specOf(o, label, 'node', n, concurrency, scale),
		cap,
		// Retry-After in whole seconds at the real scale: in multiples of the scale here.
		service: { createRate: perSecond / scale, retryAfterUnitS: scale },
		continueOnFail: true,
		gateOff,
		sampleMemory: true,
		inspect: (snapshot) => ({ peakSockets: snapshot.peakSockets }),
	};
}

export async function rateRows(o: Options, standIn: StandInClient): Promise<RateRows> {
	const { items, scale, perSecond, cap } = o.rate;
	process.stderr.write(`rate-limited batch (scale ${scale}: ${perSecond / scale} creates/s, ${o.processingMs * scale} ms per task, cap ${cap}):\n`);
	const gated = await measure(standIn, rateSpec(o, items, false));
	const sockets = (r: RunOutcome) => `  peak sockets ${r.extra.peakSockets} (concurrency ${r.spec.concurrency})`;
	progress(gated, `  gate ${gated.result.gate}${sockets(gated)}`);
	let ungated: RateRows['ungated'];
	try {
		ungated = await measure(standIn, rateSpec(o, items, true));
		progress(ungated, sockets(ungated));
	} catch (error) {
		if (!(error instanceof Unavailable)) throw error;
		ungated = { unavailable: error.message };
		process.stderr.write(`  gate off: n/a (${error.message})\n`);
	}
	const hundred = await measure(standIn, rateSpec(o, 100, false));
	progress(hundred, sockets(hundred));
	return { perSecond: perSecond / scale, gated, ungated, hundred };
}

const readsOf = (snapshot: Snapshot, ids: Set<string | undefined>) =>
	snapshot.entries.filter((e) => e.route === 'status' && e.method === 'GET' && ids.has(e.taskId)).length;

function stuckFigures(snapshot: Snapshot) {
	const stuck = new Set(snapshot.tasks.filter((t) => t.state === 'running' || t.state === 'queued').map((t) => t.id));
	const others = new Set(snapshot.tasks.filter((t) => !stuck.has(t.id)).map((t) => t.id));
	const times = snapshot.entries.filter((e) => e.route === 'status' && e.taskId !== undefined && stuck.has(e.taskId)).map((e) => e.at);
	const last = times.slice(-11);
	return {
		stuckTasks: stuck.size,
		stuckReads: readsOf(snapshot, stuck),
		otherReadsPerTask: readsOf(snapshot, others) / Math.max(1, others.size),
		/** The mean gap between the stuck task's last 11 reads: how far its reads backed off. */
		lastGapMs: last.length > 1 ? (last[last.length - 1] - last[0]) / (last.length - 1) : NaN,
	};
}

/** One task that never ends, in a batch of its own stand-in (so it can run beside the other phases). */
export async function stuckRow(o: Options): Promise<RunOutcome> {
	process.stderr.write(`stuck task: started in the background (a ${o.stuck.waitS * o.stuck.scale} s wait)\n`);
	const { items, waitS, scale } = o.stuck;
	const stuckAt = Math.floor(items / 2);
	const standIn = await StandInClient.start({ maxRunning: o.cap, processingMs: o.processingMs * scale, jitter: o.jitter });
	try {
		const outcome = await measure(standIn, {
			...specOf(o, `this node, one task never ends`, 'node', items, 10, scale),
			image: (i) => (i === stuckAt ? { ...smallImage(i), outcome: 'never' } : smallImage(i)),
			nodeOptions: { waitLimitSeconds: waitS * scale, onWaitLimit: 'returnRunning' },
			inspect: stuckFigures,
		});
		progress(outcome, `  stuck task: ${outcome.extra.stuckReads} reads`);
		return outcome;
	} finally {
		await standIn.close();
	}
}

function slowFigures(snapshot: Snapshot, slowMs: number) {
	const creates = snapshot.entries.filter((e) => e.route === 'create' && e.taskId);
	const slow = new Set(creates.filter((e) => e.fault === `takes:${slowMs}`).map((e) => e.taskId));
	const fast = new Set(creates.filter((e) => !slow.has(e.taskId)).map((e) => e.taskId));
	const slowTasks = snapshot.tasks.filter((t) => slow.has(t.id));
	const firstSlowEnd = Math.min(...slowTasks.map((t) => t.endedAt ?? Infinity));
	// Started before any slow task ended: the batch knew only the first tasks' time.
	const firstWave = new Set(slowTasks.filter((t) => t.startedAt !== undefined && t.startedAt < firstSlowEnd).map((t) => t.id));
	return {
		slowTasks: slow.size,
		slowReadsPerTask: readsOf(snapshot, slow) / Math.max(1, slow.size),
		firstWaveTasks: firstWave.size,
		firstWaveReadsPerTask: readsOf(snapshot, firstWave) / Math.max(1, firstWave.size),
		fastReadsPerTask: readsOf(snapshot, fast) / Math.max(1, fast.size),
	};
}

/**
 * The first tasks take the normal time, the rest `factor` times longer: what the batch learned is wrong
 * for them. In a stand-in of its own, so no other phase's settings or log mix with it.
 */
export async function slowRow(o: Options): Promise<RunOutcome> {
	const ms = o.processingMs * o.slow.scale;
	process.stderr.write('slow tasks:\n');
	const standIn = await StandInClient.start({ maxRunning: o.cap, processingMs: ms, jitter: o.jitter });
	try {
		return await measureSlow(o, standIn, ms);
	} finally {
		await standIn.close();
	}
}

async function measureSlow(o: Options, standIn: StandInClient, ms: number): Promise<RunOutcome> {
	const { items, first, factor, scale } = o.slow;
	const outcome = await measure(standIn, {
		...specOf(o, `this node, tasks ${factor}x slower`, 'node', items, 10, scale),
		faults: [
			{
				route: 'create',
				rules: [
					{ fault: { kind: 'takes', ms }, times: first },
					{ fault: { kind: 'takes', ms: ms * factor }, times: items - first },
				],
			},
		],
		inspect: (snapshot) => slowFigures(snapshot, ms * factor),
	});
	progress(outcome, `  the first ${first} took ${ms} ms, the other ${items - first} ${ms * factor} ms: ${outcome.extra.slowReadsPerTask.toFixed(2)} reads each`);
	return outcome;
}
