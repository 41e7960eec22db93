'use strict';
/* Throwaway probe (docs/design-parked-batches.md). Plain JS so it needs no build.
 * execute(): records what it sees, keeps fake task ids in getContext('node') and in static data,
 * mutates its input item 0, optionally calls its own callback URL while still running, then parks.
 * webhook(): records what it can read of the waiting execution; answers without resuming unless
 * the body says {"done": true}, optionally after sleeping (to make two callbacks overlap). */
const fs = require('node:fs');

const LOG = process.env.PARK_PROBE_LOG || '/tmp/park-probe.log';
const record = (entry) => fs.appendFileSync(LOG, JSON.stringify({ at: new Date().toISOString(), pid: process.pid, ...entry }) + '\n');
const WAIT_INDEFINITELY = new Date('3000-01-01T00:00:00.000Z');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tryEval = (ctx, expr, i = 0) => {
	try {
		return ctx.evaluateExpression(expr, i);
	} catch (error) {
		return `ERROR: ${error.message}`;
	}
};

/** The resume URL with the node's suffix in the path, the token kept in the query. */
function withSuffix(resumeUrl, suffix) {
	const url = new URL(resumeUrl);
	url.pathname = `${url.pathname}/${encodeURIComponent(suffix)}`;
	return url.toString();
}

class ParkProbe {
	constructor() {
		this.description = {
			displayName: 'Park Probe',
			name: 'parkProbe',
			group: ['transform'],
			version: 1,
			description: 'Parks its execution (probe)',
			defaults: { name: 'Park' },
			inputs: ['main'],
			outputs: ['main'],
			usableAsTool: true,
			webhooks: [
				{
					name: 'default',
					httpMethod: 'POST',
					responseMode: 'onReceived',
					path: '={{$nodeId}}',
					restartWebhook: true,
					isFullPath: true,
				},
			],
			properties: [
				{ displayName: 'Wait Seconds (0 = Indefinitely)', name: 'waitSeconds', type: 'number', default: 0 },
				{ displayName: 'Call Own Callback Before Parking', name: 'selfCall', type: 'boolean', default: false },
				{ displayName: 'Poke Own Callback After (Ms, 0 = Never)', name: 'pokeAfterMs', type: 'number', default: 0 },
				{ displayName: 'Only Record and Pass On (No Parking)', name: 'passOnly', type: 'boolean', default: false },
				{ displayName: 'Parked Node Name (for passOnly)', name: 'parkedName', type: 'string', default: 'Park' },
			],
		};
		// Stubs only to satisfy the community lint rule webhook-lifecycle-complete; n8n never calls
		// them for a restartWebhook (WebhookService.getNodeWebhooks(..., ignoreRestartWebhooks=true)).
		this.webhookMethods = {
			default: {
				async checkExists() {
					record({ ev: 'webhookMethods.checkExists' });
					return true;
				},
				async create() {
					record({ ev: 'webhookMethods.create' });
					return true;
				},
				async delete() {
					record({ ev: 'webhookMethods.delete' });
					return true;
				},
			},
		};
	}

	async execute() {
		const items = this.getInputData();
		const node = this.getNode();
		const executionId = this.getExecutionId();
		if (this.getNodeParameter('passOnly', 0)) {
			const parked = this.getNodeParameter('parkedName', 0);
			record({
				ev: 'after',
				executionId,
				node: node.name,
				inputs: items.map((i) => i.json),
				parkedContext: tryEval(this, `{{ JSON.stringify($node["${parked}"].context) }}`),
				parkedRuns: tryEval(this, `{{ JSON.stringify($("${parked}").all().map(i => i.json)) }}`),
			});
			return [items.map((item, i) => ({ json: item.json, pairedItem: { item: i } }))];
		}
		const context = this.getContext('node');
		const staticData = this.getWorkflowStaticData('node');
		const resumeUrl = tryEval(this, '{{ $execution.resumeUrl }}');
		const resumeWebhookUrl = tryEval(this, '{{ $resumeWebhookUrl }}');
		const runIndexExpr = tryEval(this, '{{ $runIndex }}');
		const callbackUrl = typeof resumeUrl === 'string' && resumeUrl.startsWith('http') ? withSuffix(resumeUrl, node.id) : undefined;
		let signedResumeUrl;
		try {
			signedResumeUrl = this.getSignedResumeUrl();
		} catch (error) {
			signedResumeUrl = `ERROR: ${error.message}`;
		}
		record({
			ev: 'execute',
			executionId,
			node: node.name,
			nodeId: node.id,
			runIndex: this.runIndex,
			runIndexExpr,
			mode: this.getMode(),
			inputs: items.map((i) => i.json),
			contextBefore: { ...context },
			staticBefore: { ...staticData },
			resumeUrl,
			resumeWebhookUrl,
			signedResumeUrl,
			callbackUrl,
		});
		context.taskIds = items.map((_, i) => `task-${executionId}-${i}`);
		context.executes = (context.executes || 0) + 1;
		staticData.parks = (staticData.parks || 0) + 1;
		staticData[`ids-${executionId}`] = context.taskIds;
		if (items[0]) items[0].json.mutatedByExecute = true;

		if (this.getNodeParameter('selfCall', 0) && callbackUrl) {
			const res = await fetch(callbackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ early: true }) });
			record({ ev: 'selfCall', executionId, status: res.status, body: (await res.text()).slice(0, 300) });
		}

		const pokeAfterMs = this.getNodeParameter('pokeAfterMs', 0);
		if (pokeAfterMs > 0 && callbackUrl) {
			// Work left behind in the process after execute() returned: the execution is parked by then.
			setTimeout(() => {
				fetch(callbackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ done: true, tag: 'poke' }) })
					.then(async (res) => record({ ev: 'poke', executionId, status: res.status, body: (await res.text()).slice(0, 200) }))
					.catch((error) => record({ ev: 'poke', executionId, error: error.message }));
			}, pokeAfterMs);
		}
		const waitSeconds = this.getNodeParameter('waitSeconds', 0);
		const waitTill = waitSeconds > 0 ? new Date(Date.now() + waitSeconds * 1000) : WAIT_INDEFINITELY;
		await this.putExecutionToWait(waitTill);
		return [items.map((item, i) => ({ json: { firstRun: true, taskId: context.taskIds[i], callbackUrl }, pairedItem: { item: i } }))];
	}

	async webhook() {
		const body = this.getBodyData();
		const node = this.getNode();
		const internal = this.runExecutionData;
		const seen = {
			ev: 'webhook',
			executionId: this.getExecutionId ? tryCall(() => this.getExecutionId()) : undefined,
			mode: this.getMode(),
			body,
			query: this.getQueryData(),
			params: this.getParamsData(),
			inputViaExpression: tryEval(this, '{{ JSON.stringify($input.all().map(i => i.json)) }}'),
			jsonViaExpression: tryEval(this, '{{ JSON.stringify($json) }}'),
			contextViaExpression: tryEval(this, `{{ JSON.stringify($node["${node.name}"].context) }}`),
			taskIdsViaExpression: tryEval(this, `{{ JSON.stringify($node["${node.name}"].context["taskIds"]) }}`),
			ownOutputViaExpression: tryEval(this, `{{ JSON.stringify($("${node.name}").all().map(i => i.json)) }}`),
			staticData: { ...this.getWorkflowStaticData('node') },
			internal: internal
				? {
						lastNodeExecuted: internal.resultData?.lastNodeExecuted,
						runsOfNode: internal.resultData?.runData?.[node.name]?.length,
						waitTill: internal.waitTill,
						stackInput: internal.executionData?.nodeExecutionStack?.[0]?.data?.main?.[0]?.map((i) => i.json),
						contextData: internal.executionData?.contextData,
					}
				: null,
		};
		record(seen);
		if (body && body.early) {
			// Answer the sender now; resume (or not) afterwards, as the design's final sweep does.
			const res = this.getResponseObject();
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ received: true, tag: body.tag }));
		}
		if (body && body.sleepMs) await sleep(body.sleepMs);
		if (body && body.done) {
			record({ ev: 'webhook.resume', body });
			const input = seen.internal?.stackInput ?? [];
			const workflowData = [input.map((json, i) => ({ json: { resumedBy: 'webhook', tag: body.tag, ...json }, pairedItem: { item: i } }))];
			return body.early ? { noWebhookResponse: true, workflowData } : { workflowData };
		}
		if (body && body.early) return { noWebhookResponse: true };
		return { webhookResponse: { ack: true, tag: body && body.tag } };
	}
}

function tryCall(fn) {
	try {
		return fn();
	} catch (error) {
		return `ERROR: ${error.message}`;
	}
}

exports.ParkProbe = ParkProbe;
