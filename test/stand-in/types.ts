export type Route = 'create' | 'status' | 'file' | 'image' | 'callback';

/** What a request can get instead of the normal answer. */
export type HttpFault =
	| { kind: 'status'; status: number; message?: string; retryAfter?: string | number; body?: unknown }
	/** The connection is reset (RST): the client sees ECONNRESET. */
	| { kind: 'reset' }
	/** The connection is closed (FIN) without an answer: the client sees "socket hang up". */
	| { kind: 'hangUp' }
	/** No answer at all, until the client gives up or the stand-in closes. */
	| { kind: 'hang' }
	| { kind: 'malformed' }
	/** HTTP 200 whose envelope carries an error `code` (e.g. 429, 500, 503) and `message`. */
	| { kind: 'envelope'; code: number; message: string; retryAfter?: string | number };

export type Fault =
	| HttpFault
	| { kind: 'taskFails'; reason?: string }
	| { kind: 'neverEnds' }
	| { kind: 'sync' }
	| { kind: 'duplicateCallback'; times?: number }
	| { kind: 'noCallback' }
	| { kind: 'delay'; ms: number }
	/** create route: the task IS created (a credit spent, logged with its id), then `then` is answered instead. */
	| { kind: 'createdThen'; then: HttpFault }
	/** create route: this task takes `ms` to process (jittered like the others) instead of processingMs. */
	| { kind: 'takes'; ms: number }
	/** create route: this task's status route reports it running for `ms` more after it ended (its callback goes out at the end). */
	| { kind: 'statusLag'; ms: number }
	/** file route: serve without Content-Length (chunked), as some CDNs do. */
	| { kind: 'chunked' }
	/**
	 * file route: a body sent with `content-encoding: gzip` whatever the request's accept-encoding,
	 * small on the wire but inflating to `inflatedBytes` (default 50 MiB: about 50 KB compressed).
	 * `contentLength` (default true) sends the compressed size as Content-Length; false sends it chunked.
	 */
	| { kind: 'gzipBomb'; inflatedBytes?: number; contentLength?: boolean };

export type FaultKind = Fault['kind'];

export interface FaultMatchInput {
	path: string;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the request's JSON, read by each rule's own match
	body: any;
	taskId?: string;
}

export interface FaultRule {
	fault: Fault;
	times?: number;
	match?: (req: FaultMatchInput) => boolean;
}

export interface ShapeVariant {
	envelope: boolean;
	statusCase: 'upper' | 'lower' | 'title';
	words: 'default' | 'alt';
	idAt: 'data.task_id' | 'data.id' | 'task_id' | 'id';
	resultAt:
		| 'output.string'
		| 'output.array'
		| 'output.object'
		| 'output.objects'
		| 'result'
		| 'result_url'
		| 'image_url'
		| 'url'
		| 'result_urls'
		| 'images.string'
		| 'images.object';
	errorAt: 'error.string' | 'error.object' | 'fail_reason' | 'message';
}

export interface StandInOptions {
	port?: number;
	processingMs?: number;
	jitter?: number;
	maxRunning?: number;
	scale?: number;
	keys?: string[];
	credits?: number;
	shape?: Partial<ShapeVariant>;
	callbackAttempts?: number;
	maxImageBytes?: number;
	storeDir?: string;
	/** Creates per second the account may send (token bucket holding one second's worth, at least 1); 0 or unset: no limit. */
	createRate?: number;
	/** Status reads per second, the same way; 0 or unset: no limit. */
	readRate?: number;
	/**
	 * The rate limiter's Retry-After is the time until the next token, rounded up to a multiple of this
	 * many seconds. Default 1: whole seconds, as the real header. A time-scaled run sets its scale
	 * (e.g. 0.25 gives "0.25", "0.5"); 0 gives the exact time with millisecond precision ("0.048").
	 */
	retryAfterUnitS?: number;
	/** The service echoes the request's `Bearer <key>` into what it sends: see EchoPlace. true: everywhere. */
	echoKey?: boolean | EchoPlace[];
	/** Every task's status route reports it running for this many ms after it ended; its callback goes out at the end. */
	statusLagMs?: number;
}

/**
 * Where `echoKey` puts `Bearer <key>` (the key the request carried; for a task, the key that created it):
 * - `reason`: appended to a failed task's failure reason (status answers and callbacks);
 * - `data`: extra fields of the task's data object: `request_auth: "Bearer <key>"` and
 *   `debug: { headers: { authorization: "Bearer <key>" } }` (so in the node's raw `response`);
 * - `message`: appended to the envelope `message` of every error answer (validation, 401, 402, 404, 429, status and envelope faults);
 * - `callback`: the callback body gets `request_auth: "Bearer <key>"` at its top level and the `data` fields above.
 */
export type EchoPlace = 'reason' | 'data' | 'message' | 'callback';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface ImageSpec {
	width?: number;
	height?: number;
	format?: ImageFormat;
	noise?: boolean;
	name?: string;
	outcome?: 'fail' | 'never';
}

export interface LogEntry {
	route: Route | 'other';
	method: string;
	path: string;
	status: number;
	body?: unknown;
	taskId?: string;
	at: number;
	ms: number;
	/** What the request got instead of the normal answer: 'status:429', 'createdThen:reset', 'rateLimit', 'statusLag', 'gzipBomb', ... */
	fault?: string;
}

export interface CallbackAttempt {
	taskId: string;
	url: string;
	attempt: number;
	status: number | 'error';
	body: unknown;
	at: number;
}

export interface RequestLog {
	entries: LogEntry[];
	count(route: Route, filter?: (e: LogEntry) => boolean): number;
	maxInFlight(route: Route): number;
	statusReads(taskId?: string): number;
	bodies(route: Route): unknown[];
	callbacks: CallbackAttempt[];
	/** Answers with HTTP status 429 (the rate limiter's, fault `rateLimit`, and 429 faults), of one route or all. */
	rateLimited(route?: Route): number;
	clear(): void;
}

export interface TaskRecord {
	id: string;
	model: string;
	image: string;
	state: 'queued' | 'running' | 'succeeded' | 'failed';
	createdAt: number;
	startedAt?: number;
	endedAt?: number;
	resultUrl?: string;
	error?: string;
	callbackUrl?: string;
	scale: number;
	inputWidth?: number;
	inputHeight?: number;
	outputWidth?: number;
	outputHeight?: number;
}

export type TunableOptions = Partial<
	Pick<
		StandInOptions,
		'processingMs' | 'jitter' | 'maxRunning' | 'scale' | 'credits' | 'createRate' | 'readRate' | 'retryAfterUnitS' | 'echoKey' | 'statusLagMs'
	>
>;

/** The TCP connections clients hold open to the stand-in (its own fetches of its pictures left out). */
export interface ConnectionStats {
	/** Open now. */
	readonly open: number;
	/** The most open at once since the start or the last resetPeak(). */
	readonly peak: number;
	/** Opened since the start or the last resetPeak(). */
	readonly total: number;
	/** Starts a new count: the peak from those open now, the total from 0. */
	resetPeak(): void;
}

export interface StandIn {
	url: string;
	key: string;
	log: RequestLog;
	connections: ConnectionStats;
	fault(route: Route, ...rules: Array<Fault | FaultRule>): void;
	clearFaults(): void;
	setShape(shape: Partial<ShapeVariant>): void;
	set(options: TunableOptions): void;
	imageUrl(spec?: ImageSpec): string;
	image(spec?: ImageSpec): Promise<Buffer>;
	task(id: string): TaskRecord | undefined;
	tasks(): TaskRecord[];
	finishTask(id: string, outcome?: { fail?: string }): void;
	idle(): Promise<void>;
	close(): Promise<void>;
}
