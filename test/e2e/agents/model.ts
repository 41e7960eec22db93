/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in of an OpenAI-compatible chat model (`POST /v1/chat/completions`, plain or
 * streamed), deterministic and on 127.0.0.1 only, for n8n's OpenAI Chat Model node:
 *
 * - a user message holding an http(s) URL: the model calls the first tool offered, with that URL as
 *   the tool's first argument;
 * - a tool answer: the model replies in text, naming the `imageUrl` the tool gave, or the tool's
 *   error when it gave one.
 *
 * Every exchange (the messages n8n sent, the tools offered, the reply) is kept for the test to print
 * and judge.
 */

export interface ChatMessage {
	role: string;
	content?: unknown;
	tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
}

export interface OfferedTool {
	type: string;
	function: { name: string; description?: string; parameters?: { properties?: Record<string, unknown>; required?: string[] } };
}

export interface Exchange {
	messages: ChatMessage[];
	tools: OfferedTool[];
	reply: ChatMessage;
	streamed: boolean;
}

export interface ModelStandIn {
	url: string;
	exchanges: Exchange[];
	/** Requests to routes other than chat completions (for example the Responses API), by path. */
	unexpected: string[];
	close(): Promise<void>;
}

export const textOf = (content: unknown): string =>
	typeof content === 'string'
		? content
		: Array.isArray(content)
			? content.map((part) => (typeof part === 'string' ? part : String((part as { text?: string }).text ?? ''))).join('')
			: '';

/** What the model says next, given the conversation so far. */
export function nextReply(messages: ChatMessage[], tools: OfferedTool[], callId: string): ChatMessage {
	const last = messages[messages.length - 1];
	if (last?.role === 'tool') return { role: 'assistant', content: answerFromTool(textOf(last.content)) };
	const url = /https?:\/\/[^\s"'<>]+/.exec(textOf(last?.content))?.[0];
	const tool = tools[0]?.function;
	if (!url || !tool) return { role: 'assistant', content: 'Please give me the URL of an image to upscale.' };
	const argument = Object.keys(tool.parameters?.properties ?? {})[0] ?? 'image_url';
	return {
		role: 'assistant',
		content: null,
		tool_calls: [{ id: callId, type: 'function', function: { name: tool.name, arguments: JSON.stringify({ [argument]: url }) } }],
	};
}

function answerFromTool(answer: string): string {
	const imageUrl = /"imageUrl":"(https?:[^"]+)"/.exec(answer)?.[1];
	if (imageUrl) return `Here is your upscaled image: ${imageUrl}`;
	const state = /"state":"(\w+)"/.exec(answer)?.[1];
	const summary = /"summary":"((?:[^"\\]|\\.)*)"/.exec(answer)?.[1];
	if (summary && state === 'running') return `Not ready yet: ${JSON.parse(`"${summary}"`) as string}`;
	if (summary && state === 'failed') return `Sorry, the upscale failed: ${JSON.parse(`"${summary}"`) as string}`;
	return `Sorry, the upscale did not work. The tool said: ${answer.slice(0, 300)}`;
}

function completion(reply: ChatMessage, model: string) {
	const finish = reply.tool_calls ? 'tool_calls' : 'stop';
	return {
		id: 'chatcmpl-standin',
		object: 'chat.completion',
		created: 1_700_000_000,
		model,
		choices: [{ index: 0, message: reply, finish_reason: finish, logprobs: null }],
		usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
	};
}

/** The same reply as server-sent chunks, the way the API streams it. */
function stream(res: ServerResponse, reply: ChatMessage, model: string) {
	res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
	const chunk = (delta: Record<string, unknown>, finish: string | null) =>
		res.write(`data: ${JSON.stringify({ id: 'chatcmpl-standin', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
	const toolCalls = reply.tool_calls?.map((call, index) => ({ index, ...call }));
	chunk({ role: 'assistant', ...(toolCalls ? { tool_calls: toolCalls } : { content: textOf(reply.content) }) }, null);
	chunk({}, reply.tool_calls ? 'tool_calls' : 'stop');
	res.end('data: [DONE]\n\n');
}

async function bodyOf(req: IncomingMessage): Promise<Record<string, unknown>> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

export async function startModelStandIn(): Promise<ModelStandIn> {
	const exchanges: Exchange[] = [];
	const unexpected: string[] = [];
	const server = createServer((req, res) => {
		const path = (req.url ?? '').split('?')[0];
		if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
			unexpected.push(`${req.method} ${path}`);
			res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${path}` } }));
			return;
		}
		bodyOf(req)
			.then((body) => {
				const messages = (body.messages ?? []) as ChatMessage[];
				const tools = (body.tools ?? []) as OfferedTool[];
				const reply = nextReply(messages, tools, `call_${exchanges.length + 1}`);
				exchanges.push({ messages, tools, reply, streamed: body.stream === true });
				const model = String(body.model ?? 'stand-in');
				if (body.stream === true) return stream(res, reply, model);
				res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(reply, model)));
			})
			.catch((error: Error) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: error.message } })));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/v1`,
		exchanges,
		unexpected,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
