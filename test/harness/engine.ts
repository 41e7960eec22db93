/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { Container } from '@n8n/di';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BinaryDataConfig, BinaryDataService, ExecutionLifecycleHooks, WebhookContext, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
	NodeConnectionTypes,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IRunExecutionData,
	type IWebhookData,
	type IWebhookResponseData,
	type IWorkflowExecuteAdditionalData,
	type ExecutionError,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { ApiInOneApi } from '../../credentials/ApiInOneApi.credentials';
import { ItemsSource } from './ItemsSource.node';
import { ToolCaller } from './ToolCaller.node';

/**
 * Runs workflows through n8n-core's real WorkflowExecute with this package's own node and
 * credential classes. Only what the engine cannot reach (the database-backed services of the
 * n8n server) is stood in for here.
 */

export const credentialTypes: Record<string, ICredentialType> = { apiInOneApi: new ApiInOneApi() };

const nodeTypes: Record<string, INodeType> = {};

export function registerNode(type: string, node: INodeType) {
	nodeTypes[type] = node;
}
registerNode('test.itemsSource', new ItemsSource());
registerNode('test.toolCaller', new ToolCaller());

/**
 * The "<name>Tool" variant n8n makes of a node that is usableAsTool (in n8n itself the CLI's node
 * loader does this): the same node, with a tool output instead of the main connections.
 */
export function registerToolVariant(type: string): string {
	const node = lookup(type);
	const toolType = `${type}Tool`;
	const description = { ...node.description, name: `${node.description.name}Tool`, displayName: `${node.description.displayName} Tool`, inputs: [], outputs: [NodeConnectionTypes.AiTool] };
	registerNode(toolType, Object.assign(Object.create(Object.getPrototypeOf(node)), node, { description }));
	return toolType;
}

export const nodeTypeRegistry: INodeTypes = {
	getByName: (type) => lookup(type),
	getByNameAndVersion: (type) => lookup(type),
	getKnownTypes: () => ({}),
};

function lookup(type: string): INodeType {
	const node = nodeTypes[type];
	if (!node) throw new Error(`Unknown node type in the test harness: ${type}`);
	return node;
}

/** Applies a credential's generic authenticate block the way n8n's CredentialsHelper does. */
class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes() {
		return [];
	}

	getCredentialsProperties(type: string) {
		return credentialTypes[type]?.properties ?? [];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = credentialTypes[typeName];
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (authenticate?.type !== 'generic') return requestOptions;
		const resolve = (value: unknown) =>
			typeof value === 'string' && value.startsWith('=')
				? workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '')
				: value;
		requestOptions.headers ??= {};
		for (const [outerKey, entries] of Object.entries(authenticate.properties)) {
			const target = ((requestOptions as unknown as Record<string, IDataObject>)[outerKey] ??= {});
			for (const [key, value] of Object.entries(entries as IDataObject)) {
				target[String(resolve(key))] = resolve(value) as string;
			}
		}
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getDecrypted(_additionalData: IWorkflowExecuteAdditionalData, _details: unknown, type: string) {
		const { properties } = credentialTypes[type];
		const defaults = Object.fromEntries(properties.map((p) => [p.name, p.default]));
		return { ...defaults, ...(this.data[type] ?? {}) } as ICredentialDataDecryptedObject;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used by the engine harness');
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	isCredentialUsableByNode() {
		return true;
	}
}

let binaryReady: Promise<void> | undefined;

/** Binary data as a running n8n stores it: in the item (default) or in files under the user folder. */
export function initBinaryData(mode: 'default' | 'filesystem' = 'filesystem'): Promise<void> {
	binaryReady ??= (async () => {
		const config = Container.get(BinaryDataConfig);
		config.mode = mode as never;
		await Container.get(BinaryDataService).init();
	})();
	return binaryReady;
}

export interface NodeUnderTest {
	type: string;
	parameters: INodeParameters;
	name?: string;
	continueOnFail?: boolean;
	/** Failed items go to a second, error output ("Continue (using error output)"). */
	errorOutput?: boolean;
	typeVersion?: number;
}

export interface RunOptions {
	node: NodeUnderTest;
	items?: INodeExecutionData[];
	credentials?: Record<string, ICredentialDataDecryptedObject>;
}

export interface RunResult {
	items: INodeExecutionData[];
	/** The error output's items, when the node has one. */
	errorItems: INodeExecutionData[];
	error?: ExecutionError;
	run: IRun;
	status: IRun['status'];
}

export interface Running {
	result: Promise<RunResult>;
	cancel(): void;
}

/** The additional data (with lifecycle hooks and test credentials) for one execution, and its end. */
export function executionSetup(
	workflow: Workflow,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	mode: WorkflowExecuteMode,
) {
	const hooks = new ExecutionLifecycleHooks(mode, 'engine-test-execution', workflow as never);
	let resolveRun: (run: IRun) => void = () => {};
	const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => resolveRun(run));

	const additionalData = {
		hooks,
		credentialsHelper: new TestCredentialsHelper(credentials),
		executionId: 'engine-test-execution',
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		variables: {},
		currentNodeParameters: undefined,
		executionTimeoutTimestamp: undefined,
		userId: 'engine-test-user',
		setExecutionStatus: () => {},
		sendDataToUI: () => {},
	} as unknown as IWorkflowExecuteAdditionalData;
	return { additionalData, finished };
}

/** What the node `name` gave in a finished execution. */
function resultOf(run: IRun, name: string): RunResult {
	const taskData = run.data.resultData.runData[name]?.[0];
	return {
		items: taskData?.data?.main?.[0] ?? [],
		errorItems: taskData?.data?.main?.[1] ?? [],
		error: taskData?.error ?? run.data.resultData.error,
		run,
		status: run.status,
	};
}

/** Starts `items -> node under test` in the engine; `cancel()` cancels it the way n8n's stop button does. */
/** The node under test as a workflow node, after the items source, with the test credential. */
export function underTest(node: NodeUnderTest, id = 'under-test'): INode {
	return {
		id,
		name: node.name ?? 'Node Under Test',
		type: node.type,
		typeVersion: node.typeVersion ?? 1,
		position: [200, 0],
		parameters: node.parameters,
		credentials: { apiInOneApi: { id: '1', name: 'API in One' } },
		...(node.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		...(node.errorOutput ? { onError: 'continueErrorOutput' as const } : {}),
	};
}

export function startNode({ node, items = [{ json: {} }], credentials = {} }: RunOptions): Running {
	const name = node.name ?? 'Node Under Test';
	const nodes: INode[] = [{ id: 'source', name: 'Source', type: 'test.itemsSource', typeVersion: 1, position: [0, 0], parameters: {} }, underTest(node)];
	const workflow = new Workflow({
		id: 'engine-test',
		nodes,
		connections: { Source: { main: [[{ node: name, type: 'main', index: 0 }]] } },
		nodeTypes: nodeTypeRegistry,
		active: false,
		staticData: {},
	});

	const { additionalData, finished } = executionSetup(workflow, credentials, 'manual');

	const runData: IRunExecutionData = {
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			nodeExecutionStack: [{ node: nodes[0], data: { main: [items] }, source: null }],
			waitingExecution: {},
			waitingExecutionSource: {},
		},
	} as unknown as IRunExecutionData;

	const engine = new WorkflowExecute(additionalData, 'manual', runData);
	const execution = engine.processRunExecutionData(workflow);
	const result = (async () => {
		await execution.catch(() => undefined);
		return resultOf(await finished, name);
	})();
	return { result, cancel: () => execution.cancel() };
}

export const runNode = (options: RunOptions): Promise<RunResult> => startNode(options).result;

/**
 * Runs the node as an AI agent's tool, through n8n-core's own tool path (getInputConnectionData ->
 * createNodeAsTool -> the node's execute with a tool context): a stand-in agent calls it once with
 * `toolArgs` and outputs the tool's answer as the agent receives it.
 */
export async function runAsTool(options: { node: NodeUnderTest; toolArgs: IDataObject; credentials?: Record<string, ICredentialDataDecryptedObject> }): Promise<RunResult> {
	const toolName = options.node.name ?? 'Upscale Tool';
	const nodes: INode[] = [
		{ id: 'source', name: 'Source', type: 'test.itemsSource', typeVersion: 1, position: [0, 0], parameters: {} },
		{ id: 'agent', name: 'Agent', type: 'test.toolCaller', typeVersion: 1, position: [200, 0], parameters: {} },
		{
			id: 'tool',
			name: toolName,
			type: registerToolVariant(options.node.type),
			typeVersion: 1,
			position: [200, 200],
			parameters: options.node.parameters,
			credentials: { apiInOneApi: { id: '1', name: 'API in One' } },
		},
	];
	const workflow = new Workflow({
		id: 'engine-test-tool',
		nodes,
		connections: {
			Source: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
			[toolName]: { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
		},
		nodeTypes: nodeTypeRegistry,
		active: false,
		staticData: {},
	});
	const { additionalData, finished } = executionSetup(workflow, options.credentials ?? {}, 'manual');
	const runData = {
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			nodeExecutionStack: [{ node: nodes[0], data: { main: [[{ json: { toolArgs: options.toolArgs } }]] }, source: null }],
			waitingExecution: {},
			waitingExecutionSource: {},
		},
	} as unknown as IRunExecutionData;
	await new WorkflowExecute(additionalData, 'manual', runData).processRunExecutionData(workflow).catch(() => undefined);
	return resultOf(await finished, 'Agent');
}

export const itemsOf = (jsons: IDataObject[]): INodeExecutionData[] => jsons.map((json) => ({ json }));

export interface WebhookCall {
	node: NodeUnderTest;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/**
	 * The workflow's static data as n8n stores it: pass the same object to every call. Like n8n, each
	 * call works on a copy of it, saved back only after the node's webhook() has returned.
	 */
	staticData: IDataObject;
	/** Calls with one workflow id are one workflow (default 'engine-test'). */
	workflowId?: string;
	/** 'webhook' for the production URL, 'manual' for "listen for test event". */
	mode?: 'webhook' | 'manual';
	/** Runs after webhook() has returned and before the static data is saved (n8n does more work there). */
	beforeSave?: () => Promise<void>;
	/**
	 * Runs after the static data was serialized for saving and before it is stored: concurrent
	 * saves may commit in another order than they were made (as database writes do).
	 */
	beforeCommit?: () => Promise<void>;
	request: IncomingMessage;
	response: ServerResponse;
}

export interface WebhookOutcome {
	/** What the node's webhook() returned. */
	returned: IWebhookResponseData;
	/** The execution the call started, or undefined when it started none. */
	started?: RunResult;
}

/**
 * Calls a trigger's webhook() through n8n-core's WebhookContext with a real request and response,
 * then does what n8n's webhook handler does with the result: answers when the node did not, and
 * starts an execution with the node's output as the trigger's data.
 */
export async function runWebhook(call: WebhookCall): Promise<WebhookOutcome> {
	const name = call.node.name ?? 'Trigger Under Test';
	const mode = call.mode ?? 'webhook';
	const trigger: INode = {
		id: 'trigger-under-test',
		name,
		type: call.node.type,
		typeVersion: call.node.typeVersion ?? 1,
		position: [0, 0],
		parameters: call.node.parameters,
		credentials: { apiInOneApi: { id: '1', name: 'API in One' } },
		webhookId: 'trigger-webhook-id',
	};
	const workflow = new Workflow({
		id: call.workflowId ?? 'engine-test',
		nodes: [trigger],
		connections: {},
		nodeTypes: nodeTypeRegistry,
		active: mode === 'webhook',
		staticData: structuredClone(call.staticData),
	});
	const { additionalData, finished } = executionSetup(workflow, call.credentials ?? {}, mode);
	additionalData.httpRequest = call.request as never;
	additionalData.httpResponse = call.response as never;

	const nodeType = lookup(trigger.type);
	const webhookDescription = nodeType.description.webhooks?.[0];
	if (!webhookDescription || !nodeType.webhook) throw new Error(`${trigger.type} has no webhook`);
	const webhookData: IWebhookData = {
		httpMethod: 'POST',
		node: name,
		path: `${trigger.webhookId}/${webhookDescription.path}`,
		webhookDescription,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
		isTest: mode === 'manual',
	};
	const context = new WebhookContext(workflow, workflow.nodes[name], additionalData, mode, webhookData, [], null);
	const returned = await nodeType.webhook.call(context);
	// As n8n's live webhooks do: the static data is read and saved after webhook() returned (for a
	// webhook() that answered itself, before the execution starts), then n8n's own answer, if any.
	await call.beforeSave?.();
	const saved = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
	delete saved.__dataChanged;
	await call.beforeCommit?.();
	for (const key of Object.keys(call.staticData)) delete call.staticData[key];
	Object.assign(call.staticData, saved);

	if (!returned.noWebhookResponse && !call.response.headersSent) {
		const message = returned.workflowData ? { message: 'Workflow was started' } : { message: 'Webhook call received' };
		call.response.writeHead(200, { 'content-type': 'application/json' });
		call.response.end(JSON.stringify(returned.webhookResponse ?? message));
	}
	if (!returned.workflowData) return { returned };

	const runData = {
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			nodeExecutionStack: [{ node: workflow.nodes[name], data: { main: returned.workflowData }, source: null }],
			waitingExecution: {},
			waitingExecutionSource: {},
		},
	} as unknown as IRunExecutionData;
	await new WorkflowExecute(additionalData, mode, runData).processRunExecutionData(workflow).catch(() => undefined);
	return { returned, started: resultOf(await finished, name) };
}
