import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { DEFAULT_CONCURRENCY } from '../../shared/descriptions';
import { runPool } from '../../shared/pool';
import { cancelSignal } from '../../shared/transport';
import { RunTimeEstimate } from '../../shared/wait';
import * as upscale from './image/upscale.operation';
import type { Batch } from './settle';
import * as get from './task/get.operation';

type Operation = (this: IExecuteFunctions, itemIndex: number, batch: Batch) => Promise<INodeExecutionData>;

const operations: Record<string, Operation> = {
	'image.upscale': upscale.execute,
	'task.get': get.execute,
};

/**
 * Only `error` and `details` at the top: n8n sends such items to the error output when "On Error"
 * is "Continue (using error output)", and keeps the details (setting `item.error` would drop them).
 */
function errorItem(error: NodeOperationError | NodeApiError, itemIndex: number): INodeExecutionData {
	const details: IDataObject = { itemIndex };
	if (error.description) details.description = error.description;
	if (error instanceof NodeApiError && error.httpCode) details.httpCode = error.httpCode;
	if (error.context?.taskId) details.taskId = error.context.taskId as string;
	return { json: { error: error.message, details }, pairedItem: { item: itemIndex } };
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const run = operations[`${resource}.${operation}`];
	if (!run) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);

	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const limit = Math.min(100, Math.max(1, Math.floor(Number(options.concurrency ?? DEFAULT_CONCURRENCY)) || 1));
	const estimate = new RunTimeEstimate();

	const results = await runPool(
		items.length,
		limit,
		async (itemIndex, signal) => {
			try {
				return await run.call(this, itemIndex, { estimate, signal });
			} catch (error) {
				const itemError =
					error instanceof NodeOperationError || error instanceof NodeApiError
						? error
						: new NodeOperationError(this.getNode(), error as Error, { itemIndex });
				if (this.continueOnFail() && !cancelSignal(this)?.aborted) return errorItem(itemError, itemIndex);
				throw itemError;
			}
		},
		cancelSignal(this),
	);
	return [results];
}
