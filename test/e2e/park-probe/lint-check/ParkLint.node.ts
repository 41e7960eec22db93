// Lint check for docs/design-parked-batches.md (fact 8): a parking action node passes the community rules
// with webhookMethods stubs. Delete the webhookMethods block and run:
//   npx eslint --no-inline-config test/e2e/park-probe/lint-check/ParkLint.node.ts
// to see @n8n/community-nodes/webhook-lifecycle-complete fail. Never built or published.
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

export class ParkLint implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Park Lint',
		name: 'parkLint',
		icon: 'file:parkLint.svg',
		group: ['transform'],
		version: 1,
		description: 'Parks its execution',
		subtitle: 'park',
		defaults: { name: 'Park Lint' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '={{$nodeId}}', restartWebhook: true, isFullPath: true }],
		properties: [],
	};

	webhookMethods = {
		default: {
			async checkExists(): Promise<boolean> {
				return true;
			},
			async create(): Promise<boolean> {
				return true;
			},
			async delete(): Promise<boolean> {
				return true;
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		await this.putExecutionToWait(new Date('3000-01-01T00:00:00.000Z'));
		return [this.getInputData().map((item, i) => ({ json: item.json, pairedItem: { item: i } }))];
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return { webhookResponse: { ok: true } };
	}
}
