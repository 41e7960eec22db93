/* eslint-disable @n8n/community-nodes/no-restricted-globals -- dev tooling, never published: n8n's rules for community node code do not apply */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { registerNode } from '../harness/engine';
import { WaitingN8n, type ParkedExecution } from '../harness/parked';

/**
 * The parked-execution harness itself, with a small node that parks as issue 20's design says
 * (restart webhook on `$nodeId`, ids in the node context, WAIT_INDEFINITELY) and resumes on `{done}`.
 */

let executes = 0;
const selfPosts: number[] = [];

class Parker implements INodeType {
	description = {
		displayName: 'Parker',
		name: 'parker',
		group: ['transform'],
		version: 1,
		description: 'Parks its execution',
		defaults: { name: 'Parker' },
		inputs: ['main'],
		outputs: ['main'],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: '={{$nodeId}}', restartWebhook: true, isFullPath: true }],
		properties: [{ displayName: 'Self Post', name: 'selfPost', type: 'boolean', default: false }],
	} as unknown as INodeTypeDescription;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		executes++;
		const resumeUrl = this.evaluateExpression('{{ $execution.resumeUrl }}', 0) as string;
		const url = new URL(resumeUrl);
		url.pathname += `/${this.getNode().id}`;
		if (this.getNodeParameter('selfPost', 0)) selfPosts.push((await fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status);
		const items = this.getInputData();
		this.getContext('node').parked = { ids: items.map((_, i) => `t${i}`), url: url.toString() };
		await this.putExecutionToWait(new Date('3000-01-01'));
		return [items.map((_, i) => ({ json: { parked: true, taskId: `t${i}` }, pairedItem: { item: i } }))];
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const record = this.evaluateExpression(`{{ $node["${this.getNode().name}"].context["parked"] }}`) as { ids: string[] };
		const body = this.getBodyData() as IDataObject;
		this.getResponseObject().status(200).json({ received: true, known: record.ids.length });
		if (body.slow) await new Promise((resolve) => setTimeout(resolve, 300));
		if (!body.done) return { noWebhookResponse: true };
		return { noWebhookResponse: true, workflowData: [record.ids.map((taskId, item) => ({ json: { taskId, state: 'succeeded' }, pairedItem: { item } }))] };
	}
}
registerNode('test.parker', new Parker());

let n8n: WaitingN8n;
beforeAll(async () => (n8n = await WaitingN8n.start()));
afterAll(async () => n8n.close());

const post = async (url: string, body: unknown) => {
	const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
	return { status: res.status, body: await res.text() };
};
const nodeUrl = (execution: ParkedExecution, nodeId?: string) => execution.nodeUrl(nodeId);
const park = (parameters = {}) => n8n.run({ node: { type: 'test.parker', parameters }, items: [{ json: { n: 1 } }, { json: { n: 2 } }] });

describe('the parked-execution harness (n8n 2.41.1 in process)', () => {
	it('parks, checks token and path, acknowledges, resumes once with the returned items', async () => {
		executes = 0;
		const execution = park();
		await execution.until('waiting');
		const saved = execution.saved();
		expect(saved.waitTill).toBe('3000-01-01T00:00:00.000Z');
		expect(saved.executionData!.contextData['node:Node Under Test']).toMatchObject({ parked: { ids: ['t0', 't1'] } });
		expect(saved.resultData.runData['Node Under Test'][0].data!.main[0]![0].json).toEqual({ parked: true, taskId: 't0' });

		expect((await post(execution.resumeUrl.replace(/signature=\w{4}/, 'signature=0000'), {})).status).toBe(401);
		expect((await post(execution.resumeUrl, {})).status).toBe(404);
		expect((await post(nodeUrl(execution, 'someone-else'), {})).status).toBe(404);
		expect(await post(nodeUrl(execution), { tag: 'ack' })).toEqual({ status: 200, body: '{"received":true,"known":2}' });
		expect(execution.status()).toBe('waiting');

		expect((await post(nodeUrl(execution), { done: true })).status).toBe(200);
		const result = await execution.result;
		expect(result.status).toBe('success');
		expect(result.items.map((i) => i.json)).toEqual([
			{ taskId: 't0', state: 'succeeded' },
			{ taskId: 't1', state: 'succeeded' },
		]);
		expect(result.after).toEqual(result.items);
		expect(result.run.data.resultData.runData['Node Under Test']).toHaveLength(1);
		expect(executes).toBe(1);
		expect(result.segments).toHaveLength(2);
		expect((await post(nodeUrl(execution), { done: true })).status).toBe(409);
	});

	it('answers 409 to a callback while the execution still runs', async () => {
		selfPosts.length = 0;
		const execution = park({ selfPost: true });
		await execution.until('waiting');
		expect(selfPosts).toEqual([409]);
		await post(nodeUrl(execution), { done: true });
		expect((await execution.result).status).toBe('success');
	});

	it('resumes once when two final callbacks race', async () => {
		const execution = park();
		await execution.until('waiting');
		const answers = await Promise.all([post(nodeUrl(execution), { done: true, slow: true }), post(nodeUrl(execution), { done: true, slow: true })]);
		expect(answers.map((a) => a.status)).toEqual([200, 200]);
		const result = await execution.result;
		expect(result.webhookCalls.filter((c) => c.resumed)).toHaveLength(1);
		expect(result.after).toHaveLength(2);
		expect(result.run.data.resultData.runData.After).toHaveLength(1);
	});
});
