/* eslint-disable @n8n/community-nodes/icon-validation, @n8n/community-nodes/node-usable-as-tool, @n8n/community-nodes/require-node-api-error, @n8n/community-nodes/require-node-description-fields -- dev tooling, never published: n8n's rules for community node code do not apply */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError, sleep } from 'n8n-workflow';

import { createTask, getTask } from '../nodes/shared/transport';

/**
 * Bench only: stands for the pattern existing community upscale nodes use today.
 * One item after another: create the task, then sleep a fixed interval (5 s) and read it, until it
 * ends; then download the result into a binary field. Same transport as the real node, so the
 * only difference measured is the pattern (sequential, fixed interval), not the HTTP code.
 */
export class SequentialBaseline implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sequential Baseline (bench)',
		name: 'sequentialBaseline',
		group: ['transform'],
		version: 1,
		description: 'One item at a time, fixed-interval polling: the pattern of existing upscale nodes',
		defaults: { name: 'Sequential Baseline' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'apiInOneApi', required: true }],
		properties: [
			{ displayName: 'Image URL', name: 'imageUrl', type: 'string', default: '' },
			{ displayName: 'Poll Interval (ms)', name: 'pollIntervalMs', type: 'number', default: 5000 },
			{ displayName: 'Wait Limit (ms)', name: 'waitLimitMs', type: 'number', default: 300_000 },
			{ displayName: 'Download Result', name: 'downloadResult', type: 'boolean', default: true },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const image = this.getNodeParameter('imageUrl', itemIndex) as string;
			const interval = this.getNodeParameter('pollIntervalMs', itemIndex) as number;
			const limit = this.getNodeParameter('waitLimitMs', itemIndex) as number;
			const download = this.getNodeParameter('downloadResult', itemIndex) as boolean;
			try {
				let task = await createTask(this, '/api/v1/images/tools/upscale', { model: 'image-upscale', image }, { itemIndex });
				const started = Date.now();
				while (task.state === 'running') {
					if (Date.now() - started > limit) throw new NodeOperationError(this.getNode(), 'Timed out', { itemIndex });
					await sleep(interval);
					task = await getTask(this, task.taskId!, { itemIndex });
				}
				if (task.state === 'failed') throw new NodeOperationError(this.getNode(), `The task failed: ${task.error}`, { itemIndex });
				const item: INodeExecutionData = {
					json: { taskId: task.taskId ?? null, state: task.state, imageUrl: task.imageUrl ?? null } as IDataObject,
					pairedItem: { item: itemIndex },
				};
				if (download && task.imageUrl) {
					// What typical nodes do: fetch the whole file into a buffer, then hand it to n8n.
					const body = (await this.helpers.httpRequest({ url: task.imageUrl, encoding: 'arraybuffer' })) as ArrayBuffer | Buffer;
					const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body);
					item.binary = { data: await this.helpers.prepareBinaryData(buffer, `${task.taskId}.png`, 'image/png') };
				}
				out.push(item);
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: itemIndex } });
					continue;
				}
				throw error;
			}
		}
		return [out];
	}
}
