/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { StandIn } from '../../stand-in/server';
import type { N8n } from '../n8n';
import type { ModelStandIn } from './model';

// The agents suite's workflows: example 05 as users import it (only made reachable over HTTP and
// pointed at the stand-ins), the same agent at the versions n8n 2.41.1's editor adds today, and an
// MCP Server Trigger with the tool left at its defaults.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- workflow JSON, set at any depth
type Node = { id: string; name: string; type: string; typeVersion: number; parameters: Record<string, any>; credentials?: Record<string, unknown>; webhookId?: string; position: number[] };
export interface Workflow {
	id: string;
	name: string;
	active: boolean;
	nodes: Node[];
	connections: Record<string, unknown>;
	settings: { executionOrder: 'v1' };
}

export const API_IN_ONE = { id: 'e2eAgentsApiCred', name: 'API in One account' };
export const OPENAI = { id: 'e2eAgentsOaiCred', name: 'OpenAI stand-in' };
export const TOOL_NAME = 'Image Upscale Tool';
export const MCP_PATH = 'apiinone-e2e';

export interface AgentWorkflow {
	workflow: Workflow;
	/** The Chat Trigger's webhook id: the chat answers at /webhook/<id>/chat. */
	chatId: string;
	label: string;
	/** What this agent version hands the model for a tool's error (verified here, see docs/agents.md). */
	toolError: 'empty' | 'message';
}

function example05(id: string, chatId: string): Workflow {
	const text = readFileSync(resolve(__dirname, '../../../examples/05-ai-agent-tool.json'), 'utf8');
	const workflow = JSON.parse(text) as Workflow;
	for (const node of workflow.nodes) {
		if (node.credentials?.apiInOneApi) node.credentials.apiInOneApi = API_IN_ONE;
		if (node.credentials?.openAiApi) node.credentials.openAiApi = OPENAI;
		// Public, embedded mode: the chat is a plain POST that answers with the agent's reply.
		if (node.type === '@n8n/n8n-nodes-langchain.chatTrigger') Object.assign(node, { webhookId: chatId, parameters: { ...node.parameters, public: true, mode: 'webhook' } });
	}
	return { ...workflow, id, active: false, settings: { executionOrder: 'v1' } };
}

export function agentWorkflows(): AgentWorkflow[] {
	const asExample = example05('e2eAgentExample5', '0b6c2f7e-5a1e-4e05-9a11-e2e000000205');
	const current = example05('e2eAgentCurrent1', '0b6c2f7e-5a1e-4e05-9a11-e2e000000301');
	current.name = 'Agent 3.1 with OpenAI Chat Model 1.3';
	const agent = current.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.agent')!;
	agent.typeVersion = 3.1;
	const model = current.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.lmChatOpenAi')!;
	// 1.3 talks to the Responses API unless told not to: the stand-in speaks Chat Completions.
	Object.assign(model, { typeVersion: 1.3, parameters: { ...model.parameters, responsesApiEnabled: false } });
	return [
		{ workflow: asExample, chatId: asExample.nodes.find((n) => n.webhookId)!.webhookId!, label: 'example 05: AI Agent 2.2, OpenAI Chat Model 1.2', toolError: 'empty' },
		{ workflow: current, chatId: current.nodes.find((n) => n.webhookId)!.webhookId!, label: 'AI Agent 3.1, OpenAI Chat Model 1.3 (Responses API off)', toolError: 'message' },
	];
}

/** MCP Server Trigger with Image Upscale Tool at its defaults (Tool Description, Image URL), a 4 s wait limit. */
export function mcpWorkflow(): Workflow {
	const position = [0, 0];
	return {
		id: 'e2eAgentsMcp0001',
		name: 'MCP server: Image Upscale Tool',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: 'b1e2c3d4-0000-4000-8000-00000000a001', name: 'MCP Server Trigger', type: '@n8n/n8n-nodes-langchain.mcpTrigger', typeVersion: 2, position, parameters: { path: MCP_PATH }, webhookId: '6f0e4d2c-1a3b-4c5d-8e9f-0a1b2c3d4e5f' },
			{
				id: 'b1e2c3d4-0000-4000-8000-00000000a002',
				name: TOOL_NAME,
				type: 'n8n-nodes-apiinone.imageUpscaleTool',
				typeVersion: 1,
				position,
				parameters: { resource: 'image', operation: 'upscale', options: { waitLimitSeconds: 4 } },
				credentials: { apiInOneApi: API_IN_ONE },
			},
		],
		connections: { [TOOL_NAME]: { ai_tool: [[{ node: 'MCP Server Trigger', type: 'ai_tool', index: 0 }]] } },
	};
}

/** Credentials and workflows into n8n before it starts; the chats and the MCP server published. */
export async function importAll(n8n: N8n, standIn: StandIn, model: ModelStandIn) {
	await n8n.importJson('credentials', [
		{ ...API_IN_ONE, type: 'apiInOneApi', data: { apiKey: standIn.key, baseUrl: standIn.url } },
		{ ...OPENAI, type: 'openAiApi', data: { apiKey: 'sk-stand-in-not-a-key', url: model.url } },
	]);
	const workflows = [...agentWorkflows().map((a) => a.workflow), mcpWorkflow()];
	await n8n.importJson('workflow', workflows);
	for (const workflow of workflows) await n8n.activate(workflow.id);
}
