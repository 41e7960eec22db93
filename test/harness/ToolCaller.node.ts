/* eslint-disable @n8n/community-nodes/icon-validation, @n8n/community-nodes/missing-paired-item, @n8n/community-nodes/node-usable-as-tool, @n8n/community-nodes/require-node-description-fields -- dev tooling, never published: n8n's rules for community node code do not apply */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

interface Tool {
	name: string;
	invoke(args: Record<string, unknown>): Promise<string>;
}

/**
 * Stands in for an AI Agent: takes the tools connected to its tool input the way n8n-core hands
 * them to an agent (createNodeAsTool), calls each with the arguments in the input item's `toolArgs`,
 * and outputs what the tool answered.
 */
export class ToolCaller implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tool Caller',
		name: 'toolCaller',
		group: ['transform'],
		version: 1,
		description: 'Calls connected tools like an agent would',
		defaults: { name: 'Tool Caller' },
		inputs: [NodeConnectionTypes.Main, NodeConnectionTypes.AiTool],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const connected = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as Tool | Tool[];
		const tools = Array.isArray(connected) ? connected : [connected];
		const out: INodeExecutionData[] = [];
		for (const tool of tools) {
			const args = this.getInputData()[0].json.toolArgs as Record<string, unknown>;
			try {
				out.push({ json: { tool: tool.name, answer: await tool.invoke(args) } });
			} catch (error) {
				out.push({ json: { tool: tool.name, error: (error as Error).message } });
			}
		}
		return [out];
	}
}
