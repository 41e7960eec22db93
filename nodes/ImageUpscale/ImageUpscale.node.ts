import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as upscale from './actions/image/upscale.operation';
import { router } from './actions/router';
import * as get from './actions/task/get.operation';

export class ImageUpscale implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Image Upscale',
		name: 'imageUpscale',
		icon: { light: 'file:../../icons/apiinone.svg', dark: 'file:../../icons/apiinone.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "get" ? "Get Task" : "Upscale" }}',
		description: 'Upscale images with API in One, many at once',
		defaults: { name: 'Image Upscale' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'apiInOneApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Image', value: 'image' },
					{ name: 'Task', value: 'task' },
				],
				default: 'image',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['image'] } },
				options: [
					{
						name: 'Upscale',
						value: 'upscale',
						action: 'Upscale an image',
						description: 'Create an upscale task from a URL or a file, and wait for the result',
					},
				],
				default: 'upscale',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['task'] } },
				options: [
					{
						name: 'Get',
						value: 'get',
						action: 'Get a task',
						description: 'Read a task by its ID, optionally wait for it to end',
					},
				],
				default: 'get',
			},
			...upscale.description,
			...get.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
