import type { INodeProperties } from 'n8n-workflow';

import * as upscale from './upscale.operation';

export const operations = { upscale };

export const description: INodeProperties[] = [
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
	...upscale.description,
];
