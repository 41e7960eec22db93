import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { includeServiceDetails, optionsCollection } from '../../../shared/descriptions';
import { getTask } from '../../../shared/transport';
import { taskGetSettings } from '../../run/settings';
import { settle, type ItemRun } from '../../run/settle';
import { concurrencyOption, downloadOptions, downloadResultProperty, waitForResultProperty, waitOptions } from '../descriptions';

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
	waitForResultProperty(false),
	{
		...downloadResultProperty,
		description: 'Whether to download the result image, when the task has succeeded, into a binary field',
		displayOptions: { hide: { '@tool': [true] } },
	},
	optionsCollection([concurrencyOption, includeServiceDetails, ...downloadOptions({ '/downloadResult': [true] }), ...waitOptions]),
];

export const description = updateDisplayOptions({ show: { resource: ['task'], operation: ['get'] } }, properties);

function taskIdParameter(ctx: IExecuteFunctions, itemIndex: number): string {
	const value = ctx.getNodeParameter('taskId', itemIndex);
	const fail = (message: string) => new NodeOperationError(ctx.getNode(), message, { itemIndex });
	if (typeof value !== 'string' && typeof value !== 'number') throw fail(`The Task ID must be text, not ${typeof value}`);
	const taskId = String(value).trim();
	if (taskId === '') throw fail('The Task ID is empty');
	return taskId;
}

export async function execute(this: IExecuteFunctions, run: ItemRun): Promise<INodeExecutionData> {
	const { itemIndex, batch, signal } = run;
	const taskId = taskIdParameter(this, itemIndex);
	const settings = taskGetSettings(this, itemIndex);
	const task = await getTask(this, taskId, { itemIndex, signal, gate: batch.gate });
	return await settle(this, run, task, { settings, failedIsError: false });
}
