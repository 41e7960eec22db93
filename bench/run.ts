/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- dev tooling, never published: n8n's rules for community node code do not apply */
import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { rateRows, slowRow, stuckRow } from './batch-rows';
import type { RunOutcome } from './measure';
import { options, runs, type Options } from './options';
import { parkedRows } from './parked-rows';
import { baselineRows, costRows, memoryRows, sensitivityRows, speedRows } from './phases';
import { parkedOnly, render } from './report/render';
import type { Host, Results } from './report/results';
import { StandInClient } from './stand-in-client';

/**
 * `npm run bench`: the Image Upscale node in n8n's engine against the sequential pattern, the
 * service's own limit and the account's rate limit, on a local stand-in of the service run as a
 * separate process. See bench/README.md for the flags and what each column means.
 */

function hostInfo(): Host {
	const cpus = os.cpus();
	let commit = 'unknown';
	try {
		const git = (command: string) => execSync(command, { cwd: path.join(__dirname, '..'), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
		commit = git('git rev-parse --short HEAD');
		if (git('git status --porcelain -- nodes credentials')) commit += ' (uncommitted changes under nodes/ or credentials/)';
	} catch {
		// not a git checkout, or no git: the commit stays 'unknown'
	}
	return { hostname: os.hostname(), cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memGb: os.totalmem() / 1024 ** 3, node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}`, commit };
}

/** The 1-minute load average every 5 s, for the report's header. */
function loadRecorder() {
	const loads = [os.loadavg()[0]];
	const timer = setInterval(() => loads.push(os.loadavg()[0]), 5000);
	return {
		stop: () => {
			clearInterval(timer);
			loads.push(os.loadavg()[0]);
			return loads;
		},
	};
}

/**
 * The stuck-task row waits its 300 s mostly idle, in a stand-in of its own: it runs beside the phases
 * after the speed and slow-task rows (whose CPU, wall and read figures its first busy seconds would disturb).
 */
function inBackground(promise: Promise<RunOutcome>) {
	const settled = promise.then(
		(outcome) => ({ outcome }),
		(error: Error) => ({ error }),
	);
	return async () => {
		const done = await settled;
		if ('error' in done) throw done.error;
		return done.outcome;
	};
}

async function measureAll(o: Options, res: Results) {
	const standIn = await StandInClient.start({ maxRunning: o.cap, processingMs: o.processingMs * o.scale, jitter: o.jitter });
	let stuck: (() => Promise<RunOutcome>) | undefined;
	try {
		if (runs(o, 'speed')) res.speed = await speedRows(o, standIn);
		if (runs(o, 'slow')) res.slow = await slowRow(o);
		if (runs(o, 'stuck')) stuck = inBackground(stuckRow(o));
		if (runs(o, 'baseline')) res.baseline = await baselineRows(o, standIn);
		if (runs(o, 'rate')) res.rate = await rateRows(o, standIn);
		if (runs(o, 'sensitivity')) res.sensitivity = await sensitivityRows(o, standIn);
		if (runs(o, 'cost')) res.costs = await costRows(standIn);
	} finally {
		await standIn.close();
	}
	if (runs(o, 'memory')) res.memory = await memoryRows(o);
	if (runs(o, 'parked')) res.parked = await parkedRows(o);
	if (stuck) {
		process.stderr.write('waiting for the stuck-task row to end...\n');
		res.stuck = await stuck();
	}
}

function replacer(key: string, value: unknown) {
	if (key === 'image') return undefined;
	return typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 100) / 100 : value;
}

function save(res: Results, report: { markdown: string; svg: string }) {
	const out = res.options.out;
	fs.mkdirSync(out, { recursive: true });
	const file = path.join(out, `${new Date().toISOString().slice(0, 10)}-${res.host.hostname}${parkedOnly(res) ? '-parked' : ''}.md`);
	fs.writeFileSync(file, report.markdown);
	if (parkedOnly(res)) {
		fs.writeFileSync(path.join(out, 'parked-latest.md'), report.markdown);
		process.stderr.write(`wrote ${path.relative(process.cwd(), file)} and parked-latest.md in ${path.relative(process.cwd(), out)}\n`);
		return;
	}
	fs.writeFileSync(path.join(out, 'latest.md'), report.markdown);
	fs.writeFileSync(path.join(out, 'latest.svg'), report.svg);
	fs.writeFileSync(path.join(out, 'latest.json'), JSON.stringify(res, replacer, 1));
	process.stderr.write(`wrote ${path.relative(process.cwd(), file)}, latest.md, latest.svg, latest.json in ${path.relative(process.cwd(), out)}\n`);
}

async function main() {
	const o = options();
	const started = Date.now();
	const load = loadRecorder();
	const host = hostInfo();
	process.stderr.write(`bench: ${host.cpu}, ${host.cores} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; scale ${o.scale}\n`);
	const res: Results = { options: o, host, speed: [], baseline: [], sensitivity: [], costs: [], memory: [], loads: [], totalMs: 0 };
	await measureAll(o, res);
	res.loads = load.stop();
	res.totalMs = Date.now() - started;
	const report = render(res);
	console.log(report.markdown);
	if (o.save) save(res, report);
	fs.rmSync(path.join(__dirname, 'results', 'tmp'), { recursive: true, force: true });
	process.stderr.write(`bench: ${(res.totalMs / 1000).toFixed(0)} s\n`);
}

main().catch((error: Error) => {
	console.error(`bench: ${error.stack ?? error.message}`);
	process.exit(1);
});
