/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- dev tooling, never published: n8n's rules for community node code do not apply */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

import { initBinaryData, registerNode, runNode, type NodeUnderTest } from '../test/harness/engine';
import { WaitingN8n } from '../test/harness/parked';
import { SequentialBaseline } from './SequentialBaseline.node';

/**
 * One contender x one batch, in a fresh process so CPU and memory peaks are its own.
 * The parent (bench/run.ts) sends the job; this warms up with one small item, says "ready",
 * waits for "go", runs the batch through n8n-core's WorkflowExecute and answers with figures.
 * N8N_USER_FOLDER and N8N_LOG_LEVEL come from the parent's env, before n8n-core loads.
 */

export interface Job {
	contender: 'node' | 'baseline';
	mode: 'default' | 'filesystem';
	concurrency: number;
	pollIntervalMs: number;
	standIn: { url: string; key: string };
	urls: string[];
	warmupUrl: string;
	/**
	 * Sample memoryUsage() every 50 ms (heap and ArrayBuffer peaks). Off for the speed rows: on this
	 * VM each timer wake costs ~0.3 ms of CPU (5-6 ms per second), which would be billed to the node;
	 * the RSS peak comes from the kernel's high-water mark (resourceUsage().maxRSS) either way.
	 */
	sampleMemory: boolean;
	/** More of the node's Options (waitLimitSeconds, onWaitLimit, ...). */
	nodeOptions?: IDataObject;
	continueOnFail?: boolean;
	/** Turn the node's batch-wide rate gate off before running; the row is unavailable when the node has none. */
	gateOff?: boolean;
	/** More top-level parameters of the node (e.g. waitMode). */
	nodeParameters?: IDataObject;
	/** Run as a production execution in the in-process n8n that parks and resumes (test/harness/parked.ts). */
	park?: boolean;
}

export interface JobResult {
	/** The node's batch-wide rate gate as this run had it. */
	gate: 'on' | 'off';
	wallMs: number;
	cpuUserMs: number;
	cpuSystemMs: number;
	rssBefore: number;
	rssPeakSampled: number;
	maxRss: number;
	heapUsedBefore: number;
	heapUsedPeak: number;
	arrayBuffersPeak: number;
	externalPeak: number;
	samples: number;
	ok: number;
	/** Items returned still running (When Still Running at the Limit: Return the Running Task). */
	running: number;
	failed: number;
	firstError?: string;
	binaries: number;
	binaryBytesTotal: number;
	binaryBytesMax: number;
	storedInItem: number;
	/** The execution's run segments (ms): the time a worker held it. Holding: the whole run. */
	segmentsMs: number[];
	/** Requests to the waiting execution's URL, those that ran webhook(), and the time spent in them all (not a worker's). */
	webhookCalls: number;
	webhookRan: number;
	webhookMs: number;
	/** Epoch ms when the execution ended, to compare with the stand-in's task ends. */
	endedAt: number;
}

const NODE_TYPE = 'n8n-nodes-apiinone.imageUpscale';
const BASELINE_TYPE = 'bench.sequentialBaseline';

function nodeFor(job: Job, imageUrl: string, pollIntervalMs = job.pollIntervalMs): NodeUnderTest {
	if (job.contender === 'baseline') {
		return { type: BASELINE_TYPE, parameters: { imageUrl, pollIntervalMs } };
	}
	return {
		type: NODE_TYPE,
		parameters: { resource: 'image', operation: 'upscale', imageUrl, ...job.nodeParameters, options: { ...job.nodeOptions, concurrency: job.concurrency } },
		continueOnFail: job.continueOnFail,
	};
}

const DIST = path.resolve(__dirname, '../dist/nodes');

/**
 * The node with its batch-wide rate gate left out: the router of the built node, given no gate, so
 * each item meets rate limits on its own (the "gate off" row). Unavailable where the build has none.
 */
function withoutRateGate(node: INodeType): INodeType {
	let router: ((this: IExecuteFunctions, options: { makeGate: () => undefined }) => Promise<INodeExecutionData[][]>) | undefined;
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		router = (require(path.join(DIST, 'ImageUpscale/actions/router.js')) as { router?: typeof router }).router;
	} catch (error) {
		if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
	}
	if (!router) throw new GateMissing('no router to pass the gate to in this build');
	const route = router;
	node.execute = async function (this: IExecuteFunctions) {
		return await route.call(this, { makeGate: () => undefined });
	};
	return node;
}

class GateMissing extends Error {}

const credentials = (job: Job) => ({ apiInOneApi: { apiKey: job.standIn.key, baseUrl: job.standIn.url } });

function summarize(items: INodeExecutionData[]) {
	let ok = 0;
	let running = 0;
	let failed = 0;
	let firstError: string | undefined;
	let binaries = 0;
	let binaryBytesTotal = 0;
	let binaryBytesMax = 0;
	let storedInItem = 0;
	for (const item of items) {
		if (item.json.state === 'succeeded') ok++;
		else if (item.json.state === 'running') running++;
		else {
			failed++;
			firstError ??= String(item.json.error ?? item.json.state);
		}
		const binary = item.binary?.data;
		if (binary) {
			binaries++;
			const bytes = Number(binary.bytes ?? 0);
			binaryBytesTotal += bytes;
			binaryBytesMax = Math.max(binaryBytesMax, bytes);
			if (!binary.id && binary.data) storedInItem++;
		}
	}
	return { ok, running, failed, firstError, binaries, binaryBytesTotal, binaryBytesMax, storedInItem };
}

const waitFor = (type: string) =>
	new Promise<void>((resolve) => {
		const listener = (message: { type?: string }) => {
			if (message?.type !== type) return;
			process.off('message', listener);
			resolve();
		};
		process.on('message', listener);
	});

/** The node as n8n loads it: the built package. The baseline is bench-only and runs from source. */
function loadNodes(job: Job): JobResult['gate'] {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { ImageUpscale } = require(path.join(DIST, 'ImageUpscale/ImageUpscale.node.js')) as { ImageUpscale: new () => INodeType };
	registerNode(NODE_TYPE, job.gateOff ? withoutRateGate(new ImageUpscale()) : new ImageUpscale());
	registerNode(BASELINE_TYPE, new SequentialBaseline());
	return job.gateOff ? 'off' : 'on';
}

/** One small item end to end (create, poll, download, store), so JIT and lazy loading are not billed to the batch. */
async function warmUp(job: Job) {
	const warm = await runNode({ node: nodeFor({ ...job, nodeParameters: undefined }, job.warmupUrl, 20), items: [{ json: {} }], credentials: credentials(job) });
	if (warm.error || warm.items[0]?.json.state !== 'succeeded') {
		throw new Error(`warm-up failed: ${warm.error?.message ?? JSON.stringify(warm.items[0]?.json)}`);
	}
}

/** Memory peaks: RSS, heap, ArrayBuffers and external, from memoryUsage() every 50 ms when `on`, else only at the end. */
function memorySampler(on: boolean) {
	global.gc?.();
	const before = process.memoryUsage();
	const peak = { rss: before.rss, heapUsed: before.heapUsed, arrayBuffers: before.arrayBuffers, external: before.external, samples: 0 };
	const sample = () => {
		const m = process.memoryUsage();
		peak.rss = Math.max(peak.rss, m.rss);
		peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
		peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
		peak.external = Math.max(peak.external, m.external);
		peak.samples++;
	};
	const timer = on ? setInterval(sample, 50) : undefined;
	const stop = () => {
		clearInterval(timer);
		sample();
		return {
			rssBefore: before.rss,
			rssPeakSampled: peak.rss,
			maxRss: process.resourceUsage().maxRSS * 1024,
			heapUsedBefore: before.heapUsed,
			heapUsedPeak: peak.heapUsed,
			arrayBuffersPeak: peak.arrayBuffers,
			externalPeak: peak.external,
			samples: peak.samples,
		};
	};
	return { stop };
}

async function runBatch(job: Job, gate: JobResult['gate']): Promise<JobResult> {
	const memory = memorySampler(job.sampleMemory);
	const items = job.urls.map((url) => ({ json: { url } }));
	const n8n = job.park ? await WaitingN8n.start() : undefined;
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	const node = nodeFor(job, '={{ $json.url }}');
	const result = n8n ? await n8n.run({ node, items, credentials: credentials(job) }).result : await runNode({ node, items, credentials: credentials(job) });
	const wallMs = performance.now() - t0;
	const endedAt = Date.now();
	const cpu = process.cpuUsage(cpu0);
	const peaks = memory.stop();
	const summary = summarize(result.items);
	if (result.error) {
		summary.failed = job.urls.length - summary.ok - summary.running;
		summary.firstError ??= result.error.message;
	}
	const calls = 'webhookCalls' in result ? result.webhookCalls : [];
	const segmentsMs = 'segments' in result ? result.segments.map((g) => g.endMs - g.startMs) : [wallMs];
	const webhook = { webhookCalls: calls.length, webhookRan: calls.filter((c) => c.ran).length, webhookMs: calls.reduce((sum, c) => sum + c.ms, 0) };
	return { gate, wallMs, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, ...peaks, ...summary, segmentsMs, ...webhook, endedAt };
}

async function main() {
	// The conductor is gone (it failed or was stopped): nothing will read this run.
	process.on('disconnect', () => process.exit(1));
	const job = await new Promise<Job>((resolve) => process.once('message', (message: { job: Job }) => resolve(message.job)));
	await initBinaryData(job.mode);
	const gate = loadNodes(job);
	await warmUp(job);
	process.send!({ type: 'ready' });
	await waitFor('go');
	const result = await runBatch(job, gate);
	process.send!({ type: 'result', result }, () => process.exit(0));
}

main().catch((error: Error) => {
	const message = error instanceof GateMissing ? { type: 'unavailable', reason: error.message } : { type: 'error', error: `${error.message}\n${error.stack}` };
	process.send?.(message, () => process.exit(1));
});
