/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

import type { FaultRule, ImageSpec, Route, StandInOptions, TunableOptions } from '../test/stand-in/server';
import type { Snapshot } from './stand-in-process';

/** The parent's handle on bench/stand-in-process.ts: a stand-in in a process of its own. */
export class StandInClient {
	url = '';
	key = '';
	private nextId = 1;
	private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
	private readonly ready: Promise<void>;
	private exited = false;

	private constructor(private readonly child: ChildProcess) {
		this.ready = new Promise((resolve, reject) => {
			child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
				if (message.id === 0) return resolve();
				const waiter = this.pending.get(message.id);
				if (!waiter) return;
				this.pending.delete(message.id);
				if (message.error) waiter.reject(new Error(`stand-in: ${message.error}`));
				else waiter.resolve(message.result);
			});
			child.on('exit', (code) => {
				this.exited = true;
				const error = new Error(`the stand-in process exited (${code})`);
				reject(error);
				for (const waiter of this.pending.values()) waiter.reject(error);
				this.pending.clear();
			});
		});
	}

	static async start(options: StandInOptions): Promise<StandInClient> {
		const child = fork(path.join(__dirname, 'stand-in-process.ts'), [JSON.stringify(options)], {
			execArgv: ['--import', 'tsx'],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		const client = new StandInClient(child);
		await client.ready;
		const info = (await client.call({ op: 'info' })) as { url: string; key: string };
		client.url = info.url;
		client.key = info.key;
		return client;
	}

	get pid() {
		return this.child.pid;
	}

	private call(request: Record<string, unknown>): Promise<unknown> {
		if (this.exited) return Promise.reject(new Error('the stand-in process is gone'));
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			this.child.send({ id, ...request });
		});
	}

	set = (options: TunableOptions) => this.call({ op: 'set', options });
	clear = () => this.call({ op: 'clear' });
	/** Fault rules without `match` (functions do not cross the process boundary). */
	fault = (route: Route, rules: FaultRule[]) => this.call({ op: 'fault', route, rules });
	clearFaults = () => this.call({ op: 'clearFaults' });
	idle = () => this.call({ op: 'idle' });
	imageUrl = (spec: ImageSpec) => this.call({ op: 'imageUrl', spec }) as Promise<string>;
	snapshot = () => this.call({ op: 'snapshot' }) as Promise<Snapshot>;

	async close(): Promise<void> {
		if (this.exited) return;
		const gone = new Promise((resolve) => this.child.once('exit', resolve));
		await this.call({ op: 'close' }).catch(() => undefined);
		await gone;
	}

	kill() {
		if (!this.exited) this.child.kill();
	}
}
