/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- dev tooling, never published: n8n's rules for community node code do not apply */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Agent, interceptors, type Dispatcher } from 'undici';
import { CallbackSender } from './callbacks';
import { ConnectionCount } from './connections';
import { readCreateBody } from './create-body';
import { classify, outcomeOf, readBody, redact, sendJson, shortImage, type Res } from './http';
import { applyHttpFault, describeFault, FaultQueue, isTaskFault, sendHttpFault, type Answer, type QueuedRule } from './faults';
import { fileTaskId, isFileFault, serveFile } from './files';
import { MIME, normalizeSpec, parsePicturePath, picturePath, renderPicture } from './images';
import { createRequestLog } from './log';
import { RateLimit, retryAfterHeader } from './rate';
import { DEFAULT_SHAPE, echoed, errorBody, taskBody } from './shapes';
import { DEFAULT_FAIL_REASON, TaskEngine, type TaskState } from './tasks';
import type { EchoPlace, Fault, FaultRule, ImageSpec, LogEntry, Route, ShapeVariant, StandIn, StandInOptions, TaskRecord, TunableOptions } from './types';
import { taskId, Timers } from './util';

export * from './types';

const FETCH_TIMEOUT_MS = 15_000;

class StandInServer implements StandIn {
	url = '';
	readonly key: string;
	readonly log = createRequestLog();
	readonly connections = new ConnectionCount();
	private readonly server = http.createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
	private readonly faults = new FaultQueue();
	private readonly timers = new Timers();
	private readonly abort = new AbortController();
	private readonly agent = new Agent({ keepAliveTimeout: 2_000 });
	private readonly dispatcher: Dispatcher = this.agent.compose(interceptors.redirect({ maxRedirections: 3 }));
	private readonly sockets = new Set<Socket>();
	private readonly keys: Set<string>;
	private readonly engine: TaskEngine;
	private readonly callbacks: CallbackSender;
	private readonly createLimit = new RateLimit();
	private readonly readLimit = new RateLimit();
	private shape: ShapeVariant;
	private tune: Required<TunableOptions>;
	private waiters: Array<() => void> = [];
	private closing?: Promise<void>;

	constructor(
		private readonly opts: StandInOptions,
		private readonly storeDir: string,
		private readonly ownsStore: boolean,
	) {
		const keys = opts.keys?.length ? opts.keys : [`aio_test_${randomBytes(12).toString('hex')}`];
		this.keys = new Set(keys);
		this.key = keys[0];
		this.shape = { ...DEFAULT_SHAPE, ...opts.shape };
		this.tune = {
			processingMs: opts.processingMs ?? 300,
			jitter: opts.jitter ?? 0,
			maxRunning: opts.maxRunning ?? Infinity,
			scale: opts.scale ?? 2,
			credits: opts.credits ?? Infinity,
			createRate: opts.createRate ?? 0,
			readRate: opts.readRate ?? 0,
			retryAfterUnitS: opts.retryAfterUnitS ?? 1,
			echoKey: opts.echoKey ?? false,
			statusLagMs: opts.statusLagMs ?? 0,
		};
		this.configureLimits();
		const signal = this.abort.signal;
		this.engine = new TaskEngine({
			storeDir,
			baseUrl: () => this.url,
			timers: this.timers,
			fetchLimits: { dispatcher: this.dispatcher, signal, maxBytes: this.maxImageBytes, timeoutMs: FETCH_TIMEOUT_MS },
			settings: () => this.tune,
			ended: (t) => this.callbacks.deliver(t.rec, t.callbackTimes),
			changed: () => this.checkIdle(),
		});
		this.callbacks = new CallbackSender({
			log: this.log,
			faults: this.faults,
			timers: this.timers,
			signal,
			dispatcher: this.dispatcher,
			attempts: () => opts.callbackAttempts ?? 3,
			body: (rec) => this.callbackBody(rec),
			changed: () => this.checkIdle(),
		});
		this.server.on('connection', (s) => {
			this.sockets.add(s);
			s.on('close', () => this.sockets.delete(s));
		});
	}

	private get maxImageBytes(): number {
		return this.opts.maxImageBytes ?? 20 * 1024 * 1024;
	}

	async listen(): Promise<void> {
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(this.opts.port ?? 0, '127.0.0.1', () => resolve());
		});
		const { port } = this.server.address() as { port: number };
		this.url = `http://127.0.0.1:${port}`;
	}

	fault(route: Route, ...rules: Array<Fault | FaultRule>): void {
		this.faults.add(route, rules);
	}

	clearFaults(): void {
		this.faults.clear();
	}

	setShape(shape: Partial<ShapeVariant>): void {
		this.shape = { ...DEFAULT_SHAPE, ...shape };
	}

	set(options: TunableOptions): void {
		for (const [k, v] of Object.entries(options)) if (v !== undefined) Object.assign(this.tune, { [k]: v });
		this.configureLimits();
		this.engine.pump();
	}

	private configureLimits(): void {
		this.createLimit.configure(this.tune.createRate);
		this.readLimit.configure(this.tune.readRate);
	}

	private echoes(place: EchoPlace): boolean {
		const echo = this.tune.echoKey;
		return echo === true || (Array.isArray(echo) && echo.includes(place));
	}

	/** A task as the service shows it: with the creating key echoed where echoKey says. */
	private render(t: TaskState, rec: TaskRecord = t.rec, withId = true): Record<string, unknown> {
		return taskBody(rec, this.shape, withId, {
			reason: this.echoes('reason') ? t.bearer : undefined,
			data: this.echoes('data') ? t.bearer : undefined,
		});
	}

	private callbackBody(rec: TaskRecord): unknown {
		const t = this.engine.all.get(rec.id);
		if (!t) return taskBody(rec, this.shape);
		if (!this.echoes('callback') || !t.bearer) return this.render(t, rec);
		const body = taskBody(rec, this.shape, true, { reason: this.echoes('reason') ? t.bearer : undefined, data: t.bearer });
		return { ...body, request_auth: t.bearer };
	}

	imageUrl(spec?: ImageSpec): string {
		return this.url + picturePath(normalizeSpec(spec));
	}

	image(spec?: ImageSpec): Promise<Buffer> {
		return renderPicture(normalizeSpec(spec));
	}

	task(id: string): TaskRecord | undefined {
		const t = this.engine.all.get(id);
		return t && { ...t.rec };
	}

	tasks(): TaskRecord[] {
		return [...this.engine.all.values()].map((t) => ({ ...t.rec }));
	}

	finishTask(id: string, outcome?: { fail?: string }): void {
		this.engine.finishTask(id, outcome);
	}

	idle(): Promise<void> {
		if (this.closing || !this.busy()) return Promise.resolve();
		return new Promise((resolve) => this.waiters.push(resolve));
	}

	close(): Promise<void> {
		this.closing ??= this.shutdown();
		return this.closing;
	}

	private async shutdown(): Promise<void> {
		this.timers.stop();
		this.abort.abort();
		this.engine.stop();
		const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
		this.server.closeAllConnections();
		for (const s of this.sockets) s.destroy();
		await Promise.all([closed, this.agent.destroy().catch(() => undefined)]);
		if (this.ownsStore) await fs.promises.rm(this.storeDir, { recursive: true, force: true });
		this.checkIdle();
	}

	private busy(): boolean {
		return this.engine.busy() || this.callbacks.pending > 0;
	}

	private checkIdle(): void {
		if (this.waiters.length === 0 || (!this.closing && this.busy())) return;
		const waiters = this.waiters;
		this.waiters = [];
		for (const w of waiters) w();
	}

	private async handle(req: http.IncomingMessage, res: Res): Promise<void> {
		const u = new URL(req.url ?? '/', 'http://127.0.0.1');
		const method = req.method ?? 'GET';
		const { route, taskId: id } = classify(u.pathname);
		// The stand-in fetches its own pictures (a task's input); the nodes send picture URLs, never fetch them.
		this.connections.request(req.socket, route === 'image');
		const entry = this.log.begin(route, method, u.pathname);
		if (id) entry.taskId = id;
		if (route === 'file') entry.taskId = fileTaskId(u.pathname);
		res.on('close', () => this.log.end(entry, res.headersSent ? res.statusCode : 0));
		const bearer = bearerOf(req);
		const answer: Answer = {
			error: (code, message, headers = {}, httpStatus = code) =>
				sendJson(res, httpStatus, errorBody(code, this.echoes('message') ? echoed(message, bearer) : message), headers),
		};
		const raw = await readBody(req);
		if (raw.aborted) return;
		if (route === 'other') return answer.error(404, 'Not found');
		const methods = route === 'create' ? ['POST'] : route === 'status' ? ['GET'] : ['GET', 'HEAD'];
		if (!methods.includes(method)) return answer.error(405, 'Method not allowed', { allow: methods.join(', ') });
		if ((route === 'create' || route === 'status') && !this.authorized(bearer)) return answer.error(401, 'Invalid API key');
		if (raw.tooLarge) return answer.error(413, 'Request body too large');
		if (this.rateLimited(route, entry, answer)) return;
		let body: unknown;
		let unparseable = false;
		if (route === 'create') {
			try {
				body = JSON.parse(raw.buf.toString('utf8'));
			} catch {
				unparseable = true;
			}
			entry.body = unparseable ? '(unparseable)' : redact(body);
		}
		const rule = this.faults.peek(route, { path: u.pathname, body, taskId: id });
		if (rule && !isTaskFault(rule.fault)) {
			this.faults.consume(route, rule);
			entry.fault = describeFault(rule.fault);
			if (await applyHttpFault(rule.fault, req, res, answer, (ms) => this.timers.sleep(ms))) return;
		}
		const taskRule = rule && isTaskFault(rule.fault) ? rule : undefined;
		if (route === 'create') return this.create(req, res, answer, { body: unparseable ? undefined : body, entry, taskRule, bearer });
		if (route === 'status') return this.status(res, answer, id ?? '', entry);
		if (route === 'file') {
			const served = await serveFile(res, this.storeDir, u.pathname, method === 'HEAD', isFileFault(rule?.fault) ? rule.fault : undefined);
			return served ? undefined : answer.error(404, 'File not found');
		}
		return this.picture(res, answer, u, method === 'HEAD');
	}

	private authorized(bearer: string | undefined): boolean {
		return !!bearer && this.keys.has(bearer.slice('Bearer '.length));
	}

	/** The account's rate limit: a 429 with Retry-After past it (creates and status reads, each its own bucket). */
	private rateLimited(route: Route | 'other', entry: LogEntry, answer: Answer): boolean {
		const limit = route === 'create' ? this.createLimit : route === 'status' ? this.readLimit : undefined;
		const waitMs = limit?.take();
		if (waitMs === undefined) return false;
		entry.fault = 'rateLimit';
		const what = route === 'create' ? `${this.tune.createRate} creates` : `${this.tune.readRate} status reads`;
		answer.error(429, `Rate limit exceeded: ${what} per second`, { 'retry-after': retryAfterHeader(waitMs, this.tune.retryAfterUnitS) });
		return true;
	}

	private async create(req: http.IncomingMessage, res: Res, answer: Answer, call: CreateCall): Promise<void> {
		const request = readCreateBody(call.body, this.tune.scale, this.maxImageBytes);
		if ('status' in request) return answer.error(request.status, request.message);
		if (this.tune.credits < 1) return answer.error(402, 'Insufficient credits: this task needs 1 credit, 0 left');
		this.tune.credits -= 1;
		if (call.taskRule) {
			this.faults.consume('create', call.taskRule);
			call.entry.fault = describeFault(call.taskRule.fault);
		}
		const fault = call.taskRule?.fault;
		const rec: TaskRecord = {
			id: taskId(),
			model: request.model,
			image: request.input ? shortImage(request.image) : request.image,
			state: 'queued',
			createdAt: Date.now(),
			scale: request.scale,
			callbackUrl: request.callbackUrl,
		};
		call.entry.taskId = rec.id;
		const urlOutcome = request.input ? undefined : outcomeOf(request.image);
		const t: TaskState = {
			rec,
			input: request.input,
			outcome: fault?.kind === 'taskFails' || urlOutcome === 'fail' ? 'fail' : fault?.kind === 'neverEnds' || urlOutcome === 'never' ? 'never' : 'ok',
			failReason: fault?.kind === 'taskFails' ? (fault.reason ?? DEFAULT_FAIL_REASON) : undefined,
			callbackTimes: fault?.kind === 'noCallback' ? 0 : fault?.kind === 'duplicateCallback' ? (fault.times ?? 2) : 1,
			bearer: call.bearer,
			statusLagMs: fault?.kind === 'statusLag' ? fault.ms : undefined,
			processingMs: fault?.kind === 'takes' ? fault.ms : undefined,
		};
		if (fault?.kind === 'sync') {
			if (t.outcome === 'never') t.outcome = 'ok';
			await this.engine.runSync(t);
			return sendJson(res, 200, this.render(t, rec, false));
		}
		this.engine.add(t);
		if (fault?.kind === 'createdThen') return sendHttpFault(fault.then, req, res, answer);
		sendJson(res, 200, this.render(t));
	}

	private status(res: Res, answer: Answer, id: string, entry: LogEntry): void {
		const t = this.engine.all.get(id);
		if (!t) return answer.error(404, 'Task not found');
		const lagMs = t.statusLagMs ?? this.tune.statusLagMs;
		const endedAt = t.rec.endedAt;
		if (lagMs > 0 && endedAt !== undefined && Date.now() - endedAt < lagMs) {
			entry.fault = 'statusLag';
			return sendJson(res, 200, this.render(t, { ...t.rec, state: 'running', endedAt: undefined, resultUrl: undefined, error: undefined }));
		}
		sendJson(res, 200, this.render(t));
	}

	private async picture(res: Res, answer: Answer, u: URL, head: boolean): Promise<void> {
		const spec = parsePicturePath(u.pathname, u.searchParams);
		if (typeof spec === 'string') return answer.error(spec === 'unknown picture path' ? 404 : 400, spec);
		const buf = await renderPicture(spec);
		if (res.destroyed) return;
		res.writeHead(200, { 'content-type': MIME[spec.format], 'content-length': buf.length, 'cache-control': 'no-store' });
		res.end(head ? undefined : buf);
	}
}

interface CreateCall {
	body: unknown;
	entry: LogEntry;
	taskRule?: QueuedRule;
	bearer?: string;
}

/** The Authorization header as `Bearer <key>`, when it has that form. */
function bearerOf(req: http.IncomingMessage): string | undefined {
	const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
	return m ? `Bearer ${m[1]}` : undefined;
}

export async function startStandIn(options: StandInOptions = {}): Promise<StandIn> {
	let storeDir = options.storeDir;
	if (storeDir) await fs.promises.mkdir(storeDir, { recursive: true });
	else storeDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'aio-stand-in-'));
	const standIn = new StandInServer(options, storeDir, !options.storeDir);
	try {
		await standIn.listen();
	} catch (err) {
		await standIn.close();
		throw err;
	}
	return standIn;
}
