import { cpuPerItem, kb, pct, rateLimitedShare, s, verdict, x } from '../format';
import { memoryPerItem } from './batch';
import { helperFloor, memorySlope } from './cost-memory';
import { baselineAt, maxSize, wallAt, type Results } from './results';

/** The PASS/MISS lines: each with the measured figure and, when missed, by how much. */

const over = (value: number, limit: number, unit = '') => `, over by ${(value - limit).toFixed(2)}${unit} (${x(value / limit)} the limit)`;

function speedTargets(res: Results): string[] {
	const o = res.options;
	const n = maxSize(res);
	const headline = res.speed.filter((r) => r.spec.n === n && r.spec.concurrency >= o.cap);
	const b = baselineAt(res, n);
	const lines: string[] = [];
	for (const r of headline) {
		const ratio = wallAt(o, r) / r.idealMs;
		const runs = r.walls && r.walls.length > 1 ? `; median of ${r.walls.length} runs, which ranged ${x(Math.min(...r.walls) / r.idealMs)}–${x(Math.max(...r.walls) / r.idealMs)}` : '';
		lines.push(`${verdict(ratio <= 1.2)} ${n} images within 1.2x of the ideal, concurrency ${r.spec.concurrency}: ${x(ratio)} (${s(wallAt(o, r))} s vs ${s(r.idealMs)} s${runs})${ratio > 1.2 ? `, over by ${((ratio / 1.2 - 1) * 100).toFixed(1)}%` : ''}`);
	}
	for (const r of b ? headline : []) {
		const speedup = wallAt(o, b!) / wallAt(o, r);
		lines.push(`${verdict(speedup >= 20)} at least 20x faster than the sequential baseline at ${n} images, concurrency ${r.spec.concurrency}: ${x(speedup)}${speedup < 20 ? `, short by ${((1 - speedup / 20) * 100).toFixed(1)}%` : ''}${b!.spec.scale !== o.scale ? ' (baseline †)' : ''}`);
	}
	const unscaled = o.processingMs * o.scale === 2000;
	for (const r of res.speed.filter((r) => r.spec.n >= 10)) {
		const note = unscaled ? '' : ': NOT the unscaled 2 s, indicative only';
		lines.push(`${verdict(r.readsPerTask <= 3)} at most 3 status reads per task (processing ${s(r.spec.processingMs)} s${note}), ${r.spec.n} items, concurrency ${r.spec.concurrency}: ${r.readsPerTask.toFixed(2)}${r.readsPerTask > 3 ? over(r.readsPerTask, 3) : ''}`);
	}
	return lines;
}

function cpuTargets(res: Results): string[] {
	const floor = helperFloor(res.costs);
	if (!floor) return [];
	return res.speed
		.filter((r) => r.spec.n === maxSize(res))
		.map((r) => {
			const cpu = cpuPerItem(r);
			const limit = 2 * floor.total;
			const why = cpu > limit ? `${over(cpu, limit, ' ms')}; at its ${r.readsPerTask.toFixed(2)} reads a task the helpers alone cost ${(floor.create + floor.read * r.readsPerTask + floor.download).toFixed(2)} ms` : '';
			return `${verdict(cpu <= limit)} node CPU at most 2x the floor of n8n's own request helpers (one create + one read + one download = ${floor.total.toFixed(2)} ms, measured in this run), ${r.spec.n} items, concurrency ${r.spec.concurrency}: ${cpu.toFixed(2)} ms per item, ${x(cpu / floor.total)} the floor (limit ${limit.toFixed(2)} ms)${why}`;
		});
}

function rateTargets(res: Results): string[] {
	if (!res.rate) return [];
	const r = res.rate.gated;
	const n = r.spec.n;
	const ratio = r.result.wallMs / r.idealMs;
	const share = rateLimitedShare(r);
	const scaled = r.spec.scale !== 1 ? ` (scale ${r.spec.scale})` : '';
	return [
		`${verdict(ratio <= 1.15 && !r.result.failed)} ${n} images under ${res.options.rate.perSecond} creates/s within 1.15x of the ideal, every item done${scaled}: ${x(ratio)} (${s(r.result.wallMs)} s vs ${s(r.idealMs)} s)` +
			`${ratio > 1.15 ? `, over by ${((ratio / 1.15 - 1) * 100).toFixed(1)}%` : ''}${r.result.failed ? `; ${r.result.failed} items failed, so the batch was not done in that time` : ''}`,
		`${verdict(share <= 0.03)} 429 answers at most 3% of requests, ${n} images: ${pct(share)} (${r.rateLimited} of ${r.apiRequests} creates and reads)${share > 0.03 ? `, ${x(share / 0.03)} the limit` : ''}`,
		`${verdict(r.result.failed === 0)} no failed items, ${n} images: ${r.result.failed}${r.result.failed ? ` failed (first: ${r.result.firstError})` : ''}`,
		`${verdict(r.readsPerTask <= 3)} at most 3 status reads a task, ${n} images${scaled}: ${r.readsPerTask.toFixed(2)}${r.readsPerTask > 3 ? over(r.readsPerTask, 3) : ''}`,
	];
}

function waitTargets(res: Results): string[] {
	const lines: string[] = [];
	const stuck = res.stuck;
	if (stuck) {
		const reads = stuck.extra.stuckReads;
		const limit = res.options.stuck.waitS * res.options.stuck.scale;
		const why = reads > 30 ? `, ${x(reads / 30)} the limit: its last reads came every ${s(stuck.extra.lastGapMs)} s, not backing off` : '';
		lines.push(`${verdict(reads <= 30)} one stuck task in a batch of ${stuck.spec.n} costs at most 30 status reads over its ${limit} s wait: ${reads}${why}`);
	}
	const slow = res.slow;
	if (slow) {
		const reads = slow.extra.slowReadsPerTask;
		const why = reads > 4 ? `${over(reads, 4)}; the first wave (${slow.extra.firstWaveTasks} tasks, before the batch saw a slow one end) took ${slow.extra.firstWaveReadsPerTask.toFixed(2)} reads each` : '';
		lines.push(`${verdict(reads <= 4)} tasks ${res.options.slow.factor}x slower than the batch learned cost at most 4 status reads each: ${reads.toFixed(2)}${why}`);
	}
	return lines;
}

function memoryTargets(res: Results): string[] {
	const lines: string[] = [];
	const m = memorySlope(res.memory, 'filesystem');
	if (m) {
		const ok = m.perItem <= 0.1 * m.image;
		lines.push(
			`${verdict(ok)} filesystem mode: peak memory grows with the largest image, not with the batch (pass: each extra item adds at most 10% of one image, ${((0.1 * m.image) / 1e6).toFixed(2)} MB): ${m.from}→${m.to} items adds ${(m.delta / 1e6).toFixed(1)} MB of peak RSS growth, ${(m.perItem / 1e6).toFixed(2)} MB per extra item, for ${(m.image / 1e6).toFixed(2)} MB images${ok ? '' : `; over by ${(m.perItem / (0.1 * m.image)).toFixed(1)}x`}`,
		);
	}
	if (res.rate) {
		const p = memoryPerItem(res.rate);
		const limit = 50 * 1024;
		lines.push(`${verdict(p.perItem <= limit)} ${p.to.spec.n} items in filesystem mode: peak memory grows at most 50 KB per extra item: ${kb(p.perItem)} KB (${p.from.spec.n}→${p.to.spec.n} items)${p.perItem > limit ? `, ${x(p.perItem / limit)} the limit` : ''}`);
	}
	return lines;
}

export function targetsSection(res: Results): string[] {
	const lines = [...speedTargets(res), ...cpuTargets(res), ...rateTargets(res), ...waitTargets(res), ...memoryTargets(res)];
	return ['## Targets', '', ...lines.map((t) => `- ${t}`), ''];
}

