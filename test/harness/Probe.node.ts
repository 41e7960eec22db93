/* eslint-disable @n8n/community-nodes/icon-validation, @n8n/community-nodes/node-connection-type-literal, @n8n/community-nodes/node-usable-as-tool, @n8n/community-nodes/require-node-api-error, @n8n/community-nodes/require-node-description-fields -- dev tooling, never published: n8n's rules for community node code do not apply */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { createTask, getTask, PROFILES, readWhileWaiting, verifyTask } from '../../nodes/shared/transport';

/** Runs `work` with a profile's timeout shortened (the profiles are the product's; tests shorten them this way only). */
async function withTimeout<T>(profile: { timeoutMs: number }, timeoutMs: number, work: () => Promise<T>): Promise<T> {
	if (!timeoutMs) return await work();
	const saved = profile.timeoutMs;
	profile.timeoutMs = timeoutMs;
	try {
		return await work();
	} finally {
		profile.timeoutMs = saved;
	}
}

/** The small node the foundation tests drive the transport with, one call per item. */
export class Probe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Transport Probe',
		name: 'probe',
		group: ['transform'],
		version: 1,
		description: 'Calls the service through the shared transport',
		defaults: { name: 'Probe' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'apiInOneApi', required: true }],
		properties: [
			{ displayName: 'Call', name: 'call', type: 'string', default: 'create' },
			{ displayName: 'Body', name: 'body', type: 'json', default: '{}' },
			{ displayName: 'Task ID', name: 'taskId', type: 'string', default: '' },
			{ displayName: 'Timeout', name: 'timeoutMs', type: 'number', default: 0 },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const call = this.getNodeParameter('call', itemIndex) as string;
				const options = { itemIndex };
				const timeoutMs = this.getNodeParameter('timeoutMs', itemIndex) as number;
				const taskId = () => this.getNodeParameter('taskId', itemIndex) as string;
				const calls: Record<string, () => Promise<object>> = {
					create: async () => await withTimeout(PROFILES.create, timeoutMs, async () => await createTask(this, '/api/v1/images/tools/upscale', this.getNodeParameter('body', itemIndex, {}, { ensureType: 'json' }) as IDataObject, options)),
					get: async () => await withTimeout(PROFILES.read, timeoutMs, async () => await getTask(this, taskId(), options)),
					// A read while waiting returns a failure that may pass instead of throwing it: shown as { failedRead }.
					waitRead: async () => {
						const read = await withTimeout(PROFILES.waitRead, timeoutMs, async () => await readWhileWaiting(this, taskId(), options));
						return read.error instanceof Error ? { failedRead: read.error.message, description: (read.error as { description?: string }).description } : read;
					},
					verify: async () => await withTimeout(PROFILES.verify, timeoutMs, async () => await verifyTask(this, taskId())),
				};
				const task = await (calls[call] ?? calls.get)();
				out.push({ json: { ...task } as IDataObject, pairedItem: { item: itemIndex } });
			} catch (error) {
				if (!this.continueOnFail()) throw error;
				out.push({ json: { error: error.message, description: error.description, httpCode: error.httpCode, itemIndex: error.context?.itemIndex }, pairedItem: { item: itemIndex } });
			}
		}
		return [out];
	}
}
