import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { Batch } from '../../shared/batch';
import { clock } from '../../shared/clock';
import { asNodeError, type NodeError } from '../../shared/errors';
import { runPool } from '../../shared/pool';
import { concurrency } from '../../shared/settings';
import type { ItemRun } from '../../shared/settle';
import { cancelSignal } from '../../shared/transport';
import * as upscale from './image/upscale.operation';
import * as get from './task/get.operation';

type Operation = (this: IExecuteFunctions, run: ItemRun) => Promise<INodeExecutionData>;

const operations: Record<string, Operation> = {
	'image.upscale': upscale.execute,
	'task.get': get.execute,
};

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

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const execute = operations[`${resource}.${operation}`];
	if (!execute) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	const batch = new Batch(cancelSignal(this));

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
		return [await runPool(items.length, concurrency(this), runItem, batch.signal)];
	} catch (error) {
		throw withOtherTasks(error, batch);
	} finally {
		// n8n 1.x before hints existed has no addExecutionHints.
		const hints = [...batch.hints].map((message) => ({ message, type: 'warning' as const, location: 'outputPane' as const }));
		if (hints.length) this.addExecutionHints?.(...hints);
	}
}
