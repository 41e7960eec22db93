/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotAnImage, upscaleToFile, type Upscaled } from './images';
import type { TaskRecord } from './types';
import { fetchBytes, jittered, TooLarge, type FetchLimits, type Timers } from './util';

export const DEFAULT_FAIL_REASON = 'The image could not be processed';

export interface TaskState {
	rec: TaskRecord;
	input?: Buffer;
	outcome: 'ok' | 'fail' | 'never';
	failReason?: string;
	callbackTimes: number;
	/** `Bearer <key>` as the create request sent it, for echoKey. */
	bearer?: string;
	/** This task's processing time (the takes fault); else the stand-in's processingMs. */
	processingMs?: number;
	/** This task's status lag (the statusLag fault); else the stand-in's statusLagMs. */
	statusLagMs?: number;
	work?: Promise<Outcome>;
}

type Outcome = { result: Upscaled } | { fail: string };

export interface EngineDeps {
	storeDir: string;
	baseUrl(): string;
	timers: Timers;
	fetchLimits: FetchLimits;
	settings(): { processingMs: number; jitter: number; maxRunning: number };
	ended(t: TaskState): void;
	changed(): void;
}

const isOver = (t: TaskState): boolean => t.rec.state === 'succeeded' || t.rec.state === 'failed';
const UPSCALES_KEPT = 64;

export class TaskEngine {
	readonly all = new Map<string, TaskState>();
	private readonly live = new Set<TaskState>();
	private readonly running = new Set<TaskState>();
	private queue: TaskState[] = [];
	/** Results by input and scale: a batch of the same picture (the bench's memory rows) is upscaled once, then copied. */
	private readonly upscales = new Map<string, Promise<Upscaled>>();

	constructor(private readonly deps: EngineDeps) {}

	add(t: TaskState): void {
		this.all.set(t.rec.id, t);
		this.live.add(t);
		this.queue.push(t);
		this.pump();
	}

	pump(): void {
		const { maxRunning } = this.deps.settings();
		while (this.queue.length > 0 && this.running.size < maxRunning) this.start(this.queue.shift()!);
	}

	async runSync(t: TaskState): Promise<void> {
		this.all.set(t.rec.id, t);
		this.live.add(t);
		this.markRunning(t);
		this.finish(t, t.outcome === 'fail' ? { fail: t.failReason ?? DEFAULT_FAIL_REASON } : await this.process(t));
	}

	finishTask(id: string, outcome?: { fail?: string }): void {
		const t = this.all.get(id);
		if (!t || isOver(t)) return;
		if (outcome?.fail !== undefined) return this.finish(t, { fail: outcome.fail || DEFAULT_FAIL_REASON });
		t.outcome = 'ok';
		if (t.rec.state === 'queued') {
			this.queue = this.queue.filter((q) => q !== t);
			this.markRunning(t);
		}
		void this.complete(t);
	}

	busy(): boolean {
		const { maxRunning } = this.deps.settings();
		const blocked = this.running.size >= maxRunning && [...this.running].every((t) => t.outcome === 'never');
		for (const t of this.live) {
			if (t.outcome === 'never' || (blocked && t.rec.state === 'queued')) continue;
			return true;
		}
		return false;
	}

	stop(): void {
		this.queue = [];
	}

	private markRunning(t: TaskState): void {
		t.rec.state = 'running';
		t.rec.startedAt = Date.now();
	}

	private start(t: TaskState): void {
		this.markRunning(t);
		this.running.add(t);
		if (t.outcome !== 'fail') t.work = this.process(t);
		const { processingMs, jitter } = this.deps.settings();
		this.deps.timers.after(jittered(t.processingMs ?? processingMs, jitter), () => {
			if (t.outcome !== 'never') void this.complete(t);
		});
		this.deps.changed();
	}

	private async complete(t: TaskState): Promise<void> {
		if (t.outcome === 'fail') return this.finish(t, { fail: t.failReason ?? DEFAULT_FAIL_REASON });
		this.finish(t, await (t.work ??= this.process(t)));
	}

	private async process(t: TaskState): Promise<Outcome> {
		try {
			const input = t.input ?? (await fetchBytes(t.rec.image, this.deps.fetchLimits));
			return { result: await this.upscale(input, t.rec.scale, path.join(this.deps.storeDir, t.rec.id)) };
		} catch (err) {
			const message = (err as Error).message;
			if (err instanceof NotAnImage || err instanceof TooLarge) return { fail: message };
			return { fail: `Could not download the image: ${message}` };
		}
	}

	private async upscale(input: Buffer, scale: number, fileBase: string): Promise<Upscaled> {
		const key = `${createHash('sha1').update(input).digest('hex')}|${scale}`;
		const pending = this.upscales.get(key);
		const earlier = pending && (await pending.catch(() => undefined));
		if (earlier) {
			const file = `${fileBase}.${earlier.ext}`;
			await fs.promises.copyFile(earlier.file, file);
			return { ...earlier, file };
		}
		const job = upscaleToFile(input, scale, fileBase);
		this.upscales.set(key, job);
		if (this.upscales.size > UPSCALES_KEPT) this.upscales.delete(this.upscales.keys().next().value as string);
		job.catch(() => this.upscales.delete(key));
		return job;
	}

	private finish(t: TaskState, outcome: Outcome): void {
		if (isOver(t)) return;
		const rec = t.rec;
		rec.endedAt = Date.now();
		if ('fail' in outcome) {
			rec.state = 'failed';
			rec.error = outcome.fail;
		} else {
			const r = outcome.result;
			rec.state = 'succeeded';
			rec.resultUrl = `${this.deps.baseUrl()}/files/${rec.id}.${r.ext}`;
			Object.assign(rec, {
				inputWidth: r.inputWidth,
				inputHeight: r.inputHeight,
				outputWidth: r.outputWidth,
				outputHeight: r.outputHeight,
			});
		}
		t.input = undefined;
		t.work = undefined;
		this.live.delete(t);
		this.queue = this.queue.filter((q) => q !== t);
		if (this.running.delete(t)) this.pump();
		this.deps.ended(t);
		this.deps.changed();
	}
}
