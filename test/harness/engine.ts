import { Container } from '@n8n/di';
import { BinaryDataConfig, BinaryDataService, ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
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
	type IWorkflowExecuteAdditionalData,
	type ExecutionError,
} from 'n8n-workflow';

import { ApiInOneApi } from '../../credentials/ApiInOneApi.credentials';
import { ItemsSource } from './ItemsSource.node';

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

const nodeTypeRegistry: INodeTypes = {
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
	typeVersion?: number;
}

export interface RunOptions {
	node: NodeUnderTest;
	items?: INodeExecutionData[];
	credentials?: Record<string, ICredentialDataDecryptedObject>;
}

export interface RunResult {
	items: INodeExecutionData[];
	error?: ExecutionError;
	run: IRun;
	status: IRun['status'];
}

export interface Running {
	result: Promise<RunResult>;
	cancel(): void;
}

/** Starts `items -> node under test` in the engine; `cancel()` cancels it the way n8n's stop button does. */
export function startNode({ node, items = [{ json: {} }], credentials = {} }: RunOptions): Running {
	const name = node.name ?? 'Node Under Test';
	const nodes: INode[] = [
		{ id: 'source', name: 'Source', type: 'test.itemsSource', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'under-test',
			name,
			type: node.type,
			typeVersion: node.typeVersion ?? 1,
			position: [200, 0],
			parameters: node.parameters,
			credentials: { apiInOneApi: { id: '1', name: 'API in One' } },
			...(node.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		},
	];
	const workflow = new Workflow({
		id: 'engine-test',
		nodes,
		connections: { Source: { main: [[{ node: name, type: 'main', index: 0 }]] } },
		nodeTypes: nodeTypeRegistry,
		active: false,
		staticData: {},
	});

	const hooks = new ExecutionLifecycleHooks('manual', 'engine-test-execution', workflow as never);
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
		const run = await finished;
		const taskData = run.data.resultData.runData[name]?.[0];
		return {
			items: taskData?.data?.main?.[0] ?? [],
			error: taskData?.error ?? run.data.resultData.error,
			run,
			status: run.status,
		};
	})();
	return { result, cancel: () => execution.cancel() };
}

export const runNode = (options: RunOptions): Promise<RunResult> => startNode(options).result;

export const itemsOf = (jsons: IDataObject[]): INodeExecutionData[] => jsons.map((json) => ({ json }));
