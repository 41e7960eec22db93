/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import * as path from 'node:path';

import type { StandIn } from '../../test/stand-in/types';
import { standInImageOf, type DemoInput } from './inputs';

/** One line of the demo's final table; `runDemo` returns them in input order. */
export interface DemoRow {
	input: string;
	kind: DemoInput['kind'];
	state: 'succeeded' | 'failed' | 'skipped';
	inputWidth?: number;
	inputHeight?: number;
	outputWidth?: number;
	outputHeight?: number;
	taskId?: string;
	elapsedMs?: number;
	file?: string;
	error?: string;
}

export type Log = (line: string) => void;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Prints each task of the stand-in as it ends, with the input it belongs to (matched by the image
 * the stand-in recorded), polling its task records every 200 ms. Returns a function that stops it.
 */
export function watchStandIn(standIn: StandIn, inputs: DemoInput[], log: Log, startedAt: number): () => void {
	const waiting = new Map<string, string[]>();
	for (const input of inputs.filter((i) => !i.problem)) {
		const key = standInImageOf(input);
		waiting.set(key, [...(waiting.get(key) ?? []), input.name]);
	}
	const printed = new Set<string>();
	const poll = () => {
		const ended = standIn.tasks().filter((task) => task.endedAt && !printed.has(task.id));
		for (const task of ended.sort((a, b) => a.endedAt! - b.endedAt!)) {
			printed.add(task.id);
			const name = waiting.get(task.image)?.shift() ?? '(unknown input)';
			const mark = task.state === 'succeeded' ? 'done  ' : 'FAILED';
			const sizes = task.state === 'succeeded' ? `  ${task.inputWidth}x${task.inputHeight} -> ${task.outputWidth}x${task.outputHeight}` : `  ${task.error}`;
			const at = `+${seconds(task.endedAt! - startedAt)}`.padStart(7);
			log(`  [${at}] ${mark} ${name.padEnd(24)} task ${task.id}  ${seconds(task.endedAt! - task.createdAt)}${sizes}`);
		}
	};
	const timer = setInterval(poll, 200);
	return () => {
		clearInterval(timer);
		poll();
	};
}

/** In real-service mode nothing can be watched: a reminder every 5 s that the batch still runs. */
export function tickWhileRunning(log: Log, startedAt: number): () => void {
	const timer = setInterval(() => log(`  ... still running (${seconds(Date.now() - startedAt)})`), 5000);
	return () => clearInterval(timer);
}

const shortPath = (file: string) => {
	const relative = path.relative(process.cwd(), file);
	return relative.startsWith('..') ? file : relative;
};
const size = (w?: number, h?: number) => (w && h ? `${w}x${h}` : '?');

export function table(rows: DemoRow[], outDir: string): string[] {
	const lines = rows.map((row, i) => {
		const ratio = row.inputWidth && row.outputWidth ? `x${(row.outputWidth / row.inputWidth).toFixed(2)}` : '';
		return [
			String(i + 1).padStart(2),
			(row.input.length > 32 ? `...${row.input.slice(-29)}` : row.input).padEnd(32),
			size(row.inputWidth, row.inputHeight).padStart(9),
			'->',
			size(row.outputWidth, row.outputHeight).padEnd(9),
			ratio.padEnd(5),
			row.state.padEnd(9),
			(row.elapsedMs === undefined ? '-' : seconds(row.elapsedMs)).padStart(7),
			(row.taskId ?? '-').padEnd(13),
			row.file ? shortPath(row.file) : '-',
		].join('  ');
	});
	const head = [' #', 'input'.padEnd(32), 'in'.padStart(9), '->', 'out'.padEnd(9), 'scale', 'state'.padEnd(9), 'elapsed'.padStart(7), 'task'.padEnd(13), 'file'].join('  ');
	const problems = rows.filter((row) => row.error).map((row) => `  ${row.state === 'skipped' ? '-' : 'x'} ${row.input}: ${row.error}`);
	const ok = rows.filter((row) => row.state === 'succeeded').length;
	return [
		head,
		'-'.repeat(head.length + 16),
		...lines,
		'',
		...(problems.length ? ['Problems (each affected only its own image):', ...problems, ''] : []),
		`${ok} of ${rows.length} upscaled; files in ${path.resolve(outDir)}`,
	];
}
