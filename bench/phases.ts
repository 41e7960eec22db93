/* eslint-disable @n8n/community-nodes/no-restricted-globals -- dev tooling, never published: n8n's rules for community node code do not apply */
import { median, progress, s } from './format';
import { measure, requestCost, type RunOutcome, type RunSpec } from './measure';
import type { Options } from './options';
import type { CostRow } from './request-cost';
import { StandInClient } from './stand-in-client';

/** The phases of today's rows: speed, the sequential baseline, scale sensitivity, request cost, memory. */

export const smallImage = (i: number) => ({ width: 64, height: 48, name: `photo-${i + 1}` });

export function specOf(o: Options, label: string, contender: 'node' | 'baseline', n: number, concurrency: number, scale: number): RunSpec {
	return {
		label,
		contender,
		n,
		concurrency,
		mode: 'filesystem',
		processingMs: o.processingMs * scale,
		jitter: o.jitter,
		cap: o.cap,
		pollIntervalMs: o.pollMs * scale,
		scale,
		image: smallImage,
	};
}

/** Concurrencies that act differently at this size: above n, a concurrency works like n. */
const distinctConcurrencies = (o: Options, n: number) => o.concurrency.filter((c, i) => o.concurrency.findIndex((d) => Math.min(d, n) === Math.min(c, n)) === i);

export async function speedRows(o: Options, standIn: StandInClient): Promise<RunOutcome[]> {
	process.stderr.write(`speed (stand-in pid ${standIn.pid}, ${o.processingMs * o.scale} ms +-${o.jitter * 100}% per task, cap ${o.cap}):\n`);
	const rows: RunOutcome[] = [];
	for (const n of o.sizes) {
		for (const c of distinctConcurrencies(o, n)) {
			// Only the headline row (the largest batch at the first concurrency) is repeated, to keep the whole run short.
			const repeat = n === Math.max(...o.sizes) && c === o.concurrency[0] ? o.repeat : 1;
			const runs: RunOutcome[] = [];
			for (let i = 0; i < repeat; i++) {
				const outcome = await measure(standIn, specOf(o, `this node, concurrency ${c}`, 'node', n, c, o.scale));
				runs.push(outcome);
				progress(outcome, repeat > 1 ? `  (run ${i + 1}/${repeat})` : '');
			}
			rows.push(median(runs));
		}
	}
	return rows;
}

export async function baselineRows(o: Options, standIn: StandInClient): Promise<RunOutcome[]> {
	process.stderr.write('sequential baseline:\n');
	const rows: RunOutcome[] = [];
	for (const n of o.sizes) {
		const scale = n > o.baselineMax && o.baselineScale < o.scale ? o.baselineScale : o.scale;
		const outcome = await measure(standIn, specOf(o, 'sequential baseline (5 s poll)', 'baseline', n, 1, scale));
		rows.push(outcome);
		progress(outcome, scale !== o.scale ? `  (at scale ${scale}: x${o.scale / scale} = ${s((outcome.result.wallMs * o.scale) / scale)} s)` : '');
	}
	return rows;
}

export async function sensitivityRows(o: Options, standIn: StandInClient): Promise<RunOutcome[]> {
	const scales = o.sensitivity.filter((v) => v !== o.scale);
	if (scales.length) process.stderr.write('scale sensitivity (node polling constants are not scaled):\n');
	const base = o.concurrency.includes(10) ? 10 : o.concurrency[0];
	const rows: RunOutcome[] = [];
	for (const scale of scales) {
		for (const n of o.sizes.filter((v) => v >= 10)) {
			const outcome = await measure(standIn, specOf(o, `this node, c ${base}, scale ${scale}`, 'node', n, base, scale));
			rows.push(outcome);
			progress(outcome);
		}
	}
	return rows;
}

export async function costRows(standIn: StandInClient): Promise<CostRow[]> {
	process.stderr.write('CPU of one request through each layer:\n');
	const rows = await requestCost(standIn);
	for (const row of rows) process.stderr.write(`  ${row.cpuMsPerCall.toFixed(3)} ms  ${row.layer}\n`);
	return rows;
}

/** 8 MB results into binary fields, per binary mode and size; a fresh stand-in per run (each deletes its result files when it closes). */
export async function memoryRows(o: Options): Promise<RunOutcome[]> {
	if (!o.memorySizes.length) return [];
	process.stderr.write(`memory (${o.memorySide}x${o.memorySide} noise inputs, 2x PNG results, scale ${o.memoryScale}, fresh stand-in per run):\n`);
	const rows: RunOutcome[] = [];
	for (const mode of o.memoryModes) {
		for (const n of o.memorySizes) {
			const standIn = await StandInClient.start({ maxRunning: o.cap, processingMs: o.processingMs * o.memoryScale, jitter: o.jitter });
			try {
				const outcome = await measure(standIn, {
					...specOf(o, `this node, c 10, ${mode} mode`, 'node', n, 10, o.memoryScale),
					mode,
					sampleMemory: true,
					image: () => ({ width: o.memorySide, height: o.memorySide, noise: true, name: 'catalogue' }),
				});
				rows.push(outcome);
				progress(outcome, `  result ${(outcome.result.binaryBytesMax / 1e6).toFixed(2)} MB each`);
			} finally {
				await standIn.close();
			}
		}
	}
	return rows;
}
