/* eslint-disable import-x/no-unresolved -- dev tooling, never published: the SDK's subpaths resolve through its package.json "exports", which Node and TypeScript read and this lint resolver does not */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import type { StandIn } from '../../stand-in/server';
import { fail, until, type N8n } from '../n8n';
import { createsFor, expectCompact, expectTwice } from './checks';
import { MCP_PATH } from './workflows';

type Log = (line: string) => void;
type CallResult = { isError?: boolean; content: Array<{ type: string; text?: string }> };

const TOOL = 'Image_Upscale_Tool';

/** A real MCP client (the official SDK) on n8n's streamable-HTTP endpoint of the MCP Server Trigger. */
export async function connect(n8n: N8n): Promise<Client> {
	const url = new URL(`${n8n.url}/mcp/${MCP_PATH}`);
	// The production webhook may be registered a moment after n8n says it is ready.
	return await until('the MCP endpoint', async () => {
		const client = new Client({ name: 'apiinone-e2e', version: '1.0.0' });
		try {
			await client.connect(new StreamableHTTPClientTransport(url));
			return client;
		} catch {
			await client.close().catch(() => undefined);
			return undefined;
		}
	}, 30_000);
}

const textOf = (result: CallResult) => result.content.map((c) => c.text ?? '').join('');

async function call(client: Client, log: Log, args: Record<string, unknown>): Promise<CallResult> {
	const result = (await client.callTool({ name: TOOL, arguments: args })) as CallResult;
	log(`      call ${TOOL}(${JSON.stringify(args)}) -> ${result.isError ? 'isError ' : ''}${textOf(result)}`);
	return result;
}

export async function listsTheTool(client: Client, log: Log) {
	const { tools } = await client.listTools();
	const tool = tools.find((t) => t.name === TOOL) ?? fail(`tools/list has no ${TOOL}: ${tools.map((t) => t.name).join(', ')}`);
	log(`      tools/list: ${JSON.stringify(tool)}`);
	for (const needed of [/1 credit/, /image_url/, /imageUrl/, /taskId/, /60 seconds/]) if (!needed.test(tool.description ?? '')) fail(`the description does not say ${needed}: ${tool.description}`);
	const schema = tool.inputSchema as { properties?: Record<string, { type?: string; description?: string }>; required?: string[] };
	const names = Object.keys(schema.properties ?? {});
	if (names.join() !== 'image_url' || schema.properties!.image_url.type !== 'string' || !/http/.test(schema.properties!.image_url.description ?? '')) {
		fail(`the input schema is not one described image_url string: ${JSON.stringify(schema)}`);
	}
	if (!schema.required?.includes('image_url')) fail(`image_url is not required: ${JSON.stringify(schema)}`);
}

export async function upscales(client: Client, standIn: StandIn, log: Log) {
	const image = standIn.imageUrl({ name: 'mcp', width: 40, height: 30 });
	const result = await call(client, log, { image_url: image });
	if (result.isError) fail(`the call failed: ${textOf(result)}`);
	const [answer] = expectCompact(textOf(result), standIn);
	const task = standIn.task(String(answer.taskId)) ?? fail(`no task ${String(answer.taskId)}`);
	if (answer.state !== 'succeeded' || answer.imageUrl !== task.resultUrl) fail(`the answer is not the result: ${textOf(result)}`);
	log(`      creates for the image: ${createsFor(standIn, image)}; result ${await expectTwice(standIn, task.id)}`);
	if (createsFor(standIn, image) !== 1) fail(`${createsFor(standIn, image)} creates for one call`);
}

export async function refusesABadArgument(client: Client, standIn: StandIn, log: Log) {
	const before = standIn.log.count('create');
	const result = await call(client, log, { image_url: 'ftp://example.com/photo.png' });
	if (!result.isError || !/The Image URL is not an http\(s\) URL/.test(textOf(result))) fail(`not a clear tool error: ${JSON.stringify(result)}`);
	if (textOf(result).length > 400) fail(`a long error: ${textOf(result).length} characters`);
	if (standIn.log.count('create') !== before) fail('a bad argument reached the service');
}

export async function answersRunningAtTheLimit(client: Client, standIn: StandIn, log: Log) {
	const image = standIn.imageUrl({ name: 'mcp-slow', outcome: 'never' });
	const started = Date.now();
	const result = await call(client, log, { image_url: image });
	const seconds = (Date.now() - started) / 1000;
	log(`      answered after ${seconds.toFixed(1)} s (Wait Limit 4 s)`);
	if (result.isError) fail(`a slow task gave an error: ${textOf(result)}`);
	const [answer] = expectCompact(textOf(result), standIn);
	if (answer.state !== 'running' || !/^n41/.test(String(answer.taskId)) || !/Ask for it again later by its task ID/.test(String(answer.summary))) {
		fail(`not a "still running" answer with the task id: ${textOf(result)}`);
	}
	if (seconds > 15) fail(`the call took ${seconds.toFixed(1)} s with a 4 s limit`);
	if (createsFor(standIn, image) !== 1) fail(`${createsFor(standIn, image)} creates for one call`);
}
