import type { RateRows } from '../batch-rows';
import { cpuPerItem, growth, kb, mb, pct, peakRss, rateLimitedShare, s, table, x } from '../format';
import type { RunOutcome } from '../measure';
import { baselineExtrapolated, type Results } from './results';

/** The report's batch sections (issue 12): the rate-limited batch, a stuck task, slow tasks, memory per extra item. */

const unscaled = (ms: number, r: RunOutcome) => ms / r.spec.scale;

function rateRow(r: RunOutcome, b: number | undefined): Array<string | number> {
	const wall = r.result.wallMs;
	return [
		r.spec.label,
		r.spec.n,
		s(wall),
		s(unscaled(wall, r)),
		s(unscaled(r.idealMs, r)),
		x(wall / r.idealMs),
		b ? x(b / unscaled(wall, r)) : '–',
		`${r.rateLimited} of ${r.apiRequests} (${pct(rateLimitedShare(r))})`,
		r.result.failed,
		r.readsPerTask.toFixed(2),
		cpuPerItem(r).toFixed(2),
		`${mb(peakRss(r))} (+${mb(growth(r))})`,
		r.extra.peakSockets ?? '–',
	];
}

export function rateSection(res: Results, rate: RateRows): string[] {
	const o = res.options;
	const { gated, ungated } = rate;
	const base = baselineExtrapolated(res, gated.spec.n);
	const naRow = (why: string) => [`this node, gate off: **n/a (${why})**`, gated.spec.n, ...Array(11).fill('–')];
	const baseRow = base ? ['sequential baseline (fixed 5 s poll) ‡', gated.spec.n, '–', s(base.ms), s(unscaled(gated.idealMs, gated)), x(base.ms / unscaled(gated.idealMs, gated)), '1.00x', '–', '–', '1.00 (model)', '–', '–', '–'] : undefined;
	const head = ['Contender', 'Items', `Wall (s, scale ${o.rate.scale})`, 'Wall scaled back (s)', 'Ideal (s)', '× ideal', '× faster than sequential', '429 answers (of API requests)', 'Failed items', 'Status reads / task', 'Node CPU ms / item', 'Peak RSS MB (growth)', 'Peak open sockets'];
	const rows = [rateRow(gated, base?.ms), 'unavailable' in ungated ? naRow(ungated.unavailable) : rateRow(ungated, base?.ms), ...(baseRow ? [baseRow] : [])];
	return [
		`## ${gated.spec.n} images under the account's rate limit`,
		'',
		`The stand-in allows ${o.rate.perSecond} creates per second (a token bucket holding one second's worth; past it, 429 with \`Retry-After\` in whole seconds) and runs ${o.rate.cap} tasks at once, ${s(o.processingMs)} s each. ` +
			`The node runs at concurrency ${o.rate.concurrency} with *On Error: Continue*, so every item's outcome counts. Ideal = max(n / rate, ceil(n / ${o.rate.cap}) × ${s(o.processingMs)} s) = ${s(unscaled(gated.idealMs, gated))} s: the rate, not the processing, is the limit. ` +
			`**Time scale ${o.rate.scale}**: processing ${s(o.processingMs * o.rate.scale)} s, ${rate.perSecond} creates/s, Retry-After in multiples of ${o.rate.scale} s; walls are also shown scaled back (÷ ${o.rate.scale}). The node's own constants (first read 1.5 s, retry back-off 0.5-8 s) are not scaled. Status reads are not limited here.`,
		'',
		table(head, rows),
		'',
		`Gate on/off: the node's batch-wide rate gate; off, the built node's router runs with no gate passed in (each item meets the limit on its own). 429 answers are a share of creates + status reads (downloads not counted). Peak open sockets: the most TCP connections the node held open to the stand-in at once (at most the concurrency, ${o.rate.concurrency}, plus a few closing). Failed items: output items with an error.`,
		base
			? `‡ Not run: one item after another, its time is linear in n and it never meets the rate limit (one create per ${s(o.pollMs)} s), so it is ${gated.spec.n / base.from.spec.n} × its measured ${base.from.spec.n}-item row (${s(base.ms / (gated.spec.n / base.from.spec.n))} s${base.from.spec.scale !== o.scale ? ', itself measured at scale ' + base.from.spec.scale : ''}). Running it would take ${(base.ms / 60_000).toFixed(0)} minutes.`
			: '',
		'',
	];
}

/** Row 4: memory growth per extra item, from the 100- and the 1000-item runs of the same set-up. */
export function memoryPerItem(rate: RateRows) {
	const { gated: big, hundred: small } = rate;
	const extra = big.spec.n - small.spec.n;
	return { from: small, to: big, perItem: (growth(big) - growth(small)) / extra };
}

export function memoryPerItemSection(rate: RateRows): string[] {
	const m = memoryPerItem(rate);
	const row = (r: RunOutcome) => [r.spec.n, mb(r.result.rssBefore), mb(peakRss(r)), mb(growth(r)), mb(r.result.heapUsedPeak), mb(r.result.externalPeak), `${r.result.binaries} on disk`];
	return [
		`## Memory per extra item: ${m.to.spec.n} items in filesystem binary mode`,
		'',
		`The rate-limited batch above (gate on) and the same set-up at ${m.from.spec.n} items, memory sampled every 50 ms. Small results (64x48 inputs, 2x PNGs of ${kb(m.to.result.binaryBytesMax)} KB), so this is what each item costs the execution, not its file (the 8 MB rows below show files streaming to disk).`,
		'',
		table(['Items', 'RSS before (MB)', 'Peak RSS (MB)', 'Growth (MB)', 'Heap used peak (MB)', 'External peak (MB)', 'Results'], [row(m.from), row(m.to)]),
		'',
		`From ${m.from.spec.n} to ${m.to.spec.n} items peak growth changes by ${mb(growth(m.to) - growth(m.from))} MB: **${kb(m.perItem)} KB per extra item**.`,
		'',
	];
}

export function waitSection(res: Results): string[] {
	const o = res.options;
	const lines = ['## Waiting: a task that never ends, tasks slower than the batch learned', ''];
	if (res.stuck) {
		const r = res.stuck;
		lines.push(
			`**One stuck task** in a batch of ${r.spec.n} (concurrency 10, cap ${r.spec.cap}, ${s(r.spec.processingMs)} s per task), *Wait Limit* ${o.stuck.waitS * o.stuck.scale} s, *Return the Running Task* at the limit` +
				`${o.stuck.scale === 1 ? ': unscaled, in real seconds (the node\'s read schedule has unscaled constants, so a scaled wait would not show its real read count); it runs in a stand-in of its own beside the other phases' : `: time scale ${o.stuck.scale}`}.`,
			'',
			table(
				['Items', 'Wait limit (s)', 'Status reads of the stuck task', 'Reads per other task', 'Returned running', 'Wall (s)'],
				[[r.spec.n, o.stuck.waitS * o.stuck.scale, r.extra.stuckReads, r.extra.otherReadsPerTask.toFixed(2), r.result.running, s(r.result.wallMs)]],
			),
			'',
		);
	}
	if (res.slow) {
		const r = res.slow;
		const ms = o.processingMs * o.slow.scale;
		lines.push(
			`**Slower than learned**: ${r.spec.n} tasks at concurrency 10, cap ${r.spec.cap}; the first ${o.slow.first} take ${s(ms)} s (the batch learns that), the other ${r.extra.slowTasks} take ${o.slow.factor}x as long, ${s(ms * o.slow.factor)} s (±${o.jitter * 100}%). ` +
				`The first wave of slow tasks are those started before any slow task ended: for them the batch knew only the short time.${o.slow.scale === 1 ? ' Unscaled.' : ` Time scale ${o.slow.scale}.`}`,
			'',
			table(
				['Items', 'Reads per slow task', 'of which first wave (tasks)', 'Reads per first-wave task', 'Reads per normal task', 'Wall (s)'],
				[[r.spec.n, r.extra.slowReadsPerTask.toFixed(2), r.extra.firstWaveTasks, r.extra.firstWaveReadsPerTask.toFixed(2), r.extra.fastReadsPerTask.toFixed(2), s(r.result.wallMs)]],
			),
			'',
		);
	}
	return lines.length > 2 ? lines : [];
}
