/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import type { FaultRule, ImageSpec, Route, TunableOptions } from '../test/stand-in/server';
import type { Job, JobResult } from './contender';
import type { CostRow } from './request-cost';
import type { StandInClient } from './stand-in-client';
import type { Snapshot } from './stand-in-process';

export interface RunSpec {
	label: string;
	contender: 'node' | 'baseline';
	n: number;
	concurrency: number;
	mode: 'default' | 'filesystem';
	/** The service's processing time for this run (already scaled). */
	processingMs: number;
	jitter: number;
	cap: number;
	/** The baseline's fixed poll interval (already scaled). */
	pollIntervalMs: number;
	scale: number;
	image: (index: number) => ImageSpec;
	/** Sample heap and ArrayBuffer peaks every 50 ms (costs the engine process CPU). */
	sampleMemory?: boolean;
	/** More stand-in settings for the batch only (e.g. an account rate limit); turned off after it. */
	service?: Pick<TunableOptions, 'createRate' | 'readRate' | 'retryAfterUnitS'>;
	/** Fault rules queued on the stand-in after the warm-up, just before the batch. */
	faults?: Array<{ route: Route; rules: FaultRule[] }>;
	/** The node's Options (e.g. waitLimitSeconds, onWaitLimit); concurrency comes from `concurrency`. */
	nodeOptions?: IDataObject;
	/** On Error: Continue, so every item's outcome is counted instead of the first failure ending the batch. */
	continueOnFail?: boolean;
	/** Turn the node's batch-wide rate gate off (its items retry on their own, as before the gate). */
	gateOff?: boolean;
	/** More top-level node parameters (e.g. waitMode), and whether the run parks in the in-process n8n. */
	nodeParameters?: IDataObject;
	park?: boolean;
	/** More figures from the stand-in's log and tasks, kept in the outcome's `extra`. */
	inspect?: (snapshot: Snapshot) => Record<string, number>;
}

export interface Lags {
	count: number;
	mean: number;
	median: number;
	p90: number;
	max: number;
	/** Counts of (task end -> the node's read that saw it) in ms buckets. */
	buckets: Record<string, number>;
}

export interface RunOutcome {
	spec: RunSpec;
	result: JobResult;
	idealMs: number;
	creates: number;
	statusReads: number;
	readsPerTask: number;
	readsBeforeEnd: number;
	/** Reads of tasks still waiting in the service's queue (concurrency above the cap). */
	readsWhileQueued: number;
	maxInFlight: Snapshot['maxInFlight'];
	lags: Lags;
	/** First create to last task end, as the stand-in saw it. */
	serviceSpanMs: number;
	meanQueueMs: number;
	meanProcessingMs: number;
	standInCpuMs: number;
	succeededTasks: number;
	/** Answers with HTTP 429 (rate limiter or faults) to creates and status reads. */
	rateLimited: number;
	/** Creates and status reads the stand-in saw. */
	apiRequests: number;
	extra: Record<string, number>;
	/** Wall times of every repeat when the row is the median of several runs. */
	walls?: number[];
	/** CPU ms per item of every repeat. */
	cpus?: number[];
}

const TMP = path.join(__dirname, 'results', 'tmp');
/**
 * Engine processes load TypeScript through tsx's CommonJS hook only: `--import tsx` would add an
 * ESM loader thread whose own timers and GCs were billed to the node's CPU (seen: up to 12 ms of
 * CPU per idle second).
 */
const CHILD_TSX = ['--require', 'tsx/cjs'];
export const BUCKETS: Array<[string, number]> = [
	['<100 ms', 100],
	['100-250 ms', 250],
	['250-500 ms', 500],
	['500-1000 ms', 1000],
	['1-2 s', 2000],
	['>=2 s', Infinity],
];

export const idealMs = (n: number, cap: number, processingMs: number, createRate = 0) =>
	Math.max(Math.ceil(n / cap) * processingMs, createRate > 0 ? (n / createRate) * 1000 : 0);

/** The contender could not run this row (e.g. the node has no rate gate to turn off yet). */
export class Unavailable extends Error {}

function quantile(sorted: number[], q: number): number {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export function lagsOf(snapshot: Snapshot): { lags: Lags; readsBeforeEnd: number; readsWhileQueued: number } {
	const reads = new Map<string, number[]>();
	for (const e of snapshot.entries) {
		if (e.route !== 'status' || e.method !== 'GET' || !e.taskId) continue;
		const list = reads.get(e.taskId) ?? [];
		list.push(e.at);
		reads.set(e.taskId, list);
	}
	const values: number[] = [];
	let readsBeforeEnd = 0;
	let readsWhileQueued = 0;
	for (const task of snapshot.tasks) {
		if (task.endedAt === undefined) continue;
		const times = (reads.get(task.id) ?? []).sort((a, b) => a - b);
		readsWhileQueued += times.filter((t) => task.startedAt === undefined || t < task.startedAt).length;
		readsBeforeEnd += times.filter((t) => t < task.endedAt!).length;
		const seen = times.find((t) => t >= task.endedAt!);
		if (seen !== undefined) values.push(seen - task.endedAt);
	}
	values.sort((a, b) => a - b);
	const buckets: Record<string, number> = {};
	let low = 0;
	for (const [name, high] of BUCKETS) {
		buckets[name] = values.filter((v) => v >= low && v < high).length;
		low = high;
	}
	return {
		lags: {
			count: values.length,
			mean: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length),
			median: quantile(values, 0.5),
			p90: quantile(values, 0.9),
			max: values[values.length - 1] ?? NaN,
			buckets,
		},
		readsBeforeEnd,
		readsWhileQueued,
	};
}

function onceMessage<T>(child: ReturnType<typeof fork>, type: string): Promise<T> {
	return new Promise((resolve, reject) => {
		const onMessage = (message: { type: string; error?: string; reason?: string } & Record<string, unknown>) => {
			if (message.type === 'error' || message.type === 'unavailable') {
				cleanup();
				reject(message.type === 'unavailable' ? new Unavailable(message.reason) : new Error(`contender: ${message.error}`));
			} else if (message.type === type) {
				cleanup();
				resolve(message as T);
			}
		};
		const onExit = (code: number) => {
			cleanup();
			reject(new Error(`the contender process exited (${code}) before "${type}"`));
		};
		const cleanup = () => {
			child.off('message', onMessage);
			child.off('exit', onExit);
		};
		child.on('message', onMessage);
		child.on('exit', onExit);
	});
}

interface Child {
	child: ChildProcess;
	exited: Promise<void>;
	userFolder: string;
}

function forkChild(script: string, execArgv: string[], tag: string): Child {
	fs.mkdirSync(TMP, { recursive: true });
	const userFolder = fs.mkdtempSync(path.join(TMP, `${tag}-`));
	const child = fork(path.join(__dirname, script), [], {
		execArgv,
		env: { ...process.env, N8N_USER_FOLDER: userFolder, N8N_LOG_LEVEL: 'silent' },
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	return { child, exited, userFolder };
}

/** Waits for the child to exit by itself (it writes --cpu-prof files then); kills it only if it hangs. */
async function reap({ child, exited, userFolder }: Child, answered: boolean): Promise<void> {
	const timer = setTimeout(() => child.kill(), child.exitCode === null && !answered ? 0 : 30_000);
	await exited;
	clearTimeout(timer);
	fs.rmSync(userFolder, { recursive: true, force: true });
}

function jobOf(standIn: StandInClient, spec: RunSpec, urls: string[], warmupUrl: string): Job {
	return {
		contender: spec.contender,
		mode: spec.mode,
		concurrency: spec.concurrency,
		pollIntervalMs: spec.pollIntervalMs,
		standIn: { url: standIn.url, key: standIn.key },
		urls,
		warmupUrl,
		sampleMemory: spec.sampleMemory ?? false,
		nodeOptions: spec.nodeOptions,
		continueOnFail: spec.continueOnFail,
		gateOff: spec.gateOff,
		nodeParameters: spec.nodeParameters,
		park: spec.park,
	};
}

/** Runs one contender x batch in a fresh child process against the stand-in process. */
export async function measure(standIn: StandInClient, spec: RunSpec): Promise<RunOutcome> {
	await standIn.idle();
	// The warm-up item should not cost a processing time: keep the service quick until "go".
	await standIn.set({ processingMs: 10, jitter: 0, maxRunning: spec.cap });
	const urls = await Promise.all(Array.from({ length: spec.n }, (_, i) => standIn.imageUrl(spec.image(i))));
	const warmupUrl = await standIn.imageUrl({ width: 16, height: 16, name: 'warmup' });
	// BENCH_CHILD_FLAGS: extra Node flags for the engine process, e.g. --trace-gc or --cpu-prof when investigating.
	const flags = (process.env.BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean);
	const child = forkChild('contender.ts', [...CHILD_TSX, '--expose-gc', ...flags], 'run');
	let answered = false;
	try {
		const ready = onceMessage(child.child, 'ready');
		child.child.send({ job: jobOf(standIn, spec, urls, warmupUrl) });
		await ready;
		await standIn.idle();
		await standIn.set({ processingMs: spec.processingMs, jitter: spec.jitter, maxRunning: spec.cap, ...spec.service });
		await standIn.clear();
		for (const { route, rules } of spec.faults ?? []) await standIn.fault(route, rules);
		const cpuBefore = (await standIn.snapshot()).cpuMs;
		const done = onceMessage<{ result: JobResult }>(child.child, 'result');
		child.child.send({ type: 'go' });
		const { result } = await done;
		answered = true;
		await standIn.idle();
		const snapshot = await standIn.snapshot();
		return outcomeOf(spec, result, snapshot, cpuBefore);
	} finally {
		await standIn.set({ createRate: 0, readRate: 0 }).catch(() => undefined);
		await standIn.clearFaults().catch(() => undefined);
		await reap(child, answered);
	}
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

function outcomeOf(spec: RunSpec, result: JobResult, snapshot: Snapshot, cpuBefore: number): RunOutcome {
	const { lags, readsBeforeEnd, readsWhileQueued } = lagsOf(snapshot);
	const api = snapshot.entries.filter((e) => e.route === 'create' || (e.route === 'status' && e.method === 'GET'));
	const statusReads = api.filter((e) => e.route === 'status').length;
	const tasks = snapshot.tasks;
	const ended = tasks.filter((t) => t.endedAt !== undefined);
	return {
		spec,
		result,
		idealMs: idealMs(spec.n, spec.cap, spec.processingMs, spec.service?.createRate),
		creates: api.length - statusReads,
		statusReads,
		readsPerTask: statusReads / spec.n,
		readsBeforeEnd,
		readsWhileQueued,
		maxInFlight: snapshot.maxInFlight,
		lags,
		serviceSpanMs: ended.length ? Math.max(...ended.map((t) => t.endedAt!)) - Math.min(...tasks.map((t) => t.createdAt)) : NaN,
		meanQueueMs: mean(tasks.filter((t) => t.startedAt).map((t) => t.startedAt! - t.createdAt)),
		meanProcessingMs: mean(ended.map((t) => t.endedAt! - t.startedAt!)),
		standInCpuMs: snapshot.cpuMs - cpuBefore,
		succeededTasks: tasks.filter((t) => t.state === 'succeeded').length,
		rateLimited: api.filter((e) => e.status === 429).length,
		apiRequests: api.length,
		extra: spec.inspect?.(snapshot) ?? {},
	};
}

/** What one request costs through each layer (bench/request-cost.ts), in a fresh engine process. */
export async function requestCost(standIn: StandInClient): Promise<CostRow[]> {
	await standIn.idle();
	await standIn.set({ processingMs: 10, jitter: 0 });
	const imageUrl = await standIn.imageUrl({ width: 64, height: 48, name: 'cost' });
	const child = forkChild('request-cost.ts', CHILD_TSX, 'cost');
	try {
		const done = onceMessage<{ rows: CostRow[] }>(child.child, 'result');
		child.child.send({ target: { url: standIn.url, key: standIn.key, imageUrl } });
		return (await done).rows;
	} finally {
		await reap(child, true);
	}
}
