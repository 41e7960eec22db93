import { cpuPerItem, growth, mb, peakRss, s, table, x } from '../format';
import { BUCKETS, type RunOutcome } from '../measure';
import { baselineAt, idealAt, wallAt, type Results } from './results';

/** The report's speed sections: the wall-time table, where the time goes, and the time scale's effect. */

function speedRow(res: Results, r: RunOutcome): Array<string | number> {
	const o = res.options;
	const b = baselineAt(res, r.spec.n);
	const scaled = r.spec.scale !== o.scale;
	const range = r.walls && r.walls.length > 1 ? ` (${s(Math.min(...r.walls))}–${s(Math.max(...r.walls))})` : '';
	return [
		r.spec.contender === 'node' ? `this node, concurrency ${r.spec.concurrency}` : 'sequential baseline (fixed 5 s poll)',
		r.spec.n,
		`${s(wallAt(o, r))}${scaled ? ' †' : ''}${range}${r.result.failed ? ` (${r.result.failed} failed)` : ''}`,
		s(idealAt(o, r)),
		x(wallAt(o, r) / idealAt(o, r)),
		b ? x(wallAt(o, b) / wallAt(o, r)) : '–',
		r.readsPerTask.toFixed(2),
		cpuPerItem(r).toFixed(2),
		`${mb(peakRss(r))} (+${mb(growth(r))})`,
	];
}

export function speedSection(res: Results): string[] {
	const o = res.options;
	const P = o.processingMs * o.scale;
	const rows = [...res.speed, ...res.baseline].sort(
		(a, b) => a.spec.n - b.spec.n || Number(a.spec.contender === 'baseline') - Number(b.spec.contender === 'baseline') || a.spec.concurrency - b.spec.concurrency,
	);
	const head = ['Contender', 'Items', 'Wall (s)', 'Ideal (s)', '× ideal', '× faster than baseline', 'Status reads / task', 'Node CPU ms / item', 'Peak RSS MB (growth)'];
	return [
		'## Speed: wall time per batch',
		'',
		`Ideal = ceil(n / ${o.cap}) × ${s(P)} s: the service's own processing time for the batch at its cap, the physical limit.`,
		`The **sequential baseline** is a bench-only node (bench/SequentialBaseline.node.ts) that stands for the pattern existing community upscale nodes use today: one item after another, polling each task every ${s(o.pollMs * o.scale)} s, same transport as this node.`,
		'A batch of n items never has more than n in flight, so a concurrency above n works like n: such rows are run once, at the lowest concurrency.',
		'',
		table(head, rows.map((r) => speedRow(res, r))),
		'',
		...scaledBaselineNotes(res),
		'',
		`The headline row (${Math.max(...o.sizes)} items, concurrency ${o.concurrency[0]}) is the median (by wall time) of ${o.repeat} run${o.repeat > 1 ? 's' : ''}, the range of wall times in brackets; its CPU is the median over the runs, its other columns the median run's. The other rows are one run each. `,
		'Status reads are counted by the stand-in (every GET /api/v1/tasks/{id}). Node CPU is `process.cpuUsage()` of the process running the engine (user + system, around the execution only, after a one-item warm-up), divided by items: it covers n8n\'s engine, expressions, the HTTP client and the download into the binary store (small 64x48 PNG results here; filesystem mode). Peak RSS is that process\'s high-water mark (`resourceUsage().maxRSS`); growth is over its RSS just before the batch. Each row is a fresh process. No timers of the bench run in that process during the batch (a 50 ms memory sampler was seen to cost 5-6 ms of CPU per second on this VM).',
		'',
	];
}

function scaledBaselineNotes(res: Results): string[] {
	const o = res.options;
	const reference = res.baseline.filter((r) => r.spec.scale === o.scale).sort((a, b) => b.spec.n - a.spec.n)[0];
	return res.baseline
		.filter((r) => r.spec.scale !== o.scale)
		.map((r) => {
			const check = reference
				? ` Cross-check, the linear model from its ${reference.spec.n}-item row measured at scale ${o.scale}: ${r.spec.n} × ${s(wallAt(o, reference) / reference.spec.n)} s = ${s((wallAt(o, reference) / reference.spec.n) * r.spec.n)} s.`
				: '';
			return `† Measured at scale ${r.spec.scale} (${s(r.result.wallMs)} s for ${r.spec.n} items: ${s(r.spec.processingMs)} s processing, ${s(r.spec.pollIntervalMs)} s poll) and multiplied by ${o.scale / r.spec.scale} to keep the run short; the baseline has no unscaled constants, so its time scales linearly.${check}`;
		});
}

function lagRow(r: RunOutcome): Array<string | number> {
	return [
		r.spec.label,
		r.spec.scale,
		r.spec.n,
		...[r.lags.median, r.lags.p90, r.lags.max, r.lags.mean].map((v) => `${v.toFixed(0)} ms`),
		...BUCKETS.map(([name]) => r.lags.buckets[name]),
		(r.readsBeforeEnd / r.spec.n).toFixed(2),
		(r.readsWhileQueued / r.spec.n).toFixed(2),
		`${r.meanProcessingMs.toFixed(0)} ms`,
		`${r.meanQueueMs.toFixed(0)} ms`,
		s(r.serviceSpanMs),
	];
}

export function lagSection(res: Results): string[] {
	const rows = [...res.speed, ...res.sensitivity].filter((r) => r.spec.n >= 10);
	const head = ['Contender', 'Scale', 'Items', 'Lag median', 'p90', 'max', 'mean', ...BUCKETS.map(([name]) => name)];
	head.push('Reads before end / task', 'of which while queued', 'Mean processing', 'Mean queue wait', 'Service span (s)');
	return [
		"## Where the time goes: (task end → the node's read that saw it)",
		'',
		"From the stand-in's log: for every task, the time between its end and the first status read after it. Wall time above the ideal is mostly this lag (each of the ceil(n/cap) waves waits for it), plus create and download time.",
		'',
		table(head, rows.map(lagRow)),
		'',
	];
}

export function sensitivitySection(res: Results): string[] {
	if (!res.sensitivity.length) return [];
	const c = res.sensitivity[0].spec.concurrency;
	const rows = [...res.speed.filter((r) => r.spec.n >= 10 && r.spec.concurrency === c), ...res.sensitivity].sort((a, b) => a.spec.n - b.spec.n || a.spec.scale - b.spec.scale);
	return [
		"## What the time scale does to the node's figures",
		'',
		"The node's polling constants (first read after 1.5 s, steps of at least 250 ms, in nodes/ImageUpscale/run/wait.ts) are not scaled, so at a scale below 1 the node reads and overshoots relatively more. " +
			`The headline rows above run at scale ${res.options.scale}; the rate-limited rows below at ${res.options.rate.scale}. Same batch, concurrency ${c}, at other scales (times are real, not scaled back):`,
		'',
		table(
			['Scale', 'Processing', 'Items', 'Wall (s)', 'Ideal (s)', '× ideal', 'Status reads / task', 'Lag median'],
			rows.map((r) => [r.spec.scale, `${s(r.spec.processingMs)} s`, r.spec.n, s(r.result.wallMs), s(r.idealMs), x(r.result.wallMs / r.idealMs), r.readsPerTask.toFixed(2), `${r.lags.median.toFixed(0)} ms`]),
		),
		'',
	];
}

