/* eslint-disable @n8n/community-nodes/no-restricted-globals -- dev tooling, never published: n8n's rules for community node code do not apply */
import { pct, progress, s } from './format';
import { measure, type RunOutcome, type RunSpec } from './measure';
import type { Options } from './options';
import { specOf } from './phases';
import { StandInClient } from './stand-in-client';
import type { Snapshot } from './stand-in-process';

/**
 * Issue 20's bench rows (design 2.9): a big batch at the account's create rate, held (today's Wait
 * for Result) and parked (While Waiting: Park the Execution, in the in-process n8n of
 * test/harness/parked.ts), and a parked batch that the service, not the rate, holds up.
 */

export interface ParkedRows {
	hold?: RunOutcome;
	park?: RunOutcome;
	serviceBound?: RunOutcome;
}

export interface ParkedRowSet {
	label: string;
	park: boolean;
	n: number;
	/** Unscaled: creates per second, tasks at once, ms per task. */
	rate: number;
	cap: number;
	processingMs: number;
}

export function parkedRowSets(o: Options): Record<keyof ParkedRows, ParkedRowSet> {
	const { items, rate, cap, processingMs, sbRate, sbCap, sbProcessingMs } = o.parked;
	return {
		hold: { label: 'Wait for Result, holding the worker (today)', park: false, n: items, rate, cap, processingMs },
		park: { label: 'Park the Execution, rate-bound', park: true, n: items, rate, cap, processingMs },
		serviceBound: { label: 'Park the Execution, service-bound', park: true, n: items, rate: sbRate, cap: sbCap, processingMs: sbProcessingMs },
	};
}

/** Tasks created, callbacks, and the last task's end (to compare with the execution's end). */
function parkedFigures(snapshot: Snapshot) {
	const callbacks = snapshot.entries.filter((e) => e.route === 'callback');
	return {
		tasksCreated: snapshot.tasks.length,
		callbacks: callbacks.length,
		callbacksAnswered2xx: callbacks.filter((e) => e.status >= 200 && e.status < 300).length,
		callbacks409: callbacks.filter((e) => e.status === 409).length,
		lastTaskEndAt: Math.max(...snapshot.tasks.map((t) => t.endedAt ?? -Infinity)),
	};
}

function specFor(o: Options, set: ParkedRowSet): RunSpec {
	const scale = o.parked.scale;
	return {
		...specOf(o, set.label, 'node', set.n, o.parked.concurrency, scale),
		processingMs: set.processingMs * scale,
		cap: set.cap,
		service: { createRate: set.rate / scale, retryAfterUnitS: scale },
		continueOnFail: true,
		park: set.park,
		nodeParameters: set.park ? { waitForResult: true, waitMode: 'park' } : undefined,
		// The park's limit counts from the park; the checks are n8n-side and not scaled (5 s is the node's minimum).
		nodeOptions: set.park ? { checkEverySeconds: o.parked.checkS, waitLimitSeconds: 7200 } : { waitLimitSeconds: 7200 },
		inspect: parkedFigures,
	};
}

export async function parkedRows(o: Options): Promise<ParkedRows> {
	const sets = parkedRowSets(o);
	const wanted = (Object.keys(sets) as Array<keyof ParkedRows>).filter((k) => o.parked.rows.includes(k));
	process.stderr.write(`parked batches (time scale ${o.parked.scale}; rows ${wanted.join(', ')}):\n`);
	const standIn = await StandInClient.start({ maxRunning: o.parked.cap, processingMs: o.parked.processingMs * o.parked.scale, jitter: o.jitter });
	const rows: ParkedRows = {};
	try {
		for (const key of wanted) {
			const outcome = await measure(standIn, specFor(o, sets[key]));
			const r = outcome.result;
			const busy = r.segmentsMs.reduce((a, b) => a + b, 0);
			progress(outcome, `  tasks ${outcome.extra.tasksCreated}, busy ${s(busy)} s (${pct(busy / r.wallMs)}), segments ${r.segmentsMs.map(s).join(' + ')} s, webhook calls ${r.webhookCalls} (ran ${r.webhookRan})`);
			rows[key] = outcome;
		}
	} finally {
		await standIn.close();
	}
	return rows;
}
