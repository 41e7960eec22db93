import { request, type Dispatcher } from 'undici';
import type { FaultQueue } from './faults';
import { describeFault } from './faults';
import type { RequestLogWriter } from './log';
import type { TaskRecord } from './types';
import type { Timers } from './util';

export interface CallbackDeps {
	log: RequestLogWriter;
	faults: FaultQueue;
	timers: Timers;
	signal: AbortSignal;
	dispatcher: Dispatcher;
	attempts(): number;
	body(rec: TaskRecord): unknown;
	changed(): void;
}

const TIMEOUT_MS = 10_000;

export class CallbackSender {
	pending = 0;

	constructor(private readonly deps: CallbackDeps) {}

	deliver(rec: TaskRecord, times: number): void {
		if (!rec.callbackUrl || times < 1 || this.deps.signal.aborted) return;
		this.pending += 1;
		this.run(rec, rec.callbackUrl, times)
			.catch(() => undefined)
			.finally(() => {
				this.pending -= 1;
				this.deps.changed();
			});
	}

	private async run(rec: TaskRecord, url: string, times: number): Promise<void> {
		const path = new URL(url).pathname;
		for (let i = 0; i < times; i++) {
			let body = this.deps.body(rec);
			const fault = this.deps.faults.take('callback', { path, body, taskId: rec.id });
			let raw: string | undefined;
			switch (fault?.kind) {
				case 'noCallback':
					continue;
				case 'duplicateCallback':
					times += (fault.times ?? 2) - 1;
					break;
				case 'delay':
					await this.deps.timers.sleep(fault.ms);
					body = this.deps.body(rec);
					break;
				case 'malformed':
					raw = JSON.stringify(body).slice(0, 40);
					body = raw;
					break;
				case 'envelope':
					body = { code: fault.code, message: fault.message };
					break;
			}
			await this.send(rec, url, path, body, raw ?? JSON.stringify(body), fault && describeFault(fault));
		}
	}

	private async send(rec: TaskRecord, url: string, path: string, body: unknown, raw: string, fault?: string): Promise<void> {
		const max = Math.max(1, this.deps.attempts());
		for (let attempt = 1; attempt <= max; attempt++) {
			if (this.deps.signal.aborted) return;
			const entry = this.deps.log.begin('callback', 'POST', path);
			Object.assign(entry, { body, taskId: rec.id, fault });
			let status: number | 'error' = 'error';
			try {
				const res = await request(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json', 'user-agent': 'apiinone-stand-in' },
					body: raw,
					dispatcher: this.deps.dispatcher,
					signal: AbortSignal.any([this.deps.signal, AbortSignal.timeout(TIMEOUT_MS)]),
				});
				await res.body.dump();
				status = res.statusCode;
			} catch {
				status = 'error';
			}
			this.deps.log.end(entry, status === 'error' ? 0 : status);
			this.deps.log.callbacks.push({ taskId: rec.id, url, attempt, status, body, at: entry.at });
			if (typeof status === 'number' && status >= 200 && status < 300) return;
			if (attempt < max) await this.deps.timers.sleep(100 * 3 ** (attempt - 1));
		}
	}
}
