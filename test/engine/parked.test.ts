import { WaitingN8n } from '../harness/parked';
import { credentialsFor, jsonOf, UPSCALE, useStandIn } from '../helpers';

/** Image -> Upscale, While Waiting: Park the Execution, run the way n8n 2.41.1 runs a parked execution. */

const box = useStandIn({ processingMs: 150 });
let n8n: WaitingN8n;
beforeAll(async () => (n8n = await WaitingN8n.start()));
afterAll(async () => n8n.close());

const parkedBatch = (count: number, options: Record<string, unknown> = {}) =>
	n8n.run({
		node: {
			type: UPSCALE,
			parameters: { resource: 'image', operation: 'upscale', imageUrl: '={{ $json.url }}', waitForResult: true, waitMode: 'park', options: { checkEverySeconds: 5, waitLimitSeconds: 10, ...options } },
		},
		items: Array.from({ length: count }, (_, i) => ({ json: { url: box.standIn.imageUrl({ width: 16, height: 12, name: `img-${i}` }) } })),
		credentials: credentialsFor(box.standIn),
	});

describe('Image -> Upscale, Park the Execution', () => {
	it('parks after the creates, resumes on the callbacks, and outputs one item per image', async () => {
		const execution = parkedBatch(4);
		await execution.until('waiting');
		const parked = execution.saved().executionData!.contextData['node:Node Under Test'] as { apiinoneParked: { tasks: string[] } };
		expect(parked.apiinoneParked.tasks).toHaveLength(4);
		expect(execution.saved().waitTill).toBe('3000-01-01T00:00:00.000Z');

		const result = await execution.result;
		expect(result.status).toBe('success');
		expect(jsonOf(result.items).map((j) => [j.taskId, j.state])).toEqual(parked.apiinoneParked.tasks.map((id) => [id, 'succeeded']));
		expect(result.items.map((i) => i.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		expect(result.after).toEqual(result.items);
		expect(box.standIn.log.count('create')).toBe(4);
		expect(result.segments).toHaveLength(2);
		expect(result.webhookCalls.filter((c) => c.resumed)).toHaveLength(1);
	});

	it('with Checks Only, the checks from the parking process end the batch', async () => {
		const execution = parkedBatch(3, { resumeOn: 'checks' });
		const result = await execution.result;
		expect(result.status).toBe('success');
		expect(jsonOf(result.items).map((j) => j.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
		expect(box.standIn.log.count('create')).toBe(3);
		expect(box.standIn.log.callbacks.filter((c) => c.url.includes(`/webhook-waiting/${execution.id}/`))).toHaveLength(0);
		expect(result.webhookCalls.filter((c) => c.ran).length).toBeGreaterThanOrEqual(1);
	});
});
