import type { IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

// What a parked batch keeps in the node's context: n8n saves it with the waiting execution, so it
// outlives the worker that created the tasks, and webhook() reads it back. Ids only, to keep the
// execution small: n8n reads and writes all of it on every callback.

const KEY = 'apiinoneParked';

export interface ParkedBatch {
	v: 1;
	/** Names this batch in a process's memory (the execution id is not known to every context). */
	batchId: string;
	/** When the first task was created: items' elapsedMs count from here, as Wait for Result's do from their start. */
	startedAt: number;
	/** The wait limit counts from here. */
	parkedAt: number;
	limitMs: number;
	returnRunning: boolean;
	model: string;
	includeServiceDetails: boolean;
	/** The task of each input item; null where the item has its final output already (in `ready`). */
	tasks: Array<string | null>;
	/** Output items known before the park, by input index: create errors kept by Continue On Fail. */
	ready: Record<string, IDataObject>;
}

export function saveParked(ctx: IExecuteFunctions, batch: ParkedBatch) {
	ctx.getContext('node')[KEY] = batch;
}

/** The batch this node parked, read from the waiting execution; undefined when it parked none. */
export function readParked(ctx: IWebhookFunctions): ParkedBatch | undefined {
	const expression = `{{ $node[${JSON.stringify(ctx.getNode().name)}].context[${JSON.stringify(KEY)}] }}`;
	let value: unknown;
	try {
		value = ctx.evaluateExpression(expression);
	} catch {
		return undefined;
	}
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	const batch = value as ParkedBatch | undefined;
	return batch && batch.v === 1 && Array.isArray(batch.tasks) ? batch : undefined;
}
