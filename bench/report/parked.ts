import { pct, s, table, verdict, x } from '../format';
import type { RunOutcome } from '../measure';
import { parkedRowSets, type ParkedRows } from '../parked-rows';
import type { Results } from './results';

/** Issue 20's rows: a big batch held vs parked, wall against the ideal, creates and reads per task, worker busy. */

const busyOf = (r: RunOutcome) => r.result.segmentsMs.reduce((a, b) => a + b, 0);
const createsPerTask = (r: RunOutcome) => r.extra.tasksCreated / r.spec.n;
/** The ideal time to create every task at the account's rate. */
const createTimeMs = (r: RunOutcome) => (r.spec.n / (r.spec.service?.createRate ?? Infinity)) * 1000;
const back = (ms: number, r: RunOutcome) => s(ms / r.spec.scale);

function row(r: RunOutcome): Array<string | number> {
	const busy = busyOf(r);
	const res = r.result;
	const tail = res.endedAt - r.extra.lastTaskEndAt;
	return [
		r.spec.label,
		`${r.spec.n} / ${r.result.ok} ok${res.failed ? `, ${res.failed} failed` : ''}`,
		`${s(res.wallMs)} (${back(res.wallMs, r)})`,
		`${s(r.idealMs)} (${back(r.idealMs, r)})`,
		x(res.wallMs / r.idealMs),
		createsPerTask(r).toFixed(2),
		r.readsPerTask.toFixed(2),
		`${res.segmentsMs.map(s).join(' + ')} = ${s(busy)} (${pct(busy / res.wallMs)})`,
		res.webhookCalls ? `${res.webhookCalls} (${res.webhookRan} ran webhook(); their times summed ${s(res.webhookMs)} s)` : '–',
		r.extra.callbacks ? `${r.extra.callbacks} (${r.extra.callbacks409} got 409)` : '–',
		s(tail),
	];
}

function targets(key: keyof ParkedRows, r: RunOutcome): string[] {
	const ratio = r.result.wallMs / r.idealMs;
	const busy = busyOf(r);
	const share = busy / r.result.wallMs;
	const name = r.spec.label;
	const lines = [
		`${verdict(ratio <= 1.05)} ${name}: within 1.05x of the ideal: ${x(ratio)}`,
		`${verdict(createsPerTask(r) === 1)} ${name}: creates per task 1.00: ${createsPerTask(r).toFixed(2)}`,
		`${verdict(share < 0.1)} ${name}: worker busy < 10% of the wall: ${pct(share)}`,
	];
	if (key === 'park') {
		const limit = createTimeMs(r) + 0.05 * r.result.wallMs;
		lines.push(
			`${verdict(busy <= limit)} ${name}, the design's restated target (2.9): worker busy <= create time (n / rate = ${s(createTimeMs(r))} s) + 5% of the wall (${s(0.05 * r.result.wallMs)} s) = ${s(limit)} s: ${s(busy)} s`,
		);
	}
	return lines;
}

export function parkedSection(res: Results): string[] {
	const rows = res.parked;
	if (!rows) return [];
	const o = res.options.parked;
	const sets = parkedRowSets(res.options);
	const keys = (Object.keys(sets) as Array<keyof ParkedRows>).filter((k) => rows[k]);
	const describe = (k: keyof ParkedRows) =>
		`- *${sets[k].label}*: ${sets[k].n} images, ${sets[k].rate} creates/s, the service runs ${sets[k].cap} at once, ${s(sets[k].processingMs)} s each (unscaled).`;
	return [
		`## Parked batches (issue 20): ${o.items} images, holding the worker or parking the execution`,
		'',
		`**Time scale ${o.scale}**: every service time and the create rate are scaled (figures in brackets are scaled back); the node's own constants (first read, back-off, Check Every ${o.checkS} s) are not. ` +
			`The node runs at concurrency ${o.concurrency} with *On Error: Continue*. Parked rows run as production executions in the in-process n8n 2.41.1 of \`test/harness/parked.ts\`: n8n-core's WorkflowExecute for each run segment, the execution kept as JSON between them, the stand-in's callbacks served on 127.0.0.1 as n8n's waiting webhooks serve them (409 while the execution runs: the stand-in tries 3 times, then gives up).`,
		...keys.map(describe),
		'',
		table(
			['Row', 'Images / ok', 'Wall s (unscaled)', 'Ideal s (unscaled)', '× ideal', 'Creates / task', 'Status reads / task', 'Worker busy s: segments (share of wall)', 'Calls to the resume URL', 'Callbacks sent', 'Last task end → execution end (s)'],
			keys.map((k) => row(rows[k]!)),
		),
		'',
		'Worker busy: the execution\'s run segments in n8n-core\'s WorkflowExecute: holding, the whole run; parked, from the start to the park (the creates) plus from the resume to the end. webhook() runs in the process that takes the HTTP request (main or a webhook process in n8n), not on a worker; its time is shown apart. Holding downloads every result (Download Result on, as today\'s default); the parked node downloads nothing (a Task -> Get after it would, in the resumed segment). Status reads include the callbacks\' verification reads and the checks\' sweeps.',
		'',
		...keys.flatMap((k) => targets(k, rows[k]!)),
		'',
	];
}
