import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Agent, interceptors, type Dispatcher } from 'undici';
import { CallbackSender } from './callbacks';
import { classify, DATA_URL, isHttpUrl, JSON_TYPE, outcomeOf, readBody, redact, sendJson, sendText, shortImage, type Res } from './http';
import { describeFault, FaultQueue, isTaskFault, type QueuedRule } from './faults';
import { MIME, MIME_BY_EXT, normalizeSpec, parsePicturePath, picturePath, renderPicture } from './images';
import { createRequestLog } from './log';
import { DEFAULT_SHAPE, errorBody, taskBody } from './shapes';
import { DEFAULT_FAIL_REASON, TaskEngine, type TaskState } from './tasks';
import type { Fault, FaultRule, ImageSpec, LogEntry, Route, ShapeVariant, StandIn, StandInOptions, TaskRecord, TunableOptions } from './types';
import { taskId, Timers } from './util';

export * from './types';

const FETCH_TIMEOUT_MS = 15_000;

class StandInServer implements StandIn {
	url = '';
	readonly key: string;
	readonly log = createRequestLog();
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
		};
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
			body: (rec) => taskBody(rec, this.shape),
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
		this.engine.pump();
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
		const entry = this.log.begin(route, method, u.pathname);
		if (id) entry.taskId = id;
		res.on('close', () => this.log.end(entry, res.headersSent ? res.statusCode : 0));
		const raw = await readBody(req);
		if (raw.aborted) return;
		if (route === 'other') return sendJson(res, 404, errorBody(404, 'Not found'));
		const methods = route === 'create' ? ['POST'] : route === 'status' ? ['GET'] : ['GET', 'HEAD'];
		if (!methods.includes(method)) {
			return sendJson(res, 405, errorBody(405, 'Method not allowed'), { allow: methods.join(', ') });
		}
		if ((route === 'create' || route === 'status') && !this.authorized(req)) {
			return sendJson(res, 401, errorBody(401, 'Invalid API key'));
		}
		if (raw.tooLarge) return sendJson(res, 413, errorBody(413, 'Request body too large'));
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
			if (await this.applyFault(rule.fault, req, res)) return;
		}
		const taskRule = rule && isTaskFault(rule.fault) ? rule : undefined;
		if (route === 'create') return this.create(res, unparseable ? undefined : body, entry, taskRule);
		if (route === 'status') return this.status(res, id ?? '');
		if (route === 'file') return this.file(res, u.pathname, method === 'HEAD', rule?.fault.kind === 'chunked');
		return this.picture(res, u, method === 'HEAD');
	}

	private authorized(req: http.IncomingMessage): boolean {
		const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
		return !!m && this.keys.has(m[1]);
	}

	private async applyFault(fault: Fault, req: http.IncomingMessage, res: Res): Promise<boolean> {
		switch (fault.kind) {
			case 'status': {
				const headers: http.OutgoingHttpHeaders = {};
				if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
				const message = fault.message ?? http.STATUS_CODES[fault.status] ?? 'Error';
				if (typeof fault.body === 'string') sendText(res, fault.status, fault.body, headers);
				else sendJson(res, fault.status, fault.body ?? errorBody(fault.status, message), headers);
				return true;
			}
			case 'reset':
				req.socket.resetAndDestroy();
				return true;
			case 'hang':
				return true;
			case 'malformed':
				sendText(res, 200, '{"code":200,"message":"success","data":{"task_id":"n41', { 'content-type': JSON_TYPE });
				return true;
			case 'envelope':
				sendJson(res, 200, errorBody(fault.code, fault.message));
				return true;
			case 'delay':
				await this.timers.sleep(fault.ms);
				return false;
			default:
				return false;
		}
	}

	private async create(res: Res, body: unknown, entry: LogEntry, taskRule?: QueuedRule): Promise<void> {
		const fail = (status: number, message: string): void => sendJson(res, status, errorBody(status, message));
		if (!body || typeof body !== 'object' || Array.isArray(body)) return fail(400, 'Body must be a JSON object');
		const b = body as Record<string, unknown>;
		if (typeof b.model !== 'string' || !b.model.trim()) return fail(400, 'model is required');
		if (b.image === undefined || b.image === null || b.image === '') return fail(400, 'image is required');
		const image = b.image;
		const dataUrl = typeof image === 'string' ? DATA_URL.exec(image) : null;
		if (typeof image !== 'string' || (!dataUrl && !isHttpUrl(image))) {
			return fail(422, 'image must be an http(s) URL or a data:image/...;base64, URL');
		}
		const callbackUrl = b.callback_url ?? undefined;
		if (callbackUrl !== undefined && (typeof callbackUrl !== 'string' || !isHttpUrl(callbackUrl))) {
			return fail(422, 'callback_url must be an http(s) URL');
		}
		const scale = b.scale === undefined || b.scale === null ? this.tune.scale : Number(b.scale);
		if (typeof b.scale === 'boolean' || !Number.isFinite(scale) || scale < 1 || scale > 4) {
			return fail(422, 'scale must be a number between 1 and 4');
		}
		let input: Buffer | undefined;
		if (dataUrl) {
			input = Buffer.from(image.slice(dataUrl[0].length), 'base64');
			if (input.length === 0) return fail(422, 'image data URL is empty');
			if (input.length > this.maxImageBytes) return fail(413, `The image is larger than ${this.maxImageBytes} bytes`);
		}
		if (this.tune.credits < 1) return fail(402, 'Insufficient credits: this task needs 1 credit, 0 left');
		this.tune.credits -= 1;
		if (taskRule) {
			this.faults.consume('create', taskRule);
			entry.fault = describeFault(taskRule.fault);
		}
		const fault = taskRule?.fault;
		const rec: TaskRecord = {
			id: taskId(),
			model: b.model,
			image: dataUrl ? shortImage(image) : image,
			state: 'queued',
			createdAt: Date.now(),
			scale,
			callbackUrl,
		};
		entry.taskId = rec.id;
		const urlOutcome = dataUrl ? undefined : outcomeOf(image);
		const t: TaskState = {
			rec,
			input,
			outcome: fault?.kind === 'taskFails' || urlOutcome === 'fail' ? 'fail' : fault?.kind === 'neverEnds' || urlOutcome === 'never' ? 'never' : 'ok',
			failReason: fault?.kind === 'taskFails' ? (fault.reason ?? DEFAULT_FAIL_REASON) : undefined,
			callbackTimes: fault?.kind === 'noCallback' ? 0 : fault?.kind === 'duplicateCallback' ? (fault.times ?? 2) : 1,
		};
		if (fault?.kind === 'sync') {
			if (t.outcome === 'never') t.outcome = 'ok';
			await this.engine.runSync(t);
			return sendJson(res, 200, taskBody(rec, this.shape, false));
		}
		this.engine.add(t);
		sendJson(res, 200, taskBody(rec, this.shape));
	}

	private status(res: Res, id: string): void {
		const t = this.engine.all.get(id);
		if (!t) return sendJson(res, 404, errorBody(404, 'Task not found'));
		sendJson(res, 200, taskBody(t.rec, this.shape));
	}

	private async file(res: Res, pathname: string, head: boolean, chunked = false): Promise<void> {
		const m = /^\/files\/(n41[a-z0-9]+)\.(png|jpg|webp)$/.exec(pathname);
		const file = m && path.join(this.storeDir, `${m[1]}.${m[2]}`);
		const stat = file ? await fs.promises.stat(file).catch(() => undefined) : undefined;
		if (!m || !file || !stat) return sendJson(res, 404, errorBody(404, 'File not found'));
		res.writeHead(200, { 'content-type': MIME_BY_EXT[m[2]], ...(chunked ? {} : { 'content-length': stat.size }) });
		if (head) return void res.end();
		const stream = fs.createReadStream(file);
		stream.on('error', () => res.destroy());
		res.on('close', () => stream.destroy());
		stream.pipe(res);
	}

	private async picture(res: Res, u: URL, head: boolean): Promise<void> {
		const spec = parsePicturePath(u.pathname, u.searchParams);
		if (typeof spec === 'string') {
			const status = spec === 'unknown picture path' ? 404 : 400;
			return sendJson(res, status, errorBody(status, spec));
		}
		const buf = await renderPicture(spec);
		if (res.destroyed) return;
		res.writeHead(200, { 'content-type': MIME[spec.format], 'content-length': buf.length, 'cache-control': 'no-store' });
		res.end(head ? undefined : buf);
	}
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
