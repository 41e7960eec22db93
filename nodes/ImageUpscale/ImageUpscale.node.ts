import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as image from './actions/image';
import { router } from './actions/router';
import * as task from './actions/task';
import { toolProperties } from './actions/tool';
import { parkedWebhook } from './park/resume';

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
		// Only a parked batch's execution has this route (n8n serves it while the execution waits
		// at this node): the tasks' callbacks and the batch's own checks.
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				responseData: '',
				path: '={{ $nodeId }}',
				restartWebhook: true,
				isFullPath: true,
			},
		],
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

	// n8n never calls these for a restart webhook; the community lint asks every node with webhooks for them.
	webhookMethods = {
		default: {
			checkExists: async (): Promise<boolean> => true,
			create: async (): Promise<boolean> => true,
			delete: async (): Promise<boolean> => true,
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await parkedWebhook.call(this);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
