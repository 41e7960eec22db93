/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { freePort, N8n, type Install } from '../n8n';
import { httpOk, type Postgres, type Redis } from './services';

/**
 * n8n in queue mode on loopback: one main process (editor, REST, no production webhooks), workers
 * that run every execution, webhook processes that answer production webhooks and waiting
 * executions. Every process has its own user folder with the package installed in its nodes folder,
 * as users must do it: n8n loads community packages from <user folder>/.n8n/nodes only.
 */
export interface Cluster {
	main: N8n;
	workers: N8n[];
	webhooks: N8n[];
	all(): N8n[];
	stop(): Promise<void>;
}

/** A webhook process was seen to hang 34 s on SIGTERM: SIGKILL after this. */
const STOP_GRACE_MS = 5_000;
/** Five n8n processes on 2 shared cores start slowly. */
const READY_WITHIN_MS = 240_000;

export async function createCluster(install: Install, pg: Postgres, redis: Redis, sizes = { workers: 2, webhooks: 2 }): Promise<Cluster> {
	const webhookPorts = await Promise.all(Array.from({ length: sizes.webhooks }, () => freePort()));
	const shared = {
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pg.port),
		DB_POSTGRESDB_DATABASE: pg.database,
		DB_POSTGRESDB_USER: pg.user,
		DB_POSTGRESDB_PASSWORD: '',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		// What a load balancer in front of the webhook processes would be; a worker computes
		// $execution.resumeUrl from it (without it: port 5678).
		N8N_WEBHOOK_URL: `http://127.0.0.1:${webhookPorts[0]}/`,
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		// n8n's own default in queue mode is binary data in the database: left unset on purpose.
		N8N_DEFAULT_BINARY_DATA_MODE: undefined,
		DB_SQLITE_POOL_SIZE: undefined,
	};
	const main = new N8n(install, { env: { ...shared, N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' }, readyWithinMs: READY_WITHIN_MS });
	const workers: N8n[] = [];
	for (let i = 0; i < sizes.workers; i++) {
		const healthPort = await freePort();
		workers.push(
			new N8n(install, {
				command: 'worker',
				readyWithinMs: READY_WITHIN_MS,
				env: { ...shared, QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' },
				ready: () => httpOk(`http://127.0.0.1:${healthPort}/healthz/readiness`),
			}),
		);
	}
	const webhooks = webhookPorts.map((port) => {
		// n8n's default pool of 2 connections: a burst of 50 callbacks made the process answer 503
		// "Database is not ready!" (its database ping timed out behind the queued queries).
		const env = { ...shared, DB_POSTGRESDB_POOL_SIZE: '10' };
		const n8n = new N8n(install, { command: 'webhook', env, readyWithinMs: READY_WITHIN_MS, ready: (self) => httpOk(`${self.url}/healthz/readiness`) });
		n8n.port = port;
		return n8n;
	});
	const all = () => [main, ...workers, ...webhooks];
	return {
		main,
		workers,
		webhooks,
		all,
		async stop() {
			await Promise.all(all().map((n8n) => n8n.stop(STOP_GRACE_MS)));
		},
	};
}

/** Installs the package into every process's user folder, one after the other (npm is busy enough). */
export async function installEverywhere(cluster: Cluster, tarball: string) {
	for (const n8n of cluster.all()) await n8n.installPackage(tarball);
}

/**
 * Main first, then workers and webhook processes together. All five at once starved the 2 cores:
 * main's database pings timed out and it was not ready within 120 s.
 */
export async function startCluster(cluster: Cluster) {
	await cluster.main.start();
	await Promise.all([...cluster.workers, ...cluster.webhooks].map((n8n) => n8n.start()));
}

/** Execution ids a worker logged as started ("Worker started execution 12 (job 7)"). */
export function executionsRunBy(worker: N8n): string[] {
	const file = join(worker.folder, 'n8n.log');
	if (!existsSync(file)) return [];
	return [...readFileSync(file, 'utf8').matchAll(/Worker started execution (\d+)/g)].map((m) => m[1]);
}
