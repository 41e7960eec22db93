import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { lineChart, type Series } from './chart';
import { BUCKETS, idealMs, measure, requestCost, type RunOutcome, type RunSpec } from './measure';
import type { CostRow } from './request-cost';
import { StandInClient } from './stand-in-client';

/**
 * `npm run bench`: the Image Upscale node in n8n's engine against the sequential pattern and the
 * service's own limit, on a local stand-in of the service run as a separate process. See
 * bench/README.md for the flags and what each column means.
 */

const USAGE = `usage: npm run bench -- [flags]
  --scale F              time scale of the headline rows (default 1: 2 s processing, 5 s baseline interval)
  --baseline-scale F     scale of baseline batches above --baseline-max items (default 0.25; shown scaled back)
  --baseline-max N       largest baseline batch run at the headline scale (default 10)
  --sizes LIST           batch sizes (default 1,10,100)
  --concurrency LIST     node concurrencies (default 10,25)
  --cap N                tasks the service runs at once; more queue (default 10)
  --processing-ms N      the service's processing time per image, unscaled (default 2000)
  --jitter F             +- spread of the processing time (default 0.2)
  --poll-ms N            the baseline's fixed poll interval, unscaled (default 5000)
  --sensitivity LIST     extra scales for the node's 10- and 100-item rows (default 0.25,0.5; "none" to skip)
  --memory-sizes LIST    batch sizes of the memory runs (default 10,50,100; "none" to skip)
  --memory-modes LIST    binary data modes (default default,filesystem)
  --memory-side N        side of the square noise input; the 2x result PNG is about 6.4 MB x (N/1000)^2 (default 1120)
  --memory-scale F       time scale of the memory runs (default 0.25)
  --repeat N             runs of each of this node's speed rows; the median (by wall time) is shown (default 3)
  --out DIR              where results go (default bench/results)
  --no-save              print only`;

const list = (text: string) => (text === 'none' ? [] : text.split(',').map((v) => Number(v.trim())));

function options() {
	const { values } = parseArgs({
		options: {
			scale: { type: 'string', default: '1' },
			'baseline-scale': { type: 'string', default: '0.25' },
			'baseline-max': { type: 'string', default: '10' },
			sizes: { type: 'string', default: '1,10,100' },
			concurrency: { type: 'string', default: '10,25' },
			cap: { type: 'string', default: '10' },
			'processing-ms': { type: 'string', default: '2000' },
			jitter: { type: 'string', default: '0.2' },
			'poll-ms': { type: 'string', default: '5000' },
			sensitivity: { type: 'string', default: '0.25,0.5' },
			'memory-sizes': { type: 'string', default: '10,50,100' },
			'memory-modes': { type: 'string', default: 'default,filesystem' },
			'memory-side': { type: 'string', default: '1120' },
			'memory-scale': { type: 'string', default: '0.25' },
			repeat: { type: 'string', default: '3' },
			out: { type: 'string', default: path.join(__dirname, 'results') },
			'no-save': { type: 'boolean', default: false },
			help: { type: 'boolean', short: 'h', default: false },
		},
	});
	if (values.help) {
		console.log(USAGE);
		process.exit(0);
	}
	const o = {
		scale: Number(values.scale),
		baselineScale: Number(values['baseline-scale']),
		baselineMax: Number(values['baseline-max']),
		sizes: list(values.sizes),
		concurrency: list(values.concurrency),
		cap: Number(values.cap),
		processingMs: Number(values['processing-ms']),
		jitter: Number(values.jitter),
		pollMs: Number(values['poll-ms']),
		sensitivity: list(values.sensitivity),
		memorySizes: list(values['memory-sizes']),
		memoryModes: values['memory-modes'].split(',').map((m) => m.trim()) as Array<'default' | 'filesystem'>,
		memorySide: Number(values['memory-side']),
		memoryScale: Number(values['memory-scale']),
		repeat: Number(values.repeat),
		out: values.out,
		save: !values['no-save'],
	};
	for (const [key, value] of Object.entries(o)) {
		const bad = typeof value === 'number' ? !Number.isFinite(value) || value <= 0 : Array.isArray(value) && value.some((v) => typeof v === 'number' && !(v > 0));
		if (bad) throw new Error(`bad value for ${key}\n${USAGE}`);
	}
	return o;
}

type Options = ReturnType<typeof options>;

// ---------- formatting

const s = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const x = (ratio: number) => `${ratio.toFixed(ratio < 10 ? 2 : 1)}x`;
const table = (head: string[], rows: Array<Array<string | number>>) =>
	[`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const cpuOf = (o: RunOutcome) => (o.result.cpuUserMs + o.result.cpuSystemMs) / o.spec.n;
const middle = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
/** CPU ms per item; for a repeated row, the median over its runs (CPU is noisier than wall time). */
const cpuPerItem = (o: RunOutcome) => (o.cpus?.length ? middle(o.cpus) : cpuOf(o));
const peakRss = (o: RunOutcome) => Math.max(o.result.maxRss, o.result.rssPeakSampled);
const growth = (o: RunOutcome) => peakRss(o) - o.result.rssBefore;

function progress(o: RunOutcome, note = '') {
	const r = o.result;
	process.stderr.write(
		`  ${o.spec.label.padEnd(30)} n=${String(o.spec.n).padStart(3)} wall ${s(r.wallMs).padStart(6)} s  ideal ${s(o.idealMs).padStart(5)} s  ` +
			`reads/task ${o.readsPerTask.toFixed(2)}  cpu ${cpuPerItem(o).toFixed(2)} ms/item (user ${(r.cpuUserMs / o.spec.n).toFixed(2)} sys ${(r.cpuSystemMs / o.spec.n).toFixed(2)})  rss ${mb(peakRss(o))} MB (+${mb(growth(o))})` +
			`${r.failed ? `  FAILED ${r.failed}: ${r.firstError}` : ''}${note}\n`,
	);
}

function hostInfo() {
	const cpus = os.cpus();
	let commit = 'unknown';
	try {
		commit = execSync('git rev-parse --short HEAD', { cwd: __dirname, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
		const dirty = execSync('git status --porcelain -- nodes credentials', { cwd: path.join(__dirname, '..'), stdio: ['ignore', 'pipe', 'ignore'] })
			.toString()
			.trim();
		if (dirty) commit += ' (uncommitted changes under nodes/ or credentials/)';
	} catch {}
	return {
		hostname: os.hostname(),
		cpu: cpus[0]?.model ?? 'unknown',
		cores: cpus.length,
		memGb: os.totalmem() / 1024 ** 3,
		node: process.version,
		os: `${os.type()} ${os.release()} ${os.arch()}`,
		commit,
	};
}

// ---------- the run

async function main() {
	const o = options();
	const started = Date.now();
	const loads: number[] = [os.loadavg()[0]];
	const loadTimer = setInterval(() => loads.push(os.loadavg()[0]), 5000);
	const host = hostInfo();
	const P = (scale: number) => o.processingMs * scale;
	const smallImage = (i: number) => ({ width: 64, height: 48, name: `photo-${i + 1}` });
	const spec = (label: string, contender: 'node' | 'baseline', n: number, concurrency: number, scale: number): RunSpec => ({
		label,
		contender,
		n,
		concurrency,
		mode: 'filesystem',
		processingMs: P(scale),
		jitter: o.jitter,
		cap: o.cap,
		pollIntervalMs: o.pollMs * scale,
		scale,
		image: smallImage,
	});

	process.stderr.write(
		`bench: ${host.cpu}, ${host.cores} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; scale ${o.scale}\n`,
	);
	const speed: RunOutcome[] = [];
	const sensitivity: RunOutcome[] = [];
	const memory: RunOutcome[] = [];
	let costs: CostRow[] = [];
	let standIn = await StandInClient.start({ maxRunning: o.cap, processingMs: P(o.scale), jitter: o.jitter });
	try {
		process.stderr.write(`speed (stand-in pid ${standIn.pid}, ${P(o.scale)} ms +-${o.jitter * 100}% per task, cap ${o.cap}):\n`);
		for (const n of o.sizes) {
			for (const c of o.concurrency) {
				const runs: RunOutcome[] = [];
				for (let i = 0; i < o.repeat; i++) {
					const outcome = await measure(standIn, spec(`this node, concurrency ${c}`, 'node', n, c, o.scale));
					runs.push(outcome);
					progress(outcome, o.repeat > 1 ? `  (run ${i + 1}/${o.repeat})` : '');
				}
				speed.push(median(runs));
			}
		}
		for (const n of o.sizes) {
			const scale = n > o.baselineMax && o.baselineScale < o.scale ? o.baselineScale : o.scale;
			const outcome = await measure(standIn, spec('sequential baseline (5 s poll)', 'baseline', n, 1, scale));
			speed.push(outcome);
			progress(outcome, scale !== o.scale ? `  (at scale ${scale}: x${o.scale / scale} = ${s((outcome.result.wallMs * o.scale) / scale)} s)` : '');
		}
		if (o.sensitivity.length) process.stderr.write('scale sensitivity (node polling constants are not scaled):\n');
		const base = o.concurrency.includes(10) ? 10 : o.concurrency[0];
		for (const scale of o.sensitivity.filter((v) => v !== o.scale)) {
			for (const n of o.sizes.filter((v) => v >= 10)) {
				const outcome = await measure(standIn, spec(`this node, c ${base}, scale ${scale}`, 'node', n, base, scale));
				sensitivity.push(outcome);
				progress(outcome);
			}
		}
		process.stderr.write('CPU of one request through each layer:\n');
		costs = await requestCost(standIn);
		for (const row of costs) process.stderr.write(`  ${row.cpuMsPerCall.toFixed(3)} ms  ${row.layer}\n`);
	} finally {
		await standIn.close();
	}

	if (o.memorySizes.length) {
		process.stderr.write(`memory (${o.memorySide}x${o.memorySide} noise inputs, 2x PNG results, scale ${o.memoryScale}, fresh stand-in per run):\n`);
	}
	for (const mode of o.memorySizes.length ? o.memoryModes : []) {
		for (const n of o.memorySizes) {
			// A fresh stand-in per run: each one deletes its result files when it closes.
			standIn = await StandInClient.start({ maxRunning: o.cap, processingMs: P(o.memoryScale), jitter: o.jitter });
			try {
				const outcome = await measure(standIn, {
					...spec(`this node, c 10, ${mode} mode`, 'node', n, 10, o.memoryScale),
					mode,
					sampleMemory: true,
					image: () => ({ width: o.memorySide, height: o.memorySide, noise: true, name: 'catalogue' }),
				});
				memory.push(outcome);
				progress(outcome, `  result ${(outcome.result.binaryBytesMax / 1e6).toFixed(2)} MB each`);
			} finally {
				await standIn.close();
			}
		}
	}
	clearInterval(loadTimer);
	loads.push(os.loadavg()[0]);
	const totalMs = Date.now() - started;

	const report = render(o, host, speed, sensitivity, memory, costs, loads, totalMs);
	console.log(report.markdown);
	if (o.save) {
		fs.mkdirSync(o.out, { recursive: true });
		const date = new Date().toISOString().slice(0, 10);
		const file = path.join(o.out, `${date}-${host.hostname}.md`);
		fs.writeFileSync(file, report.markdown);
		fs.writeFileSync(path.join(o.out, 'latest.md'), report.markdown);
		fs.writeFileSync(path.join(o.out, 'latest.svg'), report.svg);
		fs.writeFileSync(path.join(o.out, 'latest.json'), JSON.stringify({ options: o, host, speed, sensitivity, memory, costs, loads, totalMs }, replacer, 1));
		process.stderr.write(`wrote ${path.relative(process.cwd(), file)}, latest.md, latest.svg, latest.json in ${path.relative(process.cwd(), o.out)}\n`);
	}
	fs.rmSync(path.join(__dirname, 'results', 'tmp'), { recursive: true, force: true });
}

/** The run with the median wall time, carrying every run's wall time. */
function median(runs: RunOutcome[]): RunOutcome {
	const sorted = [...runs].sort((a, b) => a.result.wallMs - b.result.wallMs);
	return { ...sorted[Math.floor((sorted.length - 1) / 2)], walls: runs.map((r) => r.result.wallMs), cpus: runs.map(cpuOf) };
}

function replacer(key: string, value: unknown) {
	if (key === 'image') return undefined;
	return typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 100) / 100 : value;
}

// ---------- the report

function render(
	o: Options,
	host: ReturnType<typeof hostInfo>,
	speed: RunOutcome[],
	sensitivity: RunOutcome[],
	memory: RunOutcome[],
	costs: CostRow[],
	loads: number[],
	totalMs: number,
) {
	const lines: string[] = [];
	const push = (...text: string[]) => lines.push(...text);
	const P = o.processingMs * o.scale;
	/** Wall time in the headline's time scale (baseline rows run at another scale are scaled back). */
	const wall = (r: RunOutcome) => (r.result.wallMs * o.scale) / r.spec.scale;
	const baselineAt = (n: number) => speed.find((r) => r.spec.contender === 'baseline' && r.spec.n === n);
	const maxN = Math.max(...o.sizes);
	const fullScaleBaselines = speed.filter((r) => r.spec.contender === 'baseline' && r.spec.scale === o.scale).sort((a, b) => b.spec.n - a.spec.n);
	const baseline10 = fullScaleBaselines[0];
	const linearBaseline = (n: number) => (baseline10 ? (wall(baseline10) / baseline10.spec.n) * n : NaN);

	push(
		`# Bench: Image Upscale node vs the sequential pattern`,
		'',
		`- **Date:** ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC`,
		`- **Machine:** ${host.hostname}, ${host.cpu}, ${host.cores} cores, ${host.memGb.toFixed(1)} GB RAM, ${host.os}`,
		`- **Node.js:** ${host.node}; n8n-core's WorkflowExecute (test/harness/engine.ts); package built from ${host.commit}`,
		`- **Load average (1 min) during the run:** start ${loads[0].toFixed(2)}, max ${Math.max(...loads).toFixed(2)}, end ${loads[loads.length - 1].toFixed(2)} on ${host.cores} cores${Math.max(...loads) > host.cores * 0.75 ? ' — the machine was busy with other work: expect noise in wall and CPU figures' : ''}`,
		`- **Bench run time:** ${s(totalMs)} s (plus the build)`,
		`- **Service (local stand-in, its own process):** ${o.processingMs} ms per image ±${o.jitter * 100}%, at most ${o.cap} tasks at once (more queue)`,
		`- **Time scale:** ${o.scale}${o.scale === 1 ? ' (unscaled: real processing and poll times)' : ` — every service and baseline time is multiplied by ${o.scale}; the node's own polling constants (first read 1.5 s, min step 250 ms) are NOT, so ratios at this scale flatter the baseline less than they should and cost the node reads`}`,
		'',
	);

	// Speed table.
	push(`## Speed: wall time per batch`, '');
	push(
		`Ideal = ceil(n / ${o.cap}) × ${s(P)} s: the service's own processing time for the batch at its cap, the physical limit.`,
		`The **sequential baseline** is a bench-only node (bench/SequentialBaseline.node.ts) that stands for the pattern existing community upscale nodes use today: one item after another, polling each task every ${s(o.pollMs * o.scale)} s, same transport as this node.`,
		'',
	);
	const rows = [...speed].sort((a, b) => a.spec.n - b.spec.n || (a.spec.contender === 'baseline' ? 1 : 0) - (b.spec.contender === 'baseline' ? 1 : 0) || a.spec.concurrency - b.spec.concurrency);
	push(
		table(
			['Contender', 'Items', 'Wall (s)', 'Ideal (s)', '× ideal', '× faster than baseline', 'Status reads / task', 'Node CPU ms / item', 'Peak RSS MB (growth)'],
			rows.map((r) => {
				const b = baselineAt(r.spec.n);
				const scaled = r.spec.scale !== o.scale;
				return [
					r.spec.contender === 'node' ? `this node, concurrency ${r.spec.concurrency}` : 'sequential baseline (fixed 5 s poll)',
					r.spec.n,
					`${s(wall(r))}${scaled ? ' †' : ''}${r.walls && r.walls.length > 1 ? ` (${s(Math.min(...r.walls))}–${s(Math.max(...r.walls))})` : ''}${r.result.failed ? ` (${r.result.failed} failed)` : ''}`,
					s(r.idealMs * (o.scale / r.spec.scale)),
					x(wall(r) / (r.idealMs * (o.scale / r.spec.scale))),
					b ? x(wall(b) / wall(r)) : '–',
					r.readsPerTask.toFixed(2),
					cpuPerItem(r).toFixed(2),
					`${mb(peakRss(r))} (+${mb(growth(r))})`,
				];
			}),
		),
		'',
	);
	const scaledBaseline = speed.filter((r) => r.spec.contender === 'baseline' && r.spec.scale !== o.scale);
	for (const r of scaledBaseline) {
		push(
			`† Measured at scale ${r.spec.scale} (${s(r.result.wallMs)} s for ${r.spec.n} items: ${s(r.spec.processingMs)} s processing, ${s(r.spec.pollIntervalMs)} s poll) and multiplied by ${o.scale / r.spec.scale} to keep the run short; the baseline has no unscaled constants, so its time scales linearly.${baseline10 ? ` Cross-check, the linear model from its ${baseline10.spec.n}-item row measured at scale ${o.scale}: ${r.spec.n} × ${s(wall(baseline10) / baseline10.spec.n)} s = ${s(linearBaseline(r.spec.n))} s.` : ''}`,
		);
	}
	push(
		'',
		`For this node each row is the median (by wall time) of ${o.repeat} run${o.repeat > 1 ? 's' : ''}, the range of wall times in brackets; CPU is the median over the runs; the other columns are the median run's. `,
		'Status reads are counted by the stand-in (every GET /api/v1/tasks/{id}). Node CPU is `process.cpuUsage()` of the process running the engine (user + system, around the execution only, after a one-item warm-up), divided by items: it covers n8n\'s engine, expressions, the HTTP client and the download into the binary store (small 64x48 PNG results here; filesystem mode). Peak RSS is that process\'s high-water mark (`resourceUsage().maxRSS`); growth is over its RSS just before the batch. Each row is a fresh process. No timers of the bench run in that process during the batch (a 50 ms memory sampler was seen to cost 5-6 ms of CPU per second on this VM).',
		'',
	);

	// Targets.
	push('## Targets', '');
	const verdict = (ok: boolean) => (ok ? '**PASS**' : '**MISS**');
	const targets: string[] = [];
	const headline = speed.filter((r) => r.spec.contender === 'node' && r.spec.n === maxN && r.spec.concurrency >= o.cap);
	const b100 = baselineAt(maxN);
	for (const r of headline) {
		const ratio = wall(r) / r.idealMs;
		const runs = r.walls && r.walls.length > 1 ? `; median of ${r.walls.length} runs, which ranged ${x(Math.min(...r.walls) / r.idealMs)}–${x(Math.max(...r.walls) / r.idealMs)}` : '';
		targets.push(`${verdict(ratio <= 1.2)} ${maxN} images within 1.2x of the ideal, concurrency ${r.spec.concurrency}: ${x(ratio)} (${s(wall(r))} s vs ${s(r.idealMs)} s${runs})${ratio > 1.2 ? `, over by ${((ratio / 1.2 - 1) * 100).toFixed(1)}%` : ''}`);
	}
	for (const r of headline) {
		if (!b100) continue;
		const speedup = wall(b100) / wall(r);
		targets.push(`${verdict(speedup >= 20)} at least 20x faster than the sequential baseline at ${maxN} images, concurrency ${r.spec.concurrency}: ${x(speedup)}${speedup < 20 ? `, short by ${((1 - speedup / 20) * 100).toFixed(1)}%` : ''}${b100.spec.scale !== o.scale ? ' (baseline †)' : ''}`);
	}
	const nodeRows = speed.filter((r) => r.spec.contender === 'node');
	const unscaled = P === 2000;
	for (const r of nodeRows.filter((r) => r.spec.n >= 10)) {
		targets.push(
			`${verdict(r.readsPerTask <= 3)} at most 3 status reads per task (processing ${s(P)} s${unscaled ? '' : ': NOT the unscaled 2 s, indicative only'}), ${r.spec.n} items, concurrency ${r.spec.concurrency}: ${r.readsPerTask.toFixed(2)}${r.readsPerTask > 3 ? `, over by ${(r.readsPerTask - 3).toFixed(2)}` : ''}`,
		);
	}
	for (const r of nodeRows.filter((r) => r.spec.n === maxN)) {
		const cpu = cpuPerItem(r);
		const one = nodeRows.find((q) => q.spec.n === 1 && q.spec.concurrency === r.spec.concurrency);
		const total = (q: RunOutcome) => q.result.cpuUserMs + q.result.cpuSystemMs;
		const marginal = one ? ` (per execution ${total(one).toFixed(0)} ms for 1 item; each further item adds ${((total(r) - total(one)) / (r.spec.n - 1)).toFixed(2)} ms)` : '';
		targets.push(`${verdict(cpu < 2)} node CPU under 2 ms per item, ${r.spec.n} items, concurrency ${r.spec.concurrency}: ${cpu.toFixed(2)} ms${marginal}${cpu >= 2 ? `, over by ${(cpu - 2).toFixed(2)} ms` : ''}`);
	}
	const memTarget = memorySlope(memory, 'filesystem');
	if (memTarget) {
		const ok = memTarget.perItem <= 0.1 * memTarget.image;
		targets.push(
			`${verdict(ok)} filesystem mode: peak memory grows with the largest image, not with the batch (pass: each extra item adds at most 10% of one image, ${(0.1 * memTarget.image / 1e6).toFixed(2)} MB): ${memTarget.from}→${memTarget.to} items adds ${(memTarget.delta / 1e6).toFixed(1)} MB of peak RSS growth, ${(memTarget.perItem / 1e6).toFixed(2)} MB per extra item, for ${(memTarget.image / 1e6).toFixed(2)} MB images${ok ? '' : `; over by ${(memTarget.perItem / (0.1 * memTarget.image)).toFixed(1)}x`}`,
		);
	}
	push(...targets.map((t) => `- ${t}`), '');

	// CPU floor.
	if (costs.length) {
		const read = costs.find((c) => c.layer.includes('getTask'));
		const download = costs.find((c) => c.layer.includes('downloadResult'));
		push(`## CPU of one request, layer by layer`, '');
		push(
			`Sequential calls (${Math.max(...costs.map((c) => c.calls))} each, after a warm-up) in a fresh engine process against the stand-in process: what the node's per-item CPU is made of. Every request of the node goes through n8n's request helper (axios, a new connection per call).`,
			'',
		);
		push(table(['Layer', 'CPU ms / call', 'user', 'system'], costs.map((c) => [c.layer, c.calls ? c.cpuMsPerCall.toFixed(3) : `${c.cpuMsPerCall.toFixed(3)} per s`, c.userMsPerCall.toFixed(3), c.systemMsPerCall.toFixed(3)])), '');
		if (read && download) {
			for (const r of speed.filter((r) => r.spec.contender === 'node' && r.spec.n === maxN)) {
				const floor = read.cpuMsPerCall * (1 + r.readsPerTask) + download.cpuMsPerCall;
				push(
					`- Concurrency ${r.spec.concurrency}: one create (counted as one read) + ${r.readsPerTask.toFixed(2)} reads + one download per item = ${floor.toFixed(2)} ms of request CPU per item, of the ${cpuPerItem(r).toFixed(2)} ms measured; the minimum possible (1 create + 1 read + 1 download) is ${(2 * read.cpuMsPerCall + download.cpuMsPerCall).toFixed(2)} ms.`,
				);
			}
			push('');
		}
	}

	// Where the time goes.
	push(`## Where the time goes: (task end → the node's read that saw it)`, '');
	push(
		"From the stand-in's log: for every task, the time between its end and the first status read after it. Wall time above the ideal is mostly this lag (each of the ceil(n/cap) waves waits for it), plus create and download time.",
		'',
	);
	const lagRows = [...speed, ...sensitivity].filter((r) => r.spec.contender === 'node' && r.spec.n >= 10);
	push(
		table(
			['Contender', 'Scale', 'Items', 'Lag median', 'p90', 'max', 'mean', ...BUCKETS.map(([name]) => name), 'Reads before end / task', 'of which while queued', 'Mean processing', 'Mean queue wait', 'Service span (s)'],
			lagRows.map((r) => [
				r.spec.label,
				r.spec.scale,
				r.spec.n,
				`${r.lags.median.toFixed(0)} ms`,
				`${r.lags.p90.toFixed(0)} ms`,
				`${r.lags.max.toFixed(0)} ms`,
				`${r.lags.mean.toFixed(0)} ms`,
				...BUCKETS.map(([name]) => r.lags.buckets[name]),
				(r.readsBeforeEnd / r.spec.n).toFixed(2),
				(r.readsWhileQueued / r.spec.n).toFixed(2),
				`${r.meanProcessingMs.toFixed(0)} ms`,
				`${r.meanQueueMs.toFixed(0)} ms`,
				s(r.serviceSpanMs),
			]),
		),
		'',
	);

	// Scale sensitivity.
	if (sensitivity.length) {
		push(`## What the time scale does to the node's figures`, '');
		push(
			"The node's polling constants (first read after 1.5 s, steps of at least 250 ms, in nodes/shared/wait.ts) are not scaled, so at a scale below 1 the node reads and overshoots relatively more. The headline rows above run at scale " +
				`${o.scale}. Same batch, concurrency ${sensitivity[0].spec.concurrency}, at other scales (times are real, not scaled back):`,
			'',
		);
		const comparable = [...speed.filter((r) => r.spec.contender === 'node' && r.spec.n >= 10 && r.spec.concurrency === sensitivity[0].spec.concurrency), ...sensitivity].sort(
			(a, b) => a.spec.n - b.spec.n || a.spec.scale - b.spec.scale,
		);
		push(
			table(
				['Scale', 'Processing', 'Items', 'Wall (s)', 'Ideal (s)', '× ideal', 'Status reads / task', 'Lag median'],
				comparable.map((r) => [r.spec.scale, `${s(r.spec.processingMs)} s`, r.spec.n, s(r.result.wallMs), s(r.idealMs), x(r.result.wallMs / r.idealMs), r.readsPerTask.toFixed(2), `${r.lags.median.toFixed(0)} ms`]),
			),
			'',
		);
	}

	// Memory.
	if (memory.length) {
		push(`## Memory: ${memory[0].result.binaryBytesMax ? (memory[0].result.binaryBytesMax / 1e6).toFixed(2) : '?'} MB results downloaded into binary fields`, '');
		push(
			`Each item: a ${o.memorySide}x${o.memorySide} noise picture, upscaled 2x by the stand-in to a PNG, downloaded by the node (concurrency 10) into the \`data\` binary field. Service at scale ${o.memoryScale} (${s(o.processingMs * o.memoryScale)} s per image). One fresh engine process per row; RSS before is after a one-item warm-up and a GC. Heap, ArrayBuffer and external peaks (large strings, such as default mode's base64 binaries, are external strings outside the JS heap) come from \`memoryUsage()\` sampled every 50 ms, which adds a few ms of CPU per second to these rows.`,
			'',
		);
		push(
			table(
				['Binary mode', 'Items', 'Result MB (each)', 'Stored', 'Wall (s)', 'RSS before (MB)', 'Peak RSS (MB)', 'Growth (MB)', 'Heap used peak (MB)', 'ArrayBuffers peak (MB)', 'External peak (MB)', 'Node CPU ms / item'],
				memory.map((r) => [
					r.spec.mode,
					r.spec.n,
					(r.result.binaryBytesMax / 1e6).toFixed(2),
					`${r.result.binaries} (${r.result.storedInItem ? `${r.result.storedInItem} in the item` : 'on disk'})${r.result.failed ? `, ${r.result.failed} failed: ${r.result.firstError}` : ''}`,
					s(r.result.wallMs),
					mb(r.result.rssBefore),
					mb(peakRss(r)),
					mb(growth(r)),
					mb(r.result.heapUsedPeak),
					mb(r.result.arrayBuffersPeak),
					mb(r.result.externalPeak),
					cpuPerItem(r).toFixed(2),
				]),
			),
			'',
		);
		for (const mode of o.memoryModes) {
			const slope = memorySlope(memory, mode);
			if (slope) {
				push(
					`- ${mode}: from ${slope.from} to ${slope.to} items peak growth changes by ${(slope.delta / 1e6).toFixed(1)} MB, ${(slope.perItem / 1e6).toFixed(2)} MB per extra item (${((slope.perItem / slope.image) * 100).toFixed(0)}% of one ${(slope.image / 1e6).toFixed(2)} MB image).`,
				);
			}
		}
		push('');
	}

	push(
		'## Caveats',
		'',
		'- The service is a local stand-in on loopback: no network latency or bandwidth limit, so create, read and download costs are lower than against apiin.one; the ratios to the ideal are best cases for both contenders.',
		'- The baseline is a stand-in for a pattern, not a copy of any one published node.',
		`- The ideal assumes every task takes exactly the nominal ${s(P)} s; with ±${o.jitter * 100}% jitter a single task can end before it (so a 1-item ratio below 1x is possible) and a batch's real lower bound is a little above it.`,
		'- Wall and CPU figures move with the machine\'s load (see the load average above); compare rows of one run, not runs of different days.',
		'',
	);

	// Chart.
	const series: Series[] = [];
	const colors = ['#1f77b4', '#2ca02c', '#9467bd', '#8c564b'];
	series.push({ name: 'ideal (service limit)', color: '#999999', dashed: true, points: o.sizes.map((n) => ({ x: n, y: idealMs(n, o.cap, P) / 1000 })) });
	o.concurrency.forEach((c, i) =>
		series.push({
			name: `this node, concurrency ${c}`,
			color: colors[i % colors.length],
			points: speed.filter((r) => r.spec.contender === 'node' && r.spec.concurrency === c).map((r) => ({ x: r.spec.n, y: wall(r) / 1000 })),
		}),
	);
	series.push({
		name: 'sequential baseline (5 s poll)',
		color: '#d62728',
		points: speed.filter((r) => r.spec.contender === 'baseline').map((r) => ({ x: r.spec.n, y: wall(r) / 1000, note: r.spec.scale !== o.scale ? ' †' : '' })),
	});
	const svg = lineChart(
		'Wall time against batch size',
		`service ${s(P)} s/image ±${o.jitter * 100}%, cap ${o.cap}; scale ${o.scale}; ${host.cores} cores, ${host.node}; † measured at scale ${o.baselineScale}, scaled back`,
		'batch size (images, log)',
		'wall time (s, log)',
		series,
	);
	push(`![Wall time against batch size](latest.svg)`, '');
	return { markdown: lines.join('\n'), svg };
}

function memorySlope(memory: RunOutcome[], mode: string) {
	const rows = memory.filter((r) => r.spec.mode === mode && r.result.failed === 0).sort((a, b) => a.spec.n - b.spec.n);
	if (rows.length < 2) return undefined;
	const first = rows[0];
	const last = rows[rows.length - 1];
	const delta = growth(last) - growth(first);
	return {
		from: first.spec.n,
		to: last.spec.n,
		delta,
		perItem: delta / (last.spec.n - first.spec.n),
		image: Math.max(...rows.map((r) => r.result.binaryBytesMax)),
	};
}

main().catch((error: Error) => {
	console.error(`bench: ${error.stack ?? error.message}`);
	process.exit(1);
});
