import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

import { startStandIn, type StandIn } from '../../stand-in/server';
import { chat, createsFor, expectCompact, expectTwice, transcript } from '../agents/checks';
import { answersRunningAtTheLimit, connect, listsTheTool, refusesABadArgument, upscales } from '../agents/mcp';
import { startModelStandIn, type ModelStandIn } from '../agents/model';
import { agentWorkflows, importAll, type AgentWorkflow } from '../agents/workflows';
import { installN8n, type Suite, type SuiteContext } from '../harness';
import { fail, N8n } from '../n8n';

/**
 * Agents in n8n 2.41.1: its AI Agent, with its OpenAI Chat Model pointed at a local stand-in model,
 * calls Image Upscale Tool; and a real MCP client calls the tool through n8n's MCP Server Trigger.
 * One n8n process for all of it. (n8n 1.x: see docs/agents.md.)
 */
export function agentsSuite(): Suite {
	return {
		name: 'agents',
		async run(ctx: SuiteContext) {
			const n8n = new N8n(installN8n(2));
			const standIn = await startStandIn({ processingMs: 1000, maxRunning: 10 });
			const model = await startModelStandIn();
			const check = (name: string, body: () => Promise<void>) => ctx.check(`n8n ${n8n.install.version}: ${name}`, body);
			try {
				const t0 = Date.now();
				const step = (what: string) => ctx.log(`  [${((Date.now() - t0) / 1000).toFixed(1)} s] ${what}`);
				await n8n.installPackage(ctx.tarball);
				await importAll(n8n, standIn, model);
				step('package installed; credentials and 3 workflows imported and published');
				await n8n.start();
				await n8n.setUpOwner();
				step(`n8n ${n8n.install.version} started`);
				for (const agent of agentWorkflows()) {
					await agentChecks(check, { n8n, standIn, model, agent, log: ctx.log });
					await badUrlCheck(check, { n8n, standIn, model, agent, log: ctx.log });
				}
				await mcpChecks(check, n8n, standIn, ctx.log);
				if (model.unexpected.length) ctx.log(`  the model stand-in also got: ${model.unexpected.join(', ')}`);
			} catch (error) {
				await check('set-up', () => Promise.reject(error));
			} finally {
				await n8n.stop();
				await standIn.close();
				await model.close();
				n8n.cleanup();
			}
		},
	};
}

type Check = (name: string, body: () => Promise<void>) => Promise<boolean>;
interface AgentCase {
	n8n: N8n;
	standIn: StandIn;
	model: ModelStandIn;
	agent: AgentWorkflow;
	log: (line: string) => void;
}

async function agentChecks(check: Check, c: AgentCase) {
	const { standIn, log } = c;
	await check(`${c.agent.label}: the model calls Image Upscale Tool once and replies with the 2x image's URL`, async () => {
		const image = standIn.imageUrl({ name: `agent-${c.agent.workflow.id}`, width: 64, height: 48 });
		const turn = await chat(c.n8n, c.model, c.agent, `Please upscale ${image}`);
		for (const line of transcript(turn)) log(line);
		log(`      tool calls ${turn.toolCalls}, creates ${createsFor(standIn, image)}, reply: ${turn.reply}`);
		if (turn.toolCalls !== 1 || createsFor(standIn, image) !== 1) fail(`${turn.toolCalls} tool calls, ${createsFor(standIn, image)} creates`);
		if (turn.toolAnswers.length !== 1) fail(`the model got ${turn.toolAnswers.length} tool answers`);
		const [answer] = expectCompact(turn.toolAnswers[0], standIn);
		const task = standIn.task(String(answer.taskId)) ?? fail(`no task ${String(answer.taskId)} at the stand-in`);
		if (answer.state !== 'succeeded' || answer.imageUrl !== task.resultUrl) fail(`the tool answered ${turn.toolAnswers[0]}`);
		if (!turn.reply.includes(task.resultUrl!)) fail(`the reply does not name ${task.resultUrl}: ${turn.reply}`);
		log(`      result ${await expectTwice(standIn, task.id)}`);
	});
	await check(`${c.agent.label}: a failing task reaches the model as a short answer naming the task and the reason; it reports it; the execution succeeds`, async () => {
		const image = standIn.imageUrl({ name: `agent-fail-${c.agent.workflow.id}`, outcome: 'fail' });
		const turn = await chat(c.n8n, c.model, c.agent, `Please upscale ${image}`);
		for (const line of transcript(turn)) log(line);
		log(`      tool calls ${turn.toolCalls}, creates ${createsFor(standIn, image)}, reply: ${turn.reply}`);
		if (turn.toolCalls !== 1 || createsFor(standIn, image) !== 1) fail(`${turn.toolCalls} tool calls, ${createsFor(standIn, image)} creates`);
		const [answer] = expectCompact(turn.toolAnswers[0] ?? fail('the model got no tool answer'), standIn);
		const taskId = standIn.tasks().find((t) => t.image === image)!.id;
		if (answer.state !== 'failed' || answer.taskId !== taskId || !/^The image could not be processed/.test(String(answer.error))) fail(`not the failed task: ${turn.toolAnswers[0]}`);
		if (!turn.reply.includes(taskId) || !/could not be processed/.test(turn.reply)) fail(`the reply does not report the failure: ${turn.reply}`);
		const [latest] = await c.n8n.executions(c.agent.workflow.id);
		if (latest?.status !== 'success') fail(`the execution ended ${latest?.status}`);
	});
}

/** A tool error (here a bad URL, refused before any create): n8n's agent, not the node, decides what the model gets. */
async function badUrlCheck(check: Check, c: AgentCase) {
	const { standIn, log } = c;
	const expected = c.agent.toolError === 'empty' ? 'an empty message' : 'the error message';
	await check(`${c.agent.label}: a bad image URL is a tool error; the model gets ${expected}; the execution succeeds`, async () => {
		const creates = standIn.log.count('create');
		const turn = await chat(c.n8n, c.model, c.agent, 'Please upscale https://?');
		for (const line of transcript(turn)) log(line);
		const answer = turn.toolAnswers[0];
		log(`      tool calls ${turn.toolCalls}, creates ${standIn.log.count('create') - creates}, tool answer ${JSON.stringify(answer)}`);
		if (turn.toolCalls !== 1 || standIn.log.count('create') !== creates) fail(`${turn.toolCalls} tool calls, ${standIn.log.count('create') - creates} creates`);
		const wanted = c.agent.toolError === 'empty' ? '' : '[{"error":"The Image URL is not an http(s) URL: \\"https://?\\""}]';
		if (answer !== wanted) fail(`the model got ${JSON.stringify(answer)}, not ${JSON.stringify(wanted)}`);
		const [latest] = await c.n8n.executions(c.agent.workflow.id);
		if (latest?.status !== 'success') fail(`the execution ended ${latest?.status}`);
	});
}

async function mcpChecks(check: Check, n8n: N8n, standIn: StandIn, log: (line: string) => void) {
	let client: Client | undefined;
	const withClient = (body: (client: Client) => Promise<void>) => async () => await body((client ??= await connect(n8n)));
	try {
		await check('MCP: tools/list shows Image_Upscale_Tool with its description and one input, image_url', withClient(async (cl) => await listsTheTool(cl, log)));
		await check('MCP: tools/call upscales and answers with the result URL', withClient(async (cl) => await upscales(cl, standIn, log)));
		await check('MCP: a bad image_url is a clear tool error (isError), and nothing is created', withClient(async (cl) => await refusesABadArgument(cl, standIn, log)));
		await check('MCP: a task still running at the Wait Limit (4 s) is answered with its task ID, not an error', withClient(async (cl) => await answersRunningAtTheLimit(cl, standIn, log)));
	} finally {
		await client?.close().catch(() => undefined);
	}
}
