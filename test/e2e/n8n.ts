/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- dev tooling, never published: n8n's rules for community node code do not apply */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch } from 'undici';

/** One real n8n (a cached install of some version) with a user folder of its own, on loopback. */

export interface Install {
	major: number;
	version: string;
	bin: string;
}

const children = new Set<ChildProcess>();

/** Counts a process (started detached, in a group of its own) among those killAll() stops. */
export function track(child: ChildProcess): ChildProcess {
	children.add(child);
	return child;
}

/** Stops every process this suite started, by process group, whatever happened. */
export function killAll() {
	for (const child of children) {
		try {
			if (child.pid) process.kill(-child.pid, 'SIGKILL');
		} catch {
			// the process group has already exited
		}
	}
	children.clear();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (killAll(), process.exit(130)));
process.on('exit', killAll);

/** Ports freePort() has handed out: one chosen for later (a worker's health port) is never handed out again. */
const handedOut = new Set<number>();

/**
 * A port free now and never handed out before in this run. Seen once: a worker's task-broker port
 * was the other worker's health port, chosen earlier and not yet bound ("Port … is already in use").
 */
export async function freePort(): Promise<number> {
	for (;;) {
		const port = await anyFreePort();
		if (handedOut.has(port)) continue;
		handedOut.add(port);
		return port;
	}
}

async function anyFreePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
		server.on('error', reject);
	});
}

export function readInstall(envFile: string): Install {
	const env = Object.fromEntries(
		[...readFileSync(envFile, 'utf8').matchAll(/^export (\w+)="?([^"\n]*)"?$/gm)].map((m) => [m[1], m[2]]),
	);
	return { major: Number(env.N8N_MAJOR), version: env.N8N_VERSION, bin: env.N8N_BIN };
}

export interface Execution {
	id: string;
	status: string;
	mode: string;
	startedAt?: string;
	stoppedAt?: string;
	data?: { resultData: { runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, { data: string; mimeType: string; fileName?: string }> }>> }; error?: { message: string; description?: string } }>>; error?: { message: string; node?: { name: string }; description?: string } } };
}

export interface N8nOptions {
	/** The n8n command the server runs: `start` (default), or in queue mode `worker` or `webhook`. */
	command?: 'start' | 'worker' | 'webhook';
	/** Settings over the defaults below, for every command of this instance; undefined removes one. */
	env?: Record<string, string | undefined>;
	/** When the started process is ready; by default when its REST API answers (section 6 of N8N-NOTES.md). */
	ready?: (n8n: N8n) => Promise<boolean>;
	/** How long start() waits for ready (default 120 s). */
	readyWithinMs?: number;
}

export class N8n {
	readonly folder: string;
	port = 0;
	private server?: ChildProcess;
	private cookie = '';
	private apiKey = '';

	constructor(
		readonly install: Install,
		readonly options: N8nOptions = {},
	) {
		this.folder = mkdtempSync(join(tmpdir(), 'n8n-e2e-'));
	}

	get url() {
		return `http://127.0.0.1:${this.port}`;
	}

	private async env(extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
		this.port ||= await freePort();
		const env: NodeJS.ProcessEnv = {
			...process.env,
			N8N_USER_FOLDER: this.folder,
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			N8N_PORT: String(this.port),
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			N8N_ENCRYPTION_KEY: 'e2e-fixed-encryption-key',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_SECURE_COOKIE: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			DB_SQLITE_POOL_SIZE: '2',
			// Binary results travel inside the execution data, so the suite can measure their pixels.
			N8N_DEFAULT_BINARY_DATA_MODE: 'default',
			N8N_LOG_OUTPUT: 'file',
			N8N_LOG_LEVEL: 'info',
			N8N_LOG_FILE_LOCATION: join(this.folder, 'n8n.log'),
			...(this.install.major >= 2 ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
			...this.options.env,
			...extra,
		};
		for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
		return env;
	}

	/** Runs an n8n CLI command; rejects with n8n's own output when it fails. */
	async cli(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; output: string }> {
		return await collect(this.install.bin, args, { env: await this.env(extraEnv) });
	}

	async cliOk(args: string[]) {
		const result = await this.cli(args);
		if (result.code !== 0) throw new Error(`n8n ${args.join(' ')} failed (exit ${result.code}):\n${result.output.slice(-3000)}`);
		return result.output;
	}

	/** Installs the packed package the way users do: into the user folder's nodes directory. */
	async installPackage(tarball: string) {
		const nodesDir = join(this.folder, '.n8n', 'nodes');
		await run('npm', ['install', '--prefix', nodesDir, '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps', '--no-save', tarball]);
	}

	async importJson(kind: 'credentials' | 'workflow', data: unknown) {
		const file = join(this.folder, `${kind}-${Date.now()}.json`);
		writeFileSync(file, JSON.stringify(data));
		await this.cliOk([`import:${kind}`, `--input=${file}`]);
	}

	/** `n8n execute`: the execution n8n itself reports, read from its log. */
	async execute(workflowId: string): Promise<Execution> {
		const log = join(this.folder, `execute-${workflowId}-${Date.now()}.log`);
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], { N8N_LOG_FILE_LOCATION: log });
		const executions = (existsSync(log) ? readFileSync(log, 'utf8') : '')
			.split('\n')
			.filter(Boolean)
			.map((line) => {
				try {
					const execution = JSON.parse(JSON.parse(line).message);
					return execution?.data?.resultData ? execution : undefined;
				} catch {
					return undefined;
				}
			})
			.filter(Boolean);
		const execution = executions.pop() ?? (tryJson(result.output) as Execution | undefined);
		if (!execution) throw new Error(`n8n execute --id=${workflowId} gave no execution (exit ${result.code}):\n${result.output.slice(-3000)}`);
		return { id: 'cli', mode: 'cli', ...execution };
	}

	async activate(workflowId: string) {
		await this.cliOk(this.install.major >= 2 ? ['publish:workflow', `--id=${workflowId}`] : ['update:workflow', `--id=${workflowId}`, '--active=true']);
	}

	async start() {
		const env = await this.env();
		const command = this.options.command ?? 'start';
		const ready = this.options.ready ?? ((n8n: N8n) => isReady(n8n.url));
		this.server = spawn(this.install.bin, [command], { env, detached: true, stdio: 'ignore' });
		children.add(this.server);
		const within = this.options.readyWithinMs ?? 120_000;
		const deadline = Date.now() + within;
		while (Date.now() < deadline) {
			if (this.server.exitCode !== null) throw new Error(`n8n ${command} exited with ${this.server.exitCode}:\n${this.logTail()}`);
			if (await ready(this)) return;
			await sleep(500);
		}
		throw new Error(`n8n ${command} was not ready within ${within / 1000} s:\n${this.logTail()}`);
	}

	/** SIGTERM, then SIGKILL when the process group has not exited within graceMs. */
	async stop(graceMs = 10_000) {
		const server = this.server;
		if (!server?.pid) return;
		const exited = new Promise((r) => server.once('exit', () => r(true)));
		try {
			process.kill(-server.pid, 'SIGTERM');
		} catch {
			// the process group has already exited
		}
		if (server.exitCode === null && server.signalCode === null && !(await Promise.race([exited, sleep(graceMs).then(() => false)]))) {
			try {
				process.kill(-server.pid, 'SIGKILL');
			} catch {
				// the process group exited during the grace period
			}
			await exited;
		}
		children.delete(server);
		this.server = undefined;
	}

	/** SIGKILL to the process group, as an OOM kill or a lost machine would end it; start() starts it again. */
	async kill() {
		const server = this.server;
		if (!server?.pid) return;
		const exited = new Promise((r) => server.once('exit', () => r(true)));
		try {
			process.kill(-server.pid, 'SIGKILL');
		} catch {
			// the process group has already exited
		}
		if (server.exitCode === null && server.signalCode === null) await exited;
		children.delete(server);
		this.server = undefined;
	}

	logTail() {
		const file = join(this.folder, 'n8n.log');
		return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-30).join('\n') : '(no log)';
	}

	async rest(method: string, path: string, body?: unknown) {
		const response = await fetch(`${this.url}${path}`, {
			method,
			headers: { 'content-type': 'application/json', cookie: this.cookie, ...(this.apiKey ? { 'x-n8n-api-key': this.apiKey } : {}) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		const cookie = response.headers.get('set-cookie');
		if (cookie) this.cookie = cookie.split(';')[0];
		if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
		const json = tryJson(text);
		if (json === undefined) throw new Error(`${method} ${path} answered ${response.status} with no JSON: ${text.slice(0, 300)}`);
		return json as { data?: unknown } & Record<string, unknown>;
	}

	/** An owner to log in as, and a public-API key to read executions with. */
	async setUpOwner() {
		const owner = { email: 'e2e@example.com', firstName: 'E', lastName: 'T', password: 'E2e-Password-123' };
		await this.rest('POST', '/rest/owner/setup', owner);
		const scopes = ['workflow:read', 'workflow:list', 'execution:read', 'execution:list'];
		// Seen once on 1.x right after start: a 200 without JSON. Tried up to 3 times.
		for (let attempt = 1; ; attempt++) {
			try {
				const key = await this.rest('POST', '/rest/api-keys', { label: `e2e-${attempt}`, expiresAt: null, scopes });
				this.apiKey = (key.data as { rawApiKey: string }).rawApiKey;
				return;
			} catch (error) {
				if (attempt >= 3) throw error;
				await sleep(1000);
			}
		}
	}

	/** Runs a workflow from its manual trigger, as the editor's "Execute workflow" does; returns the execution id. */
	async runManually(workflowId: string, triggerName: string): Promise<string> {
		const workflow = await this.rest('GET', `/rest/workflows/${workflowId}`);
		const started = await this.rest('POST', `/rest/workflows/${workflowId}/run`, {
			workflowData: workflow.data,
			triggerToStartFrom: { name: triggerName },
		});
		return String((started.data as { executionId: string }).executionId);
	}

	/** A stored file through n8n's REST API, as the editor downloads it (logged-in cookie). */
	async binary(id: string): Promise<{ status: number; data: Buffer }> {
		const response = await fetch(`${this.url}/rest/binary-data?id=${encodeURIComponent(id)}&action=download`, { headers: { cookie: this.cookie } });
		return { status: response.status, data: Buffer.from(await response.arrayBuffer()) };
	}

	async execution(id: string): Promise<Execution> {
		return (await this.rest('GET', `/api/v1/executions/${id}?includeData=true`)) as unknown as Execution;
	}

	async executions(workflowId: string): Promise<Execution[]> {
		const all: Execution[] = [];
		for (let cursor = ''; ; ) {
			const list = await this.rest('GET', `/api/v1/executions?workflowId=${workflowId}&includeData=true&limit=100${cursor}`);
			all.push(...(list.data as Execution[]));
			if (!list.nextCursor) return all;
			cursor = `&cursor=${encodeURIComponent(String(list.nextCursor))}`;
		}
	}

	cleanup() {
		rmSync(this.folder, { recursive: true, force: true });
	}
}

/**
 * Whether n8n's REST API is up. During migrations on a fresh folder /rest/settings already answers
 * 200, with an HTML "n8n is starting up" page: only a JSON body means ready.
 */
export async function isReady(url: string): Promise<boolean> {
	try {
		const response = await fetch(`${url}/rest/settings`);
		return response.ok && tryJson(await response.text()) !== undefined;
	} catch {
		return false;
	}
}

export function fail(message: string): never {
	throw new Error(message);
}

/** Resolves with what `probe` gives once it gives something (asked every 500 ms), or fails after `ms`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		const value = await probe().catch(() => undefined);
		if (value !== undefined) return value;
		await sleep(500);
	}
	return fail(`timed out after ${ms / 1000} s waiting for ${what}`);
}

// Only the status says an execution ended: n8n 1.x lists a running webhook execution without `finished: false`.
export const hasEnded = (execution: Execution) => ['success', 'error', 'crashed', 'canceled'].includes(execution.status);

export const finished = (n8n: N8n, id: string, ms?: number) =>
	until(
		`execution ${id} to finish`,
		async () => {
			const execution = await n8n.execution(id);
			return hasEnded(execution) ? execution : undefined;
		},
		ms,
	);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tryJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** Runs a command in a process group of its own (so it can be killed whole) and collects its output. */
async function collect(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }) {
	const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	children.add(child);
	let output = '';
	child.stdout!.on('data', (chunk) => (output += chunk));
	child.stderr!.on('data', (chunk) => (output += chunk));
	const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
	children.delete(child);
	return { code, output };
}

export async function run(command: string, args: string[], cwd?: string): Promise<string> {
	const { code, output } = await collect(command, args, { cwd });
	if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output.slice(-3000)}`);
	return output;
}
