import { cpuPerItem, growth, mb, peakRss, s, table } from '../format';
import type { RunOutcome } from '../measure';
import type { CostRow } from '../request-cost';
import { maxSize, type Results } from './results';

/** The report's request-cost and 8 MB memory sections. */

/** One create + one read + one download through n8n's own request helpers, CPU ms: the floor of one item. */
export function helperFloor(costs: CostRow[]) {
	const of = (kind: CostRow['floor']) => costs.find((c) => c.floor === kind)?.cpuMsPerCall;
	const [create, read, download] = [of('create'), of('read'), of('download')];
	if (create === undefined || read === undefined || download === undefined) return undefined;
	return { create, read, download, total: create + read + download };
}

export function costSection(res: Results): string[] {
	const { costs } = res;
	if (!costs.length) return [];
	const floor = helperFloor(costs);
	const lines = [
		'## CPU of one request, layer by layer',
		'',
		`Sequential calls (${Math.max(...costs.map((c) => c.calls))} each, after a warm-up) in a fresh engine process against the stand-in process: what the node's per-item CPU is made of. Every request of the node goes through n8n's request helper (axios, a new connection per call).`,
		'',
		table(
			['Layer', 'CPU ms / call', 'user', 'system'],
			costs.map((c) => [c.layer, c.calls ? c.cpuMsPerCall.toFixed(3) : `${c.cpuMsPerCall.toFixed(3)} per s`, c.userMsPerCall.toFixed(3), c.systemMsPerCall.toFixed(3)]),
		),
		'',
	];
	if (floor) {
		lines.push(
			`The floor of one item through n8n's own helpers: one create (${floor.create.toFixed(2)} ms) + one status read (${floor.read.toFixed(2)} ms) + one download into the binary store (${floor.download.toFixed(2)} ms) = **${floor.total.toFixed(2)} ms**. The CPU target is at most twice that per item.`,
		);
		for (const r of res.speed.filter((r) => r.spec.n === maxSize(res))) {
			const requests = floor.create + floor.read * r.readsPerTask + floor.download;
			lines.push(`- Concurrency ${r.spec.concurrency}: one create + ${r.readsPerTask.toFixed(2)} reads + one download per item = ${requests.toFixed(2)} ms of helper CPU per item, of the ${cpuPerItem(r).toFixed(2)} ms measured.`);
		}
		lines.push('');
	}
	return lines;
}

function memoryRow(r: RunOutcome): Array<string | number> {
	const stored = `${r.result.binaries} (${r.result.storedInItem ? `${r.result.storedInItem} in the item` : 'on disk'})${r.result.failed ? `, ${r.result.failed} failed: ${r.result.firstError}` : ''}`;
	const res = r.result;
	return [r.spec.mode, r.spec.n, (res.binaryBytesMax / 1e6).toFixed(2), stored, s(res.wallMs), mb(res.rssBefore), mb(peakRss(r)), mb(growth(r)), mb(res.heapUsedPeak), mb(res.arrayBuffersPeak), mb(res.externalPeak), cpuPerItem(r).toFixed(2)];
}

export function memorySlope(memory: RunOutcome[], mode: string) {
	const rows = memory.filter((r) => r.spec.mode === mode && r.result.failed === 0).sort((a, b) => a.spec.n - b.spec.n);
	if (rows.length < 2) return undefined;
	const [first, last] = [rows[0], rows[rows.length - 1]];
	const delta = growth(last) - growth(first);
	return { from: first.spec.n, to: last.spec.n, delta, perItem: delta / (last.spec.n - first.spec.n), image: Math.max(...rows.map((r) => r.result.binaryBytesMax)) };
}

export function memorySection(res: Results): string[] {
	const { memory, options: o } = res;
	if (!memory.length) return [];
	const head = ['Binary mode', 'Items', 'Result MB (each)', 'Stored', 'Wall (s)', 'RSS before (MB)', 'Peak RSS (MB)', 'Growth (MB)', 'Heap used peak (MB)', 'ArrayBuffers peak (MB)', 'External peak (MB)', 'Node CPU ms / item'];
	const slopes = o.memoryModes.map((mode) => [mode, memorySlope(memory, mode)] as const).filter(([, slope]) => slope);
	return [
		`## Memory: ${(memory[0].result.binaryBytesMax / 1e6).toFixed(2)} MB results downloaded into binary fields`,
		'',
		`Each item: a ${o.memorySide}x${o.memorySide} noise picture, upscaled 2x by the stand-in to a PNG, downloaded by the node (concurrency 10) into the \`data\` binary field. Service at scale ${o.memoryScale} (${s(o.processingMs * o.memoryScale)} s per image). One fresh engine process per row; RSS before is after a one-item warm-up and a GC. Heap, ArrayBuffer and external peaks (large strings, such as default mode's base64 binaries, are external strings outside the JS heap) come from \`memoryUsage()\` sampled every 50 ms, which adds a few ms of CPU per second to these rows.`,
		'',
		table(head, memory.map(memoryRow)),
		'',
		...slopes.map(
			([mode, m]) =>
				`- ${mode}: from ${m!.from} to ${m!.to} items peak growth changes by ${(m!.delta / 1e6).toFixed(1)} MB, ${(m!.perItem / 1e6).toFixed(2)} MB per extra item (${((m!.perItem / m!.image) * 100).toFixed(0)}% of one ${(m!.image / 1e6).toFixed(2)} MB image).`,
		),
		'',
	];
}
