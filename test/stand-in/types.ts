export type Route = 'create' | 'status' | 'file' | 'image' | 'callback';

export type Fault =
	| { kind: 'status'; status: number; message?: string; retryAfter?: string | number; body?: unknown }
	| { kind: 'reset' }
	| { kind: 'hang' }
	| { kind: 'malformed' }
	| { kind: 'envelope'; code: number; message: string }
	| { kind: 'taskFails'; reason?: string }
	| { kind: 'neverEnds' }
	| { kind: 'sync' }
	| { kind: 'duplicateCallback'; times?: number }
	| { kind: 'noCallback' }
	| { kind: 'delay'; ms: number }
	/** file route: serve without Content-Length (chunked), as some CDNs do. */
	| { kind: 'chunked' };

export type FaultKind = Fault['kind'];

export interface FaultMatchInput {
	path: string;
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
}

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

export type TunableOptions = Partial<Pick<StandInOptions, 'processingMs' | 'jitter' | 'maxRunning' | 'scale' | 'credits'>>;

export interface StandIn {
	url: string;
	key: string;
	log: RequestLog;
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
