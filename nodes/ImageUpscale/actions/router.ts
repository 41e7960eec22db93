import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { clock } from '../../shared/clock';
import { cancelSignal, type Gate } from '../../shared/transport';
import { Batch } from '../run/batch';
import { asNodeError, type NodeError } from '../../shared/errors';
import { runPool } from '../run/pool';
import { runConcurrency } from '../run/settings';
import type { ItemRun } from '../run/settle';
import * as image from './image';
import * as task from './task';

interface Operation {
	execute: (this: IExecuteFunctions, run: ItemRun) => Promise<INodeExecutionData>;
	/** Wraps the run of every item, for an operation that does something with the batch as a whole. */
	runBatch?: (this: IExecuteFunctions, batch: Batch, runItems: () => Promise<INodeExecutionData[]>) => Promise<INodeExecutionData[]>;
}

const resources: Record<string, Record<string, Operation | undefined> | undefined> = { image: image.operations, task: task.operations };

export interface RouterOptions {
	/** The batch's rate gate; the benchmark passes none to measure items meeting rate limits alone. */
	makeGate?: () => Gate | undefined;
}

/**
 * Only `error` and `details` at the top: n8n sends such items to the error output when "On Error"
 * is "Continue (using error output)", and keeps the details (setting `item.error` would drop them).
 */
function errorItem(error: NodeError, itemIndex: number): INodeExecutionData {
	const details: IDataObject = { itemIndex };
	if (error.description) details.description = error.description;
	if (error instanceof NodeApiError && error.httpCode) details.httpCode = error.httpCode;
	if (error.context?.taskId) details.taskId = error.context.taskId as string;
	return { json: { error: error.message, details }, pairedItem: { item: itemIndex } };
}

/** The batch stopped on one item's error: the tasks other items had already created (and paid for) are named in it. */
function withOtherTasks(error: unknown, batch: Batch): unknown {
	if (!(error instanceof NodeOperationError || error instanceof NodeApiError)) return error;
	const failedItem = error.context.itemIndex;
	const others = [...batch.created].filter(([itemIndex]) => itemIndex !== failedItem);
	if (others.length === 0) return error;
	error.context.createdTaskIds = others.map(([, taskId]) => taskId);
	const list = others.map(([itemIndex, taskId]) => `item ${itemIndex}: ${taskId}`).join(', ');
	error.description = `${error.description ? `${error.description} ` : ''}Tasks already created for other items keep running on the service (fetch them with Task -> Get): ${list}.`;
	return error;
}

export async function router(this: IExecuteFunctions, options: RouterOptions = {}): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const { execute, runBatch } = resources[resource]?.[operation] ?? {};
	if (!execute) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	const batch = options.makeGate ? new Batch(cancelSignal(this), options.makeGate()) : new Batch(cancelSignal(this));

	const runItem = async (itemIndex: number, signal: AbortSignal) => {
		try {
			return await execute.call(this, { itemIndex, batch, signal, startedAt: clock.now() });
		} catch (error) {
			const itemError = asNodeError(this.getNode(), error, itemIndex);
			if (this.continueOnFail() && !batch.signal?.aborted) return errorItem(itemError, itemIndex);
			throw itemError;
		}
	};
	try {
		const runItems = async () => await runPool(items.length, runConcurrency(this), runItem, batch.signal);
		return [runBatch ? await runBatch.call(this, batch, runItems) : await runItems()];
	} catch (error) {
		throw withOtherTasks(error, batch);
	} finally {
		// n8n 1.x before hints existed has no addExecutionHints.
		const hints = [...batch.hints].map((message) => ({ message, type: 'warning' as const, location: 'outputPane' as const }));
		if (hints.length) this.addExecutionHints?.(...hints);
	}
}
