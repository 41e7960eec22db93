/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- research probes for issue 20 (docs/design-parked-batches.md), never published: they read n8n's execution JSON loosely and print what they saw */
/**
 * Throwaway probe for docs/design-parked-batches.md, queue mode: n8n 2.41.1 with PostgreSQL, Redis,
 * a main process (no production webhooks), 2 workers and 1 webhook process, all on loopback.
 * The probe node (package/) parks its execution on a worker; the probe then SIGKILLs that worker,
 * SIGKILLs main and the webhook process, starts all three again, and only then sends the callback.
 * A second execution is resumed by a timer the worker left behind after execute() returned.
 *
 *   npx tsx test/e2e/park-probe/queue-probe.ts /tmp/coldcache/env-v2.sh
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch } from 'undici';
import { finished, killAll, N8n, readInstall, run, sleep, until } from '../n8n';
import { parkWorkflow } from './workflow';
import { createCluster, executionsRunBy, installEverywhere, startCluster } from '../queue/cluster';
import { ensureQueueServices, startPostgres, startRedis } from '../queue/services';

const install = readInstall(process.argv[2] ?? '/tmp/coldcache/env-v2.sh');
const work = mkdtempSync(join(tmpdir(), 'park-qprobe-'));
const log = join(work, 'probe.log');
process.env.PARK_PROBE_LOG = log;

type Entry = Record<string, unknown> & { ev: string; executionId?: string; pid: number };
const entries = (): Entry[] => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry) : []);
const say = (what: string, data: unknown) => console.log(JSON.stringify({ v: install.version, at: new Date().toISOString().slice(11, 19), what, data }));
const pidOf = (n8n: N8n) => (n8n as unknown as { server?: { pid?: number } }).server?.pid;

async function post(url: string, body: unknown) {
	try {
		const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		return { status: res.status, body: (await res.text()).slice(0, 160) };
	} catch (error) {
		return { status: 'error', body: (error as Error).message };
	}
}

function sigkill(n8n: N8n) {
	const pid = pidOf(n8n);
	if (pid) process.kill(-pid, 'SIGKILL');
	(n8n as unknown as { server?: unknown }).server = undefined;
	return pid;
}

function workflow(id: string, path: string, park: Record<string, unknown>) {
	const webhookId = `c0000000-0000-4000-8000-0000000000${path.endsWith('1') ? '01' : '02'}`;
	return parkWorkflow(id, `park queue probe ${path}`, webhookId, path, park);
}

async function main() {
	ensureQueueServices((line) => console.error(line));
	const packDir = mkdtempSync(join(tmpdir(), 'park-qprobe-pack-'));
	await run('npm', ['pack', '--pack-destination', packDir, join(__dirname, 'package')]);
	const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz'))!);
	const pg = await startPostgres();
	const redis = await startRedis();
	const cluster = await createCluster(install, pg, redis, { workers: 2, webhooks: 1 });
	const [hook] = cluster.webhooks;
	const role = (pid: number) => (pid === pidOf(cluster.main) ? 'main' : pid === pidOf(hook) ? 'webhook process' : cluster.workers.findIndex((w) => pidOf(w) === pid) >= 0 ? `worker ${cluster.workers.findIndex((w) => pidOf(w) === pid) + 1}` : `pid ${pid} (a process since restarted or stopped)`);
	const execStatus = (id: string) => pg.sql(`select status, "waitTill" from execution_entity where id = ${Number(id)}`).trim();
	try {
		await installEverywhere(cluster, tarball);
		await cluster.main.importJson('workflow', [workflow('parkQueueWf00001', 'park-q1', { waitSeconds: 0 }), workflow('parkQueueWf00002', 'park-q2', { waitSeconds: 0, pokeAfterMs: 15000 })]);
		await cluster.main.activate('parkQueueWf00001');
		await cluster.main.activate('parkQueueWf00002');
		const t0 = Date.now();
		await startCluster(cluster);
		say('cluster ready', { seconds: (Date.now() - t0) / 1000, main: pidOf(cluster.main), workers: cluster.workers.map(pidOf), webhook: pidOf(hook) });
		await cluster.main.setUpOwner();

		const start = async (path: string) => {
			const known = new Set(entries().map((e) => e.executionId));
			let answer = await post(`${hook.url}/webhook/${path}`, { items: [{ n: 1 }, { n: 2 }, { n: 3 }] });
			for (let i = 0; answer.status === 404 && i < 60; i++) {
				await sleep(1000);
				answer = await post(`${hook.url}/webhook/${path}`, { items: [{ n: 1 }, { n: 2 }, { n: 3 }] });
			}
			say(`POST ${hook.url}/webhook/${path}`, answer);
			return await until('Park to run', async () => entries().find((e) => e.ev === 'execute' && e.node === 'Park' && !known.has(e.executionId)), 120_000);
		};

		// 1: park on a worker, kill everything, callback after the restarts.
		const a = await start('park-q1');
		const id = String(a.executionId);
		say('execute() ran in', { executionId: id, process: role(a.pid), callbackUrl: a.callbackUrl });
		await until('waiting in PostgreSQL', async () => (execStatus(id).startsWith('waiting') ? true : undefined), 60_000);
		await sleep(3000);
		say('while waiting', {
			db: execStatus(id),
			workerLogs: cluster.workers.map((w, i) => ({ worker: i + 1, started: executionsRunBy(w), finishedLines: (readFileSync(join(w.folder, 'n8n.log'), 'utf8').match(new RegExp(`[^\\n]*execution ${id}\\b[^\\n]*`, 'g')) ?? []).map((l) => JSON.parse(l).message) })),
		});
		const parkedOn = cluster.workers.find((w) => pidOf(w) === a.pid);
		const killed = { worker: parkedOn ? sigkill(parkedOn) : undefined, main: sigkill(cluster.main), webhook: sigkill(hook) };
		say('SIGKILLed while waiting', killed);
		await sleep(2000);
		say('after the kills', { db: execStatus(id) });
		const t1 = Date.now();
		await cluster.main.start();
		await Promise.all([hook.start(), ...(parkedOn ? [parkedOn.start()] : [])]);
		say('restarted', { seconds: (Date.now() - t1) / 1000, db: execStatus(id), workers: cluster.workers.map(pidOf), main: pidOf(cluster.main), webhook: pidOf(hook) });
		say('ack callback', await post(String(a.callbackUrl), { tag: 'ack-after-restart' }));
		say('done callback', await post(String(a.callbackUrl), { tag: 'done', done: true }));
		const end = await finished(cluster.main, id, 120_000);
		const webhookCalls = entries().filter((e) => e.ev === 'webhook' && e.executionId === id).map((e) => ({ process: role(e.pid), tag: (e.body as { tag?: string })?.tag }));
		const afterRuns = entries().filter((e) => e.ev === 'after' && e.executionId === id).map((e) => ({ process: role(e.pid), inputs: e.inputs }));
		say('execution 1 at the end', { status: end.status, webhookCalls, afterRuns, executesOfPark: entries().filter((e) => e.ev === 'execute' && e.executionId === id).length });

		// 2: resumed by a timer the worker left behind (15 s after execute() returned), no callbacks.
		const c = await start('park-q2');
		const cid = String(c.executionId);
		say('execute() ran in', { executionId: cid, process: role(c.pid) });
		const endC = await finished(cluster.main, cid, 120_000);
		say('execution 2 at the end', {
			status: endC.status,
			poke: entries().find((e) => e.ev === 'poke' && e.executionId === cid),
			pokeFrom: role(Number(entries().find((e) => e.ev === 'poke' && e.executionId === cid)?.pid)),
			webhookIn: entries().filter((e) => e.ev === 'webhook' && e.executionId === cid).map((e) => role(e.pid)),
			afterIn: entries().filter((e) => e.ev === 'after' && e.executionId === cid).map((e) => role(e.pid)),
		});
	} finally {
		await cluster.stop();
		await redis.stop();
		pg.stop();
		say('log kept at', { log });
	}
}

main()
	.then(() => process.exit(0))
	.catch((error) => {
		console.error(error);
		killAll();
		process.exit(1);
	});
