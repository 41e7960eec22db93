/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { IBinaryData, ICredentialDataDecryptedObject, INodeExecutionData } from 'n8n-workflow';

import { ImageUpscale } from '../nodes/ImageUpscale/ImageUpscale.node';
import { initBinaryData, registerNode, type RunResult } from './harness/engine';
import { Probe } from './harness/Probe.node';
import { startStandIn, type StandIn, type StandInOptions } from './stand-in/server';

registerNode('test.probe', new Probe());
registerNode('n8n-nodes-apiinone.imageUpscale', new ImageUpscale());

export const UPSCALE = 'n8n-nodes-apiinone.imageUpscale';

/** One stand-in per test file, closed after it; faults and shapes are reset before each test. */
export function useStandIn(options: StandInOptions = {}) {
	const box: { standIn: StandIn } = {} as never;
	beforeAll(async () => {
		await initBinaryData();
		box.standIn = await startStandIn({ processingMs: 100, ...options });
	});
	beforeEach(() => {
		box.standIn.clearFaults();
		box.standIn.setShape({ envelope: true, statusCase: 'upper', words: 'default', idAt: 'data.task_id', resultAt: 'output.object', errorAt: 'error.string' });
		box.standIn.log.clear();
	});
	afterAll(async () => box.standIn?.close());
	return box;
}

export const credentialsFor = (standIn: StandIn, apiKey = standIn.key): Record<string, ICredentialDataDecryptedObject> => ({
	apiInOneApi: { apiKey, baseUrl: `${standIn.url}/` },
});

/** Everything a run exposes to a user: output items, the error and its every field. */
export function visibleText(result: RunResult): string {
	const error = result.error as unknown as Record<string, unknown> | undefined;
	const errorText = error ? JSON.stringify(error, Object.getOwnPropertyNames(error)) + JSON.stringify(error.cause ?? '') : '';
	return JSON.stringify(result.items) + errorText + String(error?.message ?? '') + String(error?.description ?? '');
}

export const jsonOf = (items: INodeExecutionData[]) => items.map((item) => item.json);

/** The bytes of an output binary, wherever the engine stored them (in the item or on disk). */
export async function binaryBuffer(binary: IBinaryData): Promise<Buffer> {
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

/** Resolves once `condition` holds (checked every 20 ms), or fails after `ms`. */
export async function until(condition: () => boolean, ms = 10_000): Promise<void> {
	const deadline = Date.now() + ms;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
