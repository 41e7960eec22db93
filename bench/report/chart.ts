import { lineChart, type Series } from '../chart';
import { s } from '../format';
import { idealMs, type RunOutcome } from '../measure';
import { baselineExtrapolated, type Results } from './results';

/** The chart: wall time against batch size, log-log, the 1000-item rows included; every time in the headline's scale. */

const COLORS = ['#1f77b4', '#2ca02c', '#9467bd', '#8c564b'];

export function chartOf(res: Results): string {
	const o = res.options;
	const P = o.processingMs * o.scale;
	const secs = (ms: number, r: RunOutcome) => (ms * o.scale) / r.spec.scale / 1000;
	const point = (r: RunOutcome, note = '') => ({ x: r.spec.n, y: secs(r.result.wallMs, r), note: `${note}${r.result.failed ? `, ${r.result.failed} failed` : ''}` });
	const series: Series[] = [];
	const ideal = { name: 'ideal (service limit)', color: '#999999', dashed: true, points: o.sizes.map((n) => ({ x: n, y: idealMs(n, o.cap, P) / 1000, note: '' })) };
	series.push(ideal);
	o.concurrency.forEach((c, i) => {
		const points = res.speed.filter((r) => r.spec.concurrency === c).map((r) => point(r));
		if (points.length) series.push({ name: `this node, concurrency ${c}`, color: COLORS[i % COLORS.length], points });
	});
	const baseline = res.baseline.map((r) => point(r, r.spec.scale !== o.scale ? ' †' : ''));
	const rate = res.rate;
	if (rate) {
		const { gated, ungated } = rate;
		ideal.points.push({ x: gated.spec.n, y: secs(gated.idealMs, gated), note: ` (${o.rate.perSecond}/s)` });
		series.push({ name: `this node, c ${o.rate.concurrency}, ${o.rate.perSecond} creates/s, gate on`, color: '#ff7f0e', points: [point(gated, ' *')] });
		if (!('unavailable' in ungated)) series.push({ name: `this node, c ${o.rate.concurrency}, ${o.rate.perSecond} creates/s, gate off`, color: '#e377c2', points: [point(ungated, ' *')] });
		const extrapolated = baselineExtrapolated(res, gated.spec.n);
		if (extrapolated) baseline.push({ x: gated.spec.n, y: (extrapolated.ms * o.scale) / 1000, note: ' ‡' });
	}
	series.push({ name: 'sequential baseline (5 s poll)', color: '#d62728', points: baseline });
	const notes = [`service ${s(P)} s/image ±${o.jitter * 100}%, cap ${o.cap}; ${res.host.cores} cores, ${res.host.node}; † measured at scale ${o.baselineScale}, scaled back`];
	if (rate) {
		const n = rate.gated.spec.n;
		notes.push(`* ${n} items: ${o.rate.perSecond} creates/s allowed, cap ${o.rate.cap}, measured at scale ${o.rate.scale} and scaled back; ‡ ${n / (baselineExtrapolated(res, n)?.from.spec.n ?? 1)} × the measured baseline`);
	}
	return lineChart('Wall time against batch size', notes, 'batch size (images, log)', 'wall time (s, log)', series);
}
