/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- dev tooling, never published: n8n's rules for community node code do not apply */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch } from 'undici';

import { freePort, sleep, track } from '../n8n';
import { ensureDebianPackages, MissingSystemPackage } from '../system';

/** PostgreSQL and Redis from Debian's packages, started by the suite on loopback and stopped by it. */

const PG_BIN = '/usr/lib/postgresql/15/bin';

export function ensureQueueServices(log: (line: string) => void) {
	ensureDebianPackages(
		[
			{ name: 'postgresql', provides: `${PG_BIN}/pg_ctl` },
			{ name: 'redis-server', provides: '/usr/bin/redis-server' },
		],
		log,
	);
}

export interface Postgres {
	port: number;
	database: string;
	user: string;
	/** Runs one SQL statement with psql; its rows, tab-separated. */
	sql(statement: string): string;
	stop(): void;
}

/** A throw-away cluster in a temp folder, run by the postgres user (initdb refuses root). */
export async function startPostgres(): Promise<Postgres> {
	if (process.getuid?.() !== 0) throw new MissingSystemPackage('the queue suite starts PostgreSQL as the postgres user with runuser, which needs root');
	const dir = mkdtempSync(join(tmpdir(), 'e2e-postgres-'));
	const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
	const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
	chownSync(dir, uid, gid);
	const data = join(dir, 'data');
	const asPostgres = (command: string, args: string[]) =>
		execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/${command}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
	const port = await freePort();
	let running = false;
	const stop = () => {
		if (running) {
			try {
				asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
			} catch {
				// already stopped, or pg_ctl failed: the folder is removed below all the same
			}
			running = false;
		}
		rmSync(dir, { recursive: true, force: true });
	};
	process.on('exit', stop);
	try {
		asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
		// No durability needed: the cluster lives as long as the suite.
		const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
		asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'postgres.log'), '-o', options, '-w', '-t', '60', 'start']);
		running = true;
		asPostgres('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'n8n']);
	} catch (error) {
		stop();
		const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
		throw new Error(`PostgreSQL did not start: ${stderr || (error as Error).message}`);
	}
	return {
		port,
		database: 'n8n',
		user: 'postgres',
		sql: (statement) => asPostgres('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'n8n', '-AtF', '\t', '-c', statement]),
		stop,
	};
}

export interface Redis {
	port: number;
	stop(): Promise<void>;
}

/** Redis on loopback without persistence, as a child of the suite (killed with the rest if the suite dies). */
export async function startRedis(): Promise<Redis> {
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'e2e-redis-'));
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
	const child = track(spawn('/usr/bin/redis-server', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
	let output = '';
	child.stdout!.on('data', (chunk) => (output += chunk));
	child.stderr!.on('data', (chunk) => (output += chunk));
	const deadline = Date.now() + 15_000;
	while (!/Ready to accept connections/.test(output)) {
		if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start:\n${output.slice(-2000)}`);
		await sleep(100);
	}
	return {
		port,
		async stop() {
			await stopProcess(child);
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

/** SIGTERM to the process group, SIGKILL after the grace period (a webhook process was seen to hang 34 s). */
export async function stopProcess(child: import('node:child_process').ChildProcess, graceMs = 5_000) {
	if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', () => resolve(true)));
	try {
		process.kill(-child.pid, 'SIGTERM');
	} catch {
		// the process group has already exited
	}
	if (!(await Promise.race([exited, sleep(graceMs).then(() => false)]))) {
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {
			// the process group exited during the grace period
		}
		await exited;
	}
}

export const httpOk = async (url: string) => {
	try {
		return (await fetch(url)).ok;
	} catch {
		return false;
	}
};
