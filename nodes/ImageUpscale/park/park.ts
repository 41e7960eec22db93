import { randomUUID } from 'crypto';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError, WAIT_INDEFINITELY } from 'n8n-workflow';

import { clock } from '../../shared/clock';
import { unreachableBy } from '../../shared/reachability';
import { account } from '../../shared/transport';
import type { Batch } from '../run/batch';
import { DEFAULT_MODEL, isToolCall, positiveNumber, waitSettings } from '../run/settings';
import { startChecker } from './checker';
import { saveParked, type ParkedBatch } from './record';

/** n8n reads and writes the whole waiting execution on every callback: past this, split the batch. */
export const MAX_PARKED_ITEMS = 10_000;
export const DEFAULT_CHECK_EVERY_SECONDS = 30;
export const MIN_CHECK_EVERY_SECONDS = 5;

export interface ParkSettings {
	/** Whether the tasks get this execution's resume URL as their callback_url (else only checks end the batch). */
	callbacks: boolean;
	checkEveryMs: number;
	limitMs: number;
	returnRunning: boolean;
	model: string;
	includeServiceDetails: boolean;
}

/** The run's park settings (read from the first item, like Concurrency), or undefined when it does not park. */
export function parkSettings(ctx: IExecuteFunctions): ParkSettings | undefined {
	const parks = ctx.getNodeParameter('waitForResult', 0, true) === true && ctx.getNodeParameter('waitMode', 0, 'hold') === 'park';
	if (!parks || isToolCall(ctx)) return undefined;
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const checkEverySeconds = positiveNumber(ctx, options.checkEverySeconds ?? DEFAULT_CHECK_EVERY_SECONDS, 'Check Every (Seconds)');
	if (checkEverySeconds < MIN_CHECK_EVERY_SECONDS) {
		throw new NodeOperationError(ctx.getNode(), `Check Every (Seconds) must be at least ${MIN_CHECK_EVERY_SECONDS}, not ${checkEverySeconds}`);
	}
	return {
		callbacks: options.resumeOn !== 'checks',
		checkEveryMs: checkEverySeconds * 1000,
		...waitSettings(ctx, options, undefined, false),
		model: String(options.model || DEFAULT_MODEL),
		includeServiceDetails: options.includeServiceDetails === true,
	};
}

/** This execution's resume URL with the node's id in its path: n8n routes it to this node's webhook(). */
function ownCallbackUrl(ctx: IExecuteFunctions): string | undefined {
	const resumeUrl = String(ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0) ?? '');
	let url: URL;
	try {
		url = new URL(resumeUrl);
	} catch {
		return undefined;
	}
	// n8n 1.x has no resume token: anyone could resume the execution, and two callbacks at once resume it twice.
	if (!url.searchParams.get('signature')) return undefined;
	url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(ctx.getNode().id)}`;
	return url.toString();
}

/** Everything that would make a parked batch uncollectable is refused before a task is created. */
async function callbackUrlOrRefusal(ctx: IExecuteFunctions, settings: ParkSettings, itemCount: number): Promise<string> {
	const refuse = (message: string, description: string) => new NodeOperationError(ctx.getNode(), message, { description });
	if (itemCount > MAX_PARKED_ITEMS) {
		throw refuse(
			`A parked batch holds at most ${MAX_PARKED_ITEMS} images; this one has ${itemCount}`,
			'n8n reads and writes the whole waiting execution on every callback. Split the input with Loop Over Items.',
		);
	}
	const callbackUrl = ownCallbackUrl(ctx);
	if (!callbackUrl) {
		throw refuse(
			'Park the Execution needs n8n 2.0 or later',
			'This n8n resumes a waiting execution without a token and can resume it twice. Choose "Keep the Execution Running" under While Waiting, or update n8n.',
		);
	}
	const { baseUrl } = await account(ctx);
	const kind = settings.callbacks && !unreachableBy(baseUrl) ? unreachableBy(callbackUrl) : undefined;
	if (kind) {
		throw refuse(
			`API in One cannot reach this n8n's resume URL ${callbackUrl.split('?')[0]} (${kind}): its callbacks would never arrive`,
			'Set n8n\'s WEBHOOK_URL to its public address, or set Options > Resume On to "Checks Only".',
		);
	}
	return callbackUrl;
}

/**
 * Creates every task with this execution's resume URL as callback, keeps their ids in the node's
 * context and parks the execution: no worker holds it while the service works. webhook() ends it.
 */
export async function parkBatch(
	ctx: IExecuteFunctions,
	batch: Batch,
	settings: ParkSettings,
	createAll: () => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const callbackUrl = await callbackUrlOrRefusal(ctx, settings, ctx.getInputData().length);
	batch.park = { callbackUrl: settings.callbacks ? callbackUrl : undefined };
	const startedAt = clock.now();
	const items = await createAll();
	const tasks = items.map((item) => (typeof item.json.taskId === 'string' && item.json.state === 'parked' ? item.json.taskId : null));
	if (tasks.every((task) => task === null)) return items;
	const ready: ParkedBatch['ready'] = {};
	tasks.forEach((task, index) => task === null && (ready[index] = items[index].json));
	const { limitMs, returnRunning, model, includeServiceDetails } = settings;
	saveParked(ctx, { v: 1, batchId: randomUUID(), startedAt, parkedAt: clock.now(), limitMs, returnRunning, model, includeServiceDetails, tasks, ready });
	await ctx.putExecutionToWait(WAIT_INDEFINITELY);
	startChecker(ctx, callbackUrl, { everyMs: settings.checkEveryMs, untilMs: clock.now() + limitMs + 10 * settings.checkEveryMs });
	return items.map((item, index) => (index === 0 ? { ...item, json: { ...item.json, checkUrl: callbackUrl } } : item));
}
