import type { IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { includeServiceDetails, optionsCollection } from '../shared/descriptions';
import { unreachableBy, unreachableHint } from '../shared/reachability';
import { receiveCallback } from './callback';
import { DEFAULT_SECRET_HEADER } from './settings';

export class ImageUpscaleTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'API in One Trigger',
		// n8n's nodes panel shows a trigger named "<node>Trigger" within that node's entry: Image Upscale.
		name: 'imageUpscaleTrigger',
		icon: { light: 'file:../../icons/apiinone.svg', dark: 'file:../../icons/apiinone.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "Task " + $parameter["events"].join(" or ") }}',
		// Also the nodes panel's text for Image Upscale, which n8n shows with this trigger as one app.
		description: 'Upscale images with API in One, many at once, and start workflows when tasks end',
		defaults: { name: 'API in One Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'apiInOneApi', required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'callback' }],
		properties: [
			{
				displayName:
					'Open Webhook URLs at the top, copy the Production URL and put it in the Callback URL option of the Image Upscale node (or in the callback_url of any API in One task). It answers once the workflow is published. Each callback is checked with the API before the workflow starts. If that URL starts with localhost or a private address, the service cannot reach it: set n8n\'s WEBHOOK_URL to n8n\'s public address.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: [
					{ name: 'Task Failed', value: 'failed', description: 'The task ended with an error' },
					{ name: 'Task Succeeded', value: 'succeeded', description: 'The task ended with a result' },
				],
				default: ['succeeded', 'failed'],
				description: 'Which ends of a task start the workflow. Callbacks for running or unknown tasks never do.',
			},
			optionsCollection([
				includeServiceDetails,
				{
					displayName: 'Secret',
					name: 'secret',
					type: 'string',
					typeOptions: { password: true },
					default: '',
					description:
						'Callbacks without this secret are refused. Send it in the header below, or add ?secret=... to the callback URL.',
				},
				{
					displayName: 'Secret Header Name',
					name: 'headerName',
					type: 'string',
					default: DEFAULT_SECRET_HEADER,
					placeholder: `e.g. ${DEFAULT_SECRET_HEADER}`,
					description: 'The header the secret is read from; without it, the query parameter "secret" is read',
				},
			]),
		],
	};

	// The service has no API to register callbacks: each task names its own callback_url, so there is
	// nothing to create, check or delete on its side. Activating warns when the URL cannot be reached.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const url = this.getNodeWebhookUrl('default') ?? '';
				const kind = unreachableBy(url);
				if (kind) this.logger.warn(unreachableHint("The API in One Trigger's production URL", url, kind));
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveCallback.call(this);
	}
}
