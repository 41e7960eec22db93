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

function errorItem(error: NodeOperationError | NodeApiError, itemIndex: number): INodeExecutionData {
	const json: IDataObject = { error: error.message, itemIndex };
	if (error.description) json.description = error.description;
	if (error instanceof NodeApiError && error.httpCode) json.httpCode = error.httpCode;
	if (error.context?.taskId) json.taskId = error.context.taskId as string;
	return { json, pairedItem: { item: itemIndex } };
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const run = operations[`${resource}.${operation}`];
	if (!run) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);

	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const limit = Math.max(1, Math.floor(Number(options.concurrency ?? DEFAULT_CONCURRENCY)) || 1);
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
