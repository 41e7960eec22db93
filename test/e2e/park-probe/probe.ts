/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any, no-console -- research probes for issue 20 (docs/design-parked-batches.md), never published: they read n8n's execution JSON loosely and print what they saw */
/**
 * Throwaway probe for docs/design-parked-batches.md: does a programmatic community node park its
 * own execution in real n8n, and what happens on callbacks and on a timer resume?
 *
 *   npx tsx test/e2e/park-probe/probe.ts /tmp/coldcache/env-v2.sh
 *   npx tsx test/e2e/park-probe/probe.ts ~/.cache/n8n-nodes-apiinone-e2e/env-v1.sh
 *
 * Single process (SQLite), loopback only. Prints one JSON line per finding, then a summary.
 */
import { mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch } from 'undici';
import { N8n, readInstall, run, until, finished, sleep, killAll } from '../n8n';
import { PARK_ID, parkWorkflow } from './workflow';

const envFile = process.argv[2] ?? '/tmp/coldcache/env-v2.sh';
const install = readInstall(envFile);
const work = mkdtempSync(join(tmpdir(), 'park-probe-'));
const log = join(work, 'probe.log');
process.env.PARK_PROBE_LOG = log;

type Entry = Record<string, unknown> & { ev: string; executionId?: string; pid: number };
const entries = (): Entry[] => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry) : []);
const say = (what: string, data: unknown) => console.log(JSON.stringify({ v: install.version, what, data }));

function workflow(id: string, path: string, park: Record<string, unknown>) {
	const webhookId = `b0000000-0000-4000-8000-${id.slice(-12).toLowerCase().replace(/[^0-9a-f]/g, '0')}`;
	return parkWorkflow(id, `park probe ${path}`, webhookId, path, park);
}

async function post(url: string, body: unknown) {
	const started = Date.now();
	const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	return { status: res.status, body: (await res.text()).slice(0, 200), ms: Date.now() - started };
}

/** Starts a workflow by its webhook; resolves with the execution id its Park node logged. */
async function startParked(n8n: N8n, path: string): Promise<{ id: string; execute: Entry }> {
	const known = new Set(entries().map((e) => e.executionId));
	// 2.x registers published webhooks a moment after it is ready (N8N-NOTES.md section 6): retry a 404.
	let answer = await post(`${n8n.url}/webhook/${path}`, { items: [{ n: 1 }, { n: 2 }, { n: 3 }] });
	for (let i = 0; answer.status === 404 && i < 30; i++) {
		await sleep(1000);
		answer = await post(`${n8n.url}/webhook/${path}`, { items: [{ n: 1 }, { n: 2 }, { n: 3 }] });
	}
	say(`POST /webhook/${path}`, answer);
	const execute = await until(`Park of ${path} to run`, async () => entries().find((e) => e.ev === 'execute' && e.node === 'Park' && !known.has(e.executionId)), 60_000);
	return { id: String(execute.executionId), execute };
}

async function statusOf(n8n: N8n, id: string) {
	const e = (await n8n.execution(id)) as unknown as { status: string; waitTill?: string; finished?: boolean; data?: Record<string, any> };
	return e;
}

async function main() {
	say('install', install);
	const packDir = mkdtempSync(join(tmpdir(), 'park-probe-pack-'));
	await run('npm', ['pack', '--pack-destination', packDir, join(__dirname, 'package')]);
	const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz'))!);
	const n8n = new N8n(install, { env: { PARK_PROBE_LOG: log, N8N_LOG_LEVEL: 'debug' } });
	try {
		await n8n.installPackage(tarball);
		await n8n.importJson('workflow', [
			workflow('parkProbeWfA0001', 'park-a', { waitSeconds: 0, selfCall: true }),
			workflow('parkProbeWfB0001', 'park-b', { waitSeconds: 5 }),
			workflow('parkProbeWfC0001', 'park-c', { waitSeconds: 0, pokeAfterMs: 3000 }),
			workflow('parkProbeWfD0001', 'park-d', { waitSeconds: 0 }),
		]);
		await n8n.activate('parkProbeWfD0001');
		await n8n.activate('parkProbeWfC0001');
		await n8n.activate('parkProbeWfA0001');
		await n8n.activate('parkProbeWfB0001');
		await n8n.start();
		await n8n.setUpOwner();

		// A: indefinite park, callbacks.
		const a = await startParked(n8n, 'park-a');
		say('A execute() saw', a.execute);
		const self = await until('the self call', async () => entries().find((e) => e.ev === 'selfCall' && e.executionId === a.id), 30_000);
		say('A callback while running (selfCall)', self);
		const parked = await until('A to be waiting', async () => {
			const e = await statusOf(n8n, a.id);
			return e.status === 'waiting' ? e : undefined;
		}, 30_000);
		say('A while waiting', {
			status: parked.status,
			waitTill: parked.waitTill,
			dataKeys: Object.keys(parked.data ?? {}),
			lastNodeExecuted: parked.data?.resultData?.lastNodeExecuted,
			parkRuns: parked.data?.resultData?.runData?.Park?.length,
			parkOutput: parked.data?.resultData?.runData?.Park?.[0]?.data?.main?.[0]?.map((i: any) => i.json),
			parkMetadata: parked.data?.resultData?.runData?.Park?.[0]?.metadata,
			contextData: parked.data?.executionData?.contextData,
			stackInput: parked.data?.executionData?.nodeExecutionStack?.[0]?.data?.main?.[0]?.map((i: any) => i.json),
			resumeToken: parked.data?.resumeToken ? `${String(parked.data.resumeToken).slice(0, 8)}…` : parked.data?.resumeToken,
		});
		const wfA = await n8n.rest('GET', '/rest/workflows/parkProbeWfA0001');
		say('A workflow static data while waiting (saved at the park?)', (wfA.data as any)?.staticData);
		const callbackUrl = String(a.execute.callbackUrl);
		const resumeUrl = String(a.execute.resumeUrl);
		const noToken = callbackUrl.split('?')[0];
		say('callback without token', await post(noToken, { tag: 'no-token' }));
		const wrongSuffix = callbackUrl.replace(`/${PARK_ID}`, '/not-the-node');
		say('callback with a wrong suffix', await post(wrongSuffix, { tag: 'wrong-suffix' }));
		say('callback, resume URL without suffix', await post(resumeUrl, { tag: 'no-suffix' }));
		say('callback, naive resumeUrl + "/" + nodeId', await post(`${resumeUrl}/${PARK_ID}`, { tag: 'naive-append' }));
		if (String(a.execute.signedResumeUrl).startsWith('http')) say('callback to this.getSignedResumeUrl() (HMAC, not the resume token)', await post(String(a.execute.signedResumeUrl), { tag: 'signed' }));
		say('ack callback', await post(callbackUrl, { tag: 'ack-1' }));
		say('A after the ack', { status: (await statusOf(n8n, a.id)).status });
		const webhookSeen = entries().filter((e) => e.ev === 'webhook' && e.body && (e.body as any).tag === 'ack-1');
		say('A webhook() saw', webhookSeen[0]);
		// Two "done" callbacks at once: both pass the status check, both run webhook() (1.5 s), both try to resume.
		const both = await Promise.all([post(callbackUrl, { tag: 'done-x', done: true, sleepMs: 1500 }), post(callbackUrl, { tag: 'done-y', done: true, sleepMs: 1500 })]);
		say('two simultaneous done callbacks', both);
		const endA = await finished(n8n, a.id, 60_000);
		await sleep(2000);
		say('A at the end', {
			status: endA.status,
			parkRuns: (endA as any).data?.resultData?.runData?.Park?.map((r: any) => r.data?.main?.[0]?.map((i: any) => i.json)),
			after: (endA as any).data?.resultData?.runData?.After?.map((r: any) => r.data?.main?.[0]?.map((i: any) => i.json)),
			executesOfPark: entries().filter((e) => e.ev === 'execute' && e.executionId === a.id).length,
			afterRuns: entries().filter((e) => e.ev === 'after' && e.executionId === a.id).map((e) => ({ pid: e.pid, inputs: e.inputs, parkedContext: e.parkedContext })),
		});
		say('callback after the end', await post(callbackUrl, { tag: 'late' }));

		// C: the process that parked resumes it itself (a timer left in the process, no callbacks).
		const c = await startParked(n8n, 'park-c');
		const endC = await finished(n8n, c.id, 60_000);
		say('C resumed by its own process', {
			status: endC.status,
			poke: entries().find((e) => e.ev === 'poke' && e.executionId === c.id),
			after: entries().filter((e) => e.ev === 'after' && e.executionId === c.id).map((e) => e.inputs),
		});

		// D: webhook() answers the sender first, then resumes; two such "done" callbacks at once.
		const d = await startParked(n8n, 'park-d');
		await until('D to be waiting', async () => ((await statusOf(n8n, d.id)).status === 'waiting' ? true : undefined), 30_000);
		const dUrl = String(d.execute.callbackUrl);
		say('D early-answered ack', await post(dUrl, { tag: 'early-ack', early: true }));
		say('D status after the early-answered ack', (await statusOf(n8n, d.id)).status);
		say('D two simultaneous early-answered done callbacks (webhook() sleeps 1.5 s after answering)', await Promise.all([post(dUrl, { tag: 'early-x', done: true, early: true, sleepMs: 1500 }), post(dUrl, { tag: 'early-y', done: true, early: true, sleepMs: 1500 })]));
		const endD = await finished(n8n, d.id, 60_000);
		await sleep(2000);
		say('D at the end', {
			status: endD.status,
			afterRuns: entries().filter((e) => e.ev === 'after' && e.executionId === d.id).map((e) => (e.inputs as Array<{ tag?: string }>)[0]?.tag),
		});

		// B: a 5 s park, resumed by n8n's timer (WaitTracker polls the database every 60 s).
		const b = await startParked(n8n, 'park-b');
		const t0 = Date.now();
		await until('B to be waiting', async () => ((await statusOf(n8n, b.id)).status === 'waiting' ? true : undefined), 30_000);
		say('B waiting', { waitTill: (await statusOf(n8n, b.id)).waitTill });
		const endB = await finished(n8n, b.id, 180_000);
		say('B at the end (timer resume)', {
			status: endB.status,
			resumedAfterSeconds: (Date.now() - t0) / 1000,
			parkRuns: (endB as any).data?.resultData?.runData?.Park?.map((r: any) => r.data?.main?.[0]?.map((i: any) => i.json)),
			executesOfPark: entries().filter((e) => e.ev === 'execute' && e.executionId === b.id).length,
			afterRuns: entries().filter((e) => e.ev === 'after' && e.executionId === b.id).map((e) => ({ inputs: e.inputs, parkedContext: e.parkedContext, parkedRuns: e.parkedRuns })),
			contextData: (endB as any).data?.executionData?.contextData,
		});
		say('webhookMethods calls (expected none)', entries().filter((e) => e.ev.startsWith('webhookMethods')).length);
	} finally {
		await n8n.stop();
		say('log kept at', { log, n8nFolder: n8n.folder });
	}
}

main()
	.then(() => process.exit(0))
	.catch((error) => {
		console.error(error);
		killAll();
		process.exit(1);
	});
