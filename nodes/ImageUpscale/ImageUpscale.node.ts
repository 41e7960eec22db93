import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as image from './actions/image';
import { router } from './actions/router';
import * as task from './actions/task';
import { toolProperties } from './actions/tool';

export class ImageUpscale implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Image Upscale',
		name: 'imageUpscale',
		icon: { light: 'file:../../icons/apiinone.svg', dark: 'file:../../icons/apiinone.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Upscale images with API in One, many at once',
		defaults: { name: 'Image Upscale' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'apiInOneApi', required: true }],
		properties: [
			...toolProperties,
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
			...image.description,
			...task.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
