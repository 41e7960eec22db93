import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { downloadResult, waitAndDownloadOptions, waitForResult } from '../../../shared/descriptions';
import { getTask } from '../../../shared/transport';
import { settle, type Batch } from '../settle';

const properties: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. n41a8c2k7q0z',
		description: 'The ID the Upscale operation returned',
	},
	waitForResult(false),
	{ ...downloadResult, description: 'Whether to download the result image, when the task has succeeded, into a binary field' },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: waitAndDownloadOptions,
	},
];

export const description = updateDisplayOptions({ show: { resource: ['task'], operation: ['get'] } }, properties);

function taskIdOf(ctx: IExecuteFunctions, itemIndex: number): string {
	const value = ctx.getNodeParameter('taskId', itemIndex);
	const fail = (message: string) => new NodeOperationError(ctx.getNode(), message, { itemIndex });
	if (typeof value !== 'string' && typeof value !== 'number') throw fail(`The Task ID must be text, not ${typeof value}`);
	const taskId = String(value).trim();
	if (taskId === '') throw fail('The Task ID is empty');
	return taskId;
}

export async function execute(this: IExecuteFunctions, itemIndex: number, batch: Batch): Promise<INodeExecutionData> {
	const startedAt = Date.now();
	const taskId = taskIdOf(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const task = await getTask(this, taskId, { itemIndex, signal: batch.signal });
	return await settle(this, task, {
		itemIndex,
		batch,
		wait: this.getNodeParameter('waitForResult', itemIndex, false) as boolean,
		download: this.getNodeParameter('downloadResult', itemIndex, true) as boolean,
		failedIsError: false,
		startedAt,
		options,
	});
}
