/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- dev tooling, never published: n8n's rules for community node code do not apply */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

import { WebhookContext, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	resolveWebhookDescriptionField,
	Workflow,
	type ExecutionStatus,
	type ICredentialDataDecryptedObject,
	type INode,
	type INodeExecutionData,
	type IRun,
	type IRunExecutionData,
	type IWebhookData,
	type IWebhookResponseData,
	type IWorkflowBase,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { executionSetup, nodeTypeRegistry, underTest, type NodeUnderTest } from './engine';

/**
 * An in-process n8n 2.41.1 for executions that park (putExecutionToWait): each run segment goes
 * through n8n-core's WorkflowExecute; between segments the execution lives only as JSON (as in
 * n8n's database), and 127.0.0.1 serves `/webhook-waiting/<id>/<suffix>?signature=<token>` the way
 * n8n's WaitingWebhooks and webhook-helpers' executeWebhook do (n8n/dist/webhooks/*.js): token
 * check (401), 409 while running or after the end, 404 for a path no restart webhook of the
 * waiting node has, the node's webhook() through n8n-core's WebhookContext over the saved data,
 * and on `workflowData` the resume: the node disabled, its pre-park run popped, the returned
 * items as its output. What is left out: pin data, forms, send-and-wait signatures, queue mode.
 */

export interface Segment {
	startMs: number;
	endMs: number;
}

export interface WebhookCall {
	at: number;
	ms: number;
	status: number;
	/** webhook() ran (the request passed the checks). */
	ran: boolean;
	resumed: boolean;
}

export interface ParkedResult {
	/** The node under test's output (after a resume: what webhook() returned). */
	items: INodeExecutionData[];
	/** What the node after it received: the resumed execution ran on. */
	after: INodeExecutionData[];
	error?: IRun['data']['resultData']['error'];
	run: IRun;
	status: ExecutionStatus;
	/** WorkflowExecute's segments: the worker-busy time (start to park, resume to end). */
	segments: Segment[];
	webhookCalls: WebhookCall[];
}

interface Stored {
	id: string;
	mode: WorkflowExecuteMode;
	workflowData: IWorkflowBase;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	status: ExecutionStatus;
	finished: boolean;
	/** IRunExecutionData as JSON, as the database holds it. */
	data: string;
	segments: Segment[];
	webhookCalls: WebhookCall[];
	lastRun?: IRun;
	changed: Array<() => void>;
}

export interface ParkedRunOptions {
	node: NodeUnderTest;
	items?: INodeExecutionData[];
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** 'webhook' (default, a production execution) or 'manual'. */
	mode?: WorkflowExecuteMode;
}

export interface ParkedExecution {
	id: string;
	status(): ExecutionStatus;
	/** `$execution.resumeUrl` of this execution, with its token. */
	resumeUrl: string;
	/** The resume URL with a node id in its path (default: the node under test's), as the node sends it as callback_url. */
	nodeUrl(nodeId?: string): string;
	/** The execution data as saved now (a fresh copy). */
	saved(): IRunExecutionData;
	/** Resolves once the status is one of `statuses` (e.g. 'waiting'). */
	until(...statuses: ExecutionStatus[]): Promise<void>;
	result: Promise<ParkedResult>;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
	if (res.headersSent) return;
	res.writeHead(status, { 'content-type': 'application/json' });
	res.end(body === undefined ? '' : JSON.stringify(body));
};

/** The few Express Response methods nodes use on getResponseObject() (n8n hands them Express's). */
function expressLike(res: ServerResponse) {
	const r = res as ServerResponse & Record<string, unknown>;
	r.status = (code: number) => ((res.statusCode = code), r);
	r.set = r.header = (name: string, value: string) => (res.setHeader(name, value), r);
	r.json = (body: unknown) => (res.headersSent || res.setHeader('content-type', 'application/json; charset=utf-8'), res.end(JSON.stringify(body)), r);
	r.send = (body: unknown) => (typeof body === 'object' && !Buffer.isBuffer(body) ? (r.json as (b: unknown) => unknown)(body) : res.end(body), r);
	return res;
}

class HttpError extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
	}
}

async function readBody(req: IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const raw = Buffer.concat(chunks).toString('utf8');
	if (!raw || !String(req.headers['content-type'] ?? '').includes('json')) return raw ? raw : {};
	try {
		return JSON.parse(raw) as unknown;
	} catch {
		throw new HttpError(422, 'Failed to parse request body');
	}
}

export class WaitingN8n {
	private readonly executions = new Map<string, Stored>();
	private nextId = 1;
	url = '';

	private constructor(private readonly server: Server) {}

	static async start(): Promise<WaitingN8n> {
		const holder: { n8n?: WaitingN8n } = {};
		const server = createServer((req, res) => void holder.n8n!.handle(req, res));
		const n8n = (holder.n8n = new WaitingN8n(server));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		n8n.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		return n8n;
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	/** Starts `Source -> node under test -> After` as a production execution. */
	run({ node, items = [{ json: {} }], credentials = {}, mode = 'webhook' }: ParkedRunOptions): ParkedExecution {
		const name = node.name ?? 'Node Under Test';
		const nodes: INode[] = [
			{ id: 'source', name: 'Source', type: 'test.itemsSource', typeVersion: 1, position: [0, 0], parameters: {} },
			underTest(node, node.name ? `id-${node.name.replace(/\W/g, '')}` : 'under-test'),
			{ id: 'after', name: 'After', type: 'test.itemsSource', typeVersion: 1, position: [400, 0], parameters: {} },
		];
		const id = String(this.nextId++);
		const workflowData = {
			id: `parked-${id}`,
			name: 'parked',
			active: true,
			nodes,
			connections: { Source: { main: [[{ node: name, type: 'main', index: 0 }]] }, [name]: { main: [[{ node: 'After', type: 'main', index: 0 }]] } },
			staticData: {},
			settings: {},
		} as unknown as IWorkflowBase;
		const data = createRunExecutionData({ executionData: { nodeExecutionStack: [{ node: nodes[0], data: { main: [items] }, source: null }] } });
		const stored: Stored = { id, mode, workflowData, credentials, status: 'running', finished: false, data: JSON.stringify(data), segments: [], webhookCalls: [], changed: [] };
		this.executions.set(id, stored);
		const until = (...statuses: ExecutionStatus[]) =>
			new Promise<void>((resolve) => {
				const check = () => {
					if (statuses.includes(stored.status)) resolve();
					else stored.changed.push(check);
				};
				check();
			});
		const ended = () => until('success', 'error', 'canceled', 'crashed');
		void this.segment(stored, data);
		return {
			id,
			status: () => stored.status,
			resumeUrl: `${this.url}/webhook-waiting/${id}?signature=${data.resumeToken}`,
			nodeUrl: (nodeId = nodes[1].id) => `${this.url}/webhook-waiting/${id}/${encodeURIComponent(nodeId)}?signature=${data.resumeToken}`,
			saved: () => JSON.parse(stored.data) as IRunExecutionData,
			until,
			result: ended().then(() => this.resultOf(stored, name)),
		};
	}

	private resultOf(stored: Stored, name: string): ParkedResult {
		const run = stored.lastRun!;
		const runData = run.data.resultData.runData;
		return {
			items: runData[name]?.[0]?.data?.main?.[0] ?? [],
			after: runData.After?.[0]?.data?.main?.[0] ?? [],
			error: run.data.resultData.error ?? runData[name]?.[0]?.error,
			run,
			status: stored.status,
			segments: stored.segments,
			webhookCalls: stored.webhookCalls,
		};
	}

	private workflowOf(stored: Stored): Workflow {
		const w = JSON.parse(JSON.stringify(stored.workflowData)) as IWorkflowBase;
		return new Workflow({ id: w.id, name: w.name, nodes: w.nodes, connections: w.connections, active: true, nodeTypes: nodeTypeRegistry, staticData: w.staticData, settings: w.settings });
	}

	private additionalData(stored: Stored, workflow: Workflow) {
		const setup = executionSetup(workflow, stored.credentials, stored.mode);
		Object.assign(setup.additionalData, { executionId: stored.id, webhookWaitingBaseUrl: `${this.url}/webhook-waiting`, webhookBaseUrl: `${this.url}/webhook` });
		return setup;
	}

	/** One run segment on "a worker": from the start or a resume to the park or the end; then saved. */
	private async segment(stored: Stored, data: IRunExecutionData): Promise<void> {
		const workflow = this.workflowOf(stored);
		const { additionalData, finished } = this.additionalData(stored, workflow);
		const startMs = performance.now();
		await new WorkflowExecute(additionalData, stored.mode, data).processRunExecutionData(workflow).catch(() => undefined);
		const run = await finished;
		stored.segments.push({ startMs, endMs: performance.now() });
		stored.data = JSON.stringify(run.data);
		stored.lastRun = run;
		stored.finished = run.finished === true;
		this.setStatus(stored, run.status);
	}

	private setStatus(stored: Stored, status: ExecutionStatus) {
		stored.status = status;
		for (const changed of stored.changed.splice(0)) changed();
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const startMs = performance.now();
		const call: WebhookCall = { at: startMs, ms: 0, status: 0, ran: false, resumed: false };
		let stored: Stored | undefined;
		try {
			const url = new URL(req.url ?? '/', this.url);
			const route = /^\/webhook-waiting\/([^/]+)(?:\/([^/]+))?\/?$/.exec(url.pathname);
			if (!route) throw new HttpError(404, 'The requested webhook is not registered.');
			stored = this.executions.get(route[1]);
			await this.executeWebhook(stored, route[1], route[2], url, req, res, call);
		} catch (error) {
			const status = error instanceof HttpError ? error.status : 500;
			json(res, status, status === 401 ? { error: 'Invalid token' } : { code: status, message: (error as Error).message });
		} finally {
			call.ms = performance.now() - startMs;
			call.status = res.statusCode;
			stored?.webhookCalls.push(call);
		}
	}

	private async executeWebhook(stored: Stored | undefined, id: string, suffix: string | undefined, url: URL, req: IncomingMessage, res: ServerResponse, call: WebhookCall) {
		const data = stored ? (JSON.parse(stored.data) as IRunExecutionData) : undefined;
		if (data?.resumeToken) {
			let token = url.searchParams.get('signature') ?? '';
			const slash = token.indexOf('/');
			const webhookPath = slash >= 0 ? token.slice(slash + 1) : undefined;
			if (slash >= 0) token = token.slice(0, slash);
			if (token.length !== data.resumeToken.length || !timingSafeEqual(Buffer.from(token), Buffer.from(data.resumeToken))) throw new HttpError(401, 'Invalid token');
			if (!suffix && webhookPath) suffix = webhookPath;
		}
		if (!stored || !data) throw new HttpError(404, `The execution "${id}" does not exist.`);
		if (stored.status === 'running') throw new HttpError(409, `The execution "${id}" is running already.`);
		if (data.resultData.error) throw new HttpError(409, `The execution "${id}" has finished with error.`);
		if (stored.finished) throw new HttpError(409, `The execution "${id} has finished already.`);

		// WaitingWebhooks.getWebhookExecutionData: disable the node, pop its pre-park run.
		const last = data.resultData.lastNodeExecuted!;
		data.executionData!.nodeExecutionStack[0].node.disabled = true;
		data.waitTill = undefined;
		const runs = data.resultData.runData[last];
		const popped = runs.pop();
		if (popped?.inputOverride) runs.push({ startTime: 0, executionTime: 0, executionIndex: 0, source: popped.source, inputOverride: popped.inputOverride });
		const workflow = this.workflowOf(stored);
		const node = workflow.getNode(last);
		if (!node) throw new HttpError(404, 'Could not find node to process webhook.');
		const nodeType = nodeTypeRegistry.getByNameAndVersion(node.type, node.typeVersion);
		const field = (description: object, key: string, fallback: unknown) => {
			const native = resolveWebhookDescriptionField(node, description as never, key as never);
			if (native.resolved) return native.value;
			return workflow.expression.getSimpleParameterValue(node, (description as Record<string, never>)[key], 'internal', {}, undefined, fallback as never);
		};
		const webhookDescription = (node.disabled ? [] : (nodeType.description.webhooks ?? [])).find(
			(d) =>
				field(d, 'restartWebhook', false) === true &&
				String(field(d, 'httpMethod', 'GET')).split(',').includes(req.method ?? '') &&
				String(field(d, 'path', '') ?? '').trim().replace(/^\/|\/$/g, '') === (suffix ?? ''),
		);
		if (!webhookDescription || !nodeType.webhook) throw new HttpError(404, `The workflow for execution "${id}" does not contain a waiting webhook with a matching path/method.`);

		// webhook-helpers.executeWebhook: parse the body, run webhook(), answer or resume.
		(req as unknown as { body: unknown }).body = await readBody(req);
		(req as unknown as { query: unknown }).query = Object.fromEntries(url.searchParams);
		const { additionalData } = this.additionalData(stored, workflow);
		Object.assign(additionalData, { httpRequest: req, httpResponse: expressLike(res) });
		const webhookData: IWebhookData = { httpMethod: req.method as never, node: last, path: suffix ?? '', webhookDescription, workflowId: workflow.id, workflowExecuteAdditionalData: additionalData };
		const context = new WebhookContext(workflow, node, additionalData, stored.mode, webhookData, [], data);
		call.ran = true;
		let returned: IWebhookResponseData;
		let didSend = false;
		try {
			returned = await nodeType.webhook.call(context);
		} catch (error) {
			// n8n answers 500 and still resumes, with the error as the execution's result data.
			json(res, 500, { code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' });
			didSend = true;
			Object.assign(data, { resultData: { runData: {}, lastNodeExecuted: last, error: { message: (error as Error).message, stack: (error as Error).stack } } });
			returned = { noWebhookResponse: true, workflowData: [[{ json: {} }]] };
		}
		if (returned.noWebhookResponse) didSend = true;
		if (returned.workflowData === undefined) {
			if (!didSend) json(res, 200, returned.webhookResponse ?? { message: 'Webhook call received' });
			return;
		}
		// WorkflowRunner.run(..., { expectedStatus: 'waiting' }): exactly one resume wins.
		if (stored.status !== 'waiting') throw new Error(`Execution ${id} is already being resumed by another process`);
		const entry = data.executionData!.nodeExecutionStack[0];
		entry.data.main = returned.workflowData;
		entry.metadata = { ...entry.metadata, forwardAllOutputs: true };
		this.setStatus(stored, 'running');
		call.resumed = true;
		void this.segment(stored, data);
		if (!didSend) {
			const responseData = webhookDescription.responseData;
			if (responseData === 'noData') json(res, 200, undefined);
			else json(res, 200, responseData || (returned.webhookResponse ?? { message: 'Workflow was started' }));
		}
	}
}
