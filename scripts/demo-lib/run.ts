/* eslint-disable @n8n/community-nodes/no-restricted-imports, no-console -- dev tooling, never published: n8n's rules for community node code do not apply */
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { IBinaryData, INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';

import { ImageUpscale } from '../../nodes/ImageUpscale/ImageUpscale.node';
import { initBinaryData, registerNode, runNode } from '../../test/harness/engine';
import { startStandIn } from '../../test/stand-in/server';
import type { StandIn, StandInOptions } from '../../test/stand-in/types';
import { fileInput, sampleInputs, urlInput, type DemoInput } from './inputs';
import { table, tickWhileRunning, watchStandIn, type DemoRow, type Log } from './report';

export type { DemoRow } from './report';

const NODE_TYPE = 'n8n-nodes-apiinone.imageUpscale';

export interface DemoOptions {
	files?: string[];
	urls?: string[];
	/** Include the demo's own sample images; by default only when no files or URLs are given. */
	samples?: boolean;
	/** Sent as {"scale": N} in the node's "Extra Body Fields" option. */
	scale?: number;
	concurrency?: number;
	outDir?: string;
	/** The real service instead of the local stand-in. */
	real?: { apiKey: string; baseUrl: string };
	/** Overrides for the local stand-in (the demo uses 1.5 s ± 30% per image, 10 at a time). */
	standIn?: StandInOptions;
	/** The node class to run; the CLI passes the built one from dist/. */
	node?: INodeType;
	log?: Log;
}

/** Runs the demo workflow: images -> Image Upscale (one node run per kind of source) -> files in outDir. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoRow[]> {
	const log = options.log ?? ((line: string) => console.log(line));
	const outDir = path.resolve(options.outDir ?? 'demo-output');
	const { files = [], urls = [], real } = options;
	const inputs: DemoInput[] = [
		...((options.samples ?? (files.length === 0 && urls.length === 0)) ? await sampleInputs() : []),
		...(await Promise.all(files.map(fileInput))),
		...urls.map((url) => urlInput(url, !real)),
	];
	for (const input of inputs.filter((i) => i.problem)) log(`! ${input.name}: ${input.problem}`);

	let standIn: StandIn | undefined;
	try {
		const local = { processingMs: 1500, jitter: 0.3, maxRunning: 10, ...options.standIn };
		if (!real) standIn = await startStandIn(local);
		const account = real ?? { apiKey: standIn!.key, baseUrl: standIn!.url };
		const sent = inputs.filter((i) => !i.problem).length;
		const images = `${sent} item${sent === 1 ? '' : 's'}`;
		log(real ? `Service: API in One at ${account.baseUrl} (--real: ${images}, up to ${sent} credit${sent === 1 ? '' : 's'})` : `Service: local stand-in at ${account.baseUrl} (${local.processingMs / 1000} s ± ${Math.round(local.jitter * 100)}% per image, ${local.maxRunning} at a time)`);
		log(`Workflow: ${images} -> Image Upscale (n8n-core WorkflowExecute, binary data on disk)${options.scale ? `, scale ${options.scale}` : ''}`);
		await initBinaryData('filesystem');
		registerNode(NODE_TYPE, options.node ?? new ImageUpscale());

		const startedAt = Date.now();
		log(real ? 'Progress: the real service cannot be watched, so results are shown when the batch ends.' : 'Progress (each image as its task ends):');
		const stopWatching = standIn ? watchStandIn(standIn, inputs, log, startedAt) : tickWhileRunning(log, startedAt);
		const outputs = new Map<DemoInput, INodeExecutionData>();
		try {
			// Files go in as binary items (Image Source = Binary File), URLs as URL items: two node runs when both are given.
			for (const kind of ['binary', 'url'] as const) {
				const batch = inputs.filter((i) => !i.problem && (kind === 'url') === (i.kind === 'url'));
				if (batch.length === 0) continue;
				const items = await upscale(batch, kind, options, account);
				for (const item of items) {
					const index = (item.pairedItem as { item: number } | undefined)?.item;
					if (index !== undefined) outputs.set(batch[index], item);
				}
			}
		} finally {
			stopWatching();
		}
		log(`Finished in ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`);
		await fs.mkdir(outDir, { recursive: true });
		const rows: DemoRow[] = [];
		const usedNames = new Set<string>();
		for (const input of inputs) rows.push(await rowOf(input, outputs.get(input), outDir, usedNames, standIn));
		log('');
		for (const line of table(rows, outDir)) log(line);
		return rows;
	} finally {
		await standIn?.close();
	}
}

async function upscale(batch: DemoInput[], kind: 'binary' | 'url', options: DemoOptions, account: { apiKey: string; baseUrl: string }) {
	const nodeOptions: INodeParameters = {};
	if (options.concurrency) nodeOptions.concurrency = options.concurrency;
	if (options.scale !== undefined) nodeOptions.extraBody = JSON.stringify({ scale: options.scale });
	const source = kind === 'binary' ? { imageSource: 'binary', binaryPropertyName: 'data' } : { imageSource: 'url', imageUrl: '={{ $json.url }}' };
	const items: INodeExecutionData[] = batch.map((input) =>
		kind === 'url'
			? { json: { url: input.url } }
			: { json: { name: input.name }, binary: { data: { data: input.bytes!.toString('base64'), mimeType: input.mimeType!, fileName: input.name } } },
	);
	const result = await runNode({
		node: { type: NODE_TYPE, name: 'Image Upscale', continueOnFail: true, parameters: { resource: 'image', operation: 'upscale', ...source, waitForResult: true, downloadResult: true, options: nodeOptions } },
		items,
		credentials: { apiInOneApi: account },
	});
	if (result.error) throw new Error(`The workflow failed: ${result.error.message}`);
	return result.items;
}

async function rowOf(input: DemoInput, item: INodeExecutionData | undefined, outDir: string, usedNames: Set<string>, standIn?: StandIn): Promise<DemoRow> {
	const row: DemoRow = { input: input.name, kind: input.kind, state: 'skipped', inputWidth: input.width, inputHeight: input.height };
	if (input.problem || !item) return { ...row, error: input.problem ?? 'no output item' };
	const json = item.json;
	const taskId = json.taskId ?? (json.details as { taskId?: unknown } | undefined)?.taskId;
	row.taskId = typeof taskId === 'string' ? taskId : undefined;
	// The demo does not download URLs itself; locally, the stand-in tells what size it fetched.
	const task = row.taskId ? standIn?.task(row.taskId) : undefined;
	row.inputWidth ??= task?.inputWidth;
	row.inputHeight ??= task?.inputHeight;
	if (json.error) return { ...row, state: 'failed', error: String(json.error) };
	row.state = json.state === 'succeeded' ? 'succeeded' : 'failed';
	row.elapsedMs = Number(json.elapsedMs);
	const binary = item.binary?.data as IBinaryData | undefined;
	if (!binary) return { ...row, state: 'failed', error: `no file in the output (state ${String(json.state)})` };
	row.file = path.join(outDir, uniqueName(binary.fileName ?? `${row.taskId}.bin`, usedNames));
	await fs.writeFile(row.file, await Container.get(BinaryDataService).getAsBuffer(binary));
	const { width, height } = await sharp(row.file).metadata();
	return { ...row, outputWidth: width, outputHeight: height };
}

function uniqueName(name: string, used: Set<string>): string {
	const { name: base, ext } = path.parse(name);
	let candidate = name;
	for (let n = 2; used.has(candidate); n++) candidate = `${base}-${n}${ext}`;
	used.add(candidate);
	return candidate;
}

/** The demo succeeded when something was upscaled and every one of its own sample images was. */
export const demoSucceeded = (rows: DemoRow[]) =>
	rows.some((row) => row.state === 'succeeded') && rows.filter((row) => row.kind === 'sample').every((row) => row.state === 'succeeded');
