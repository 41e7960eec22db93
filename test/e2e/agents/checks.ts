import sharp from 'sharp';
import { fetch } from 'undici';

import type { StandIn } from '../../stand-in/server';
import { fail, until, type N8n } from '../n8n';
import { textOf, type Exchange, type ModelStandIn } from './model';
import type { AgentWorkflow } from './workflows';

/** What the tool may put in an answer to a model: nothing else (no raw answer, no file). */
const TOOL_FIELDS = ['summary', 'taskId', 'state', 'imageUrl', 'imageUrls', 'error'];
/** A compact answer: a few hundred characters, whatever the service sent. */
export const MAX_TOOL_ANSWER = 600;

export interface ChatTurn {
	reply: string;
	exchanges: Exchange[];
	/** The tool answers the model received, in order. */
	toolAnswers: string[];
	toolCalls: number;
}

/** One message to a published chat, the agent's reply, and what the model saw on the way. */
export async function chat(n8n: N8n, model: ModelStandIn, agent: AgentWorkflow, text: string): Promise<ChatTurn> {
	const url = `${n8n.url}/webhook/${agent.chatId}/chat`;
	const from = model.exchanges.length;
	const body = JSON.stringify({ action: 'sendMessage', sessionId: `e2e-${Date.now()}`, chatInput: text });
	// n8n 2.x may answer 404 for a moment after start while it registers the webhook.
	const response = await until(`the chat of "${agent.workflow.name}"`, async () => {
		const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
		return r.status === 404 ? undefined : { status: r.status, text: await r.text() };
	});
	if (response.status !== 200) fail(`the chat answered ${response.status}: ${response.text.slice(0, 500)}`);
	const reply = String((JSON.parse(response.text) as { output?: unknown }).output ?? fail(`no output in the chat's answer: ${response.text.slice(0, 500)}`));
	const exchanges = model.exchanges.slice(from);
	const toolAnswers = exchanges.flatMap((e) => e.messages.filter((m) => m.role === 'tool').map((m) => textOf(m.content)));
	const toolCalls = exchanges.reduce((n, e) => n + (e.reply.tool_calls?.length ?? 0), 0);
	return { reply, exchanges, toolAnswers: [...new Set(toolAnswers)], toolCalls };
}

/** The exact messages of a turn, one line each (long ones cut), for the test output. */
export function transcript(turn: ChatTurn): string[] {
	const lines: string[] = [];
	const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);
	turn.exchanges.forEach((exchange, i) => {
		lines.push(`      request ${i + 1}${exchange.streamed ? ' (streamed)' : ''}: ${exchange.messages.length} messages, tools [${exchange.tools.map((t) => t.function.name).join(', ')}]`);
		for (const m of exchange.messages) {
			const calls = m.tool_calls?.map((c) => `${c.function.name}(${c.function.arguments})`).join(', ');
			lines.push(`        ${m.role}${m.tool_call_id ? ` [${m.tool_call_id}]` : ''}: ${calls ? `calls ${calls}` : cut(textOf(m.content), m.role === 'system' ? 100 : 700)}`);
		}
		const calls = exchange.reply.tool_calls?.map((c) => `${c.function.name}(${c.function.arguments})`).join(', ');
		lines.push(`        -> model: ${calls ? `calls ${calls}` : textOf(exchange.reply.content)}`);
	});
	return lines;
}

/** The answer a model got from the tool: compact, the tool's fields only, no key, no file. */
export function expectCompact(answer: string, standIn: StandIn) {
	if (answer.length === 0 || answer.length > MAX_TOOL_ANSWER) fail(`the tool answer is ${answer.length} characters: ${answer.slice(0, 300)}`);
	if (answer.includes(standIn.key)) fail('the tool answer holds the API key');
	if (/base64|data:image|"response"|"data":\{/.test(answer)) fail(`the tool answer holds raw service data or a file: ${answer}`);
	const parsed = JSON.parse(answer) as unknown;
	const items = Array.isArray(parsed) ? parsed : [parsed];
	for (const item of items) {
		const extra = Object.keys(item as object).filter((key) => !TOOL_FIELDS.includes(key));
		if (extra.length) fail(`the tool answer has fields ${extra.join(', ')}`);
	}
	return items as Array<Record<string, unknown>>;
}

async function size(url: string) {
	const response = await fetch(url);
	if (!response.ok) fail(`${url} answered ${response.status}`);
	const { width, height } = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
	return { width: width ?? 0, height: height ?? 0 };
}

/** The task's result, fetched: twice the input picture's width and height. */
export async function expectTwice(standIn: StandIn, taskId: string) {
	const task = standIn.task(taskId) ?? fail(`the stand-in has no task ${taskId}`);
	const [input, output] = [await size(task.image), await size(task.resultUrl ?? fail(`task ${taskId} has no result`))];
	if (output.width !== 2 * input.width || output.height !== 2 * input.height) fail(`task ${taskId}: ${input.width}x${input.height} in, ${output.width}x${output.height} out`);
	return `${input.width}x${input.height} -> ${output.width}x${output.height}`;
}

export const createsFor = (standIn: StandIn, image: string) => standIn.log.count('create', (e) => (e.body as { image?: string } | undefined)?.image === image);
