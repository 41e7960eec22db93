/* eslint-disable @n8n/community-nodes/no-restricted-globals -- dev tooling, never published: n8n's rules for community node code do not apply */
import { randomInt } from 'node:crypto';
import { request, type Dispatcher } from 'undici';

export class Timers {
	private readonly pending = new Set<NodeJS.Timeout>();
	private stopped = false;

	after(ms: number, fn: () => void): void {
		if (this.stopped) return;
		const t = setTimeout(() => {
			this.pending.delete(t);
			fn();
		}, Math.max(0, ms));
		this.pending.add(t);
	}

	sleep(ms: number): Promise<void> {
		return new Promise((resolve) => this.after(ms, resolve));
	}

	stop(): void {
		this.stopped = true;
		for (const t of this.pending) clearTimeout(t);
		this.pending.clear();
	}
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function taskId(): string {
	let id = 'n41';
	for (let i = 0; i < 10; i++) id += ALNUM[randomInt(ALNUM.length)];
	return id;
}

export interface FetchLimits {
	dispatcher: Dispatcher;
	signal: AbortSignal;
	maxBytes: number;
	timeoutMs: number;
}

export async function fetchBytes(url: string, limits: FetchLimits): Promise<Buffer> {
	const signal = AbortSignal.any([limits.signal, AbortSignal.timeout(limits.timeoutMs)]);
	const res = await request(url, {
		dispatcher: limits.dispatcher,
		signal,
		headersTimeout: limits.timeoutMs,
		bodyTimeout: limits.timeoutMs,
	});
	if (res.statusCode < 200 || res.statusCode >= 300) {
		await res.body.dump();
		throw new Error(`HTTP ${res.statusCode}`);
	}
	const declared = Number(res.headers['content-length']);
	if (declared > limits.maxBytes) {
		res.body.destroy();
		throw new TooLarge(limits.maxBytes);
	}
	const chunks: Buffer[] = [];
	let total = 0;
	for await (const chunk of res.body) {
		total += (chunk as Buffer).length;
		if (total > limits.maxBytes) {
			res.body.destroy();
			throw new TooLarge(limits.maxBytes);
		}
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks, total);
}

export class TooLarge extends Error {
	constructor(max: number) {
		super(`The image is larger than ${Math.round(max / 1024 / 1024)} MB`);
	}
}

export function jittered(ms: number, jitter: number): number {
	if (!jitter) return ms;
	return Math.max(0, Math.round(ms * (1 + jitter * (2 * Math.random() - 1))));
}
