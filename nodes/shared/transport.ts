import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { apiError } from './errors';
import { pause } from './pause';
import { isTaskId, parseTask, readEnvelope, type Task } from './task';

// Every request to the service goes through here: auth, retries, envelope errors, error mapping.
// HTTP status codes are known nowhere else.

export const CREDENTIAL = 'apiInOneApi';

export type ApiContext = IExecuteFunctions | IWebhookFunctions;

export interface CallOptions {
	itemIndex?: number;
	/** Bounds every attempt; the whole call takes at most about maxAttempts times this plus the waits. */
	timeoutMs?: number;
	maxAttempts?: number;
	/** A retry that would wait longer than this (e.g. a long Retry-After) fails at once instead. */
	maxRetryWaitMs?: number;
	/** Stops retry waits early; defaults to the execution's cancel signal. */
	signal?: AbortSignal;
}

interface Call extends CallOptions {
	method: 'GET' | 'POST';
	path: string;
	body?: IDataObject;
	/** A create must never be sent twice after a failure that may have reached the service. */
	isCreate: boolean;
}

interface Failure {
	ok: false;
	kind: 'status' | 'envelope' | 'malformed' | 'network';
	status?: number;
	message: string;
	retryAfterMs?: number;
	network?: 'timeout' | 'refused' | 'reset' | 'other';
}
type Outcome = { ok: true; body: unknown } | Failure;

const RETRYABLE_STATUS = [429, 502, 503, 504];
const DEFAULT_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8000;
const MAX_RETRY_AFTER_MS = 60_000;

interface Account {
	baseUrl: string;
	apiKey: string;
}
const accounts = new WeakMap<object, Promise<Account>>();

/** Credentials are read once per execution context, not once per request. */
function account(ctx: ApiContext): Promise<Account> {
	let found = accounts.get(ctx);
	if (!found) {
		found = ctx.getCredentials(CREDENTIAL).then((credentials) => ({
			baseUrl: String(credentials.baseUrl || 'https://apiin.one').replace(/\/+$/, ''),
			apiKey: String(credentials.apiKey ?? ''),
		}));
		accounts.set(ctx, found);
	}
	return found;
}

export function cancelSignal(ctx: ApiContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal?.() : undefined;
}

function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function backoffMs(retry: number): number {
	const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (retry - 1));
	return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function errorCode(error: unknown): string {
	const seen: string[] = [];
	let current: unknown = error;
	for (let depth = 0; current && typeof current === 'object' && depth < 6; depth++) {
		const { code, message } = current as { code?: unknown; message?: unknown };
		seen.push(String(code ?? ''), String(message ?? ''));
		current = (current as { cause?: unknown }).cause;
	}
	return seen.join(' ');
}

function networkKind(error: unknown): 'timeout' | 'refused' | 'reset' | 'other' {
	const code = errorCode(error);
	if (/ETIMEDOUT|ECONNABORTED|TIMEOUT|timed? ?out/i.test(code)) return 'timeout';
	if (/ECONNREFUSED|refused the connection/i.test(code)) return 'refused';
	if (/ECONNRESET|EPIPE|UND_ERR_SOCKET|socket hang up|other side closed|terminated/i.test(code)) return 'reset';
	return 'other';
}

async function send(ctx: ApiContext, call: Call, baseUrl: string): Promise<Outcome> {
	const options: IHttpRequestOptions = {
		method: call.method,
		url: `${baseUrl}${call.path}`,
		headers: { Accept: 'application/json', ...(call.body ? { 'Content-Type': 'application/json' } : {}) },
		body: call.body ? JSON.stringify(call.body) : undefined,
		encoding: 'text',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: call.timeoutMs,
	};
	let response: { statusCode: number; headers: IDataObject; body: unknown };
	try {
		response = await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL, options);
	} catch (error) {
		return { ok: false, kind: 'network', network: networkKind(error), message: 'The service could not be reached' };
	}
	let body: unknown = response.body;
	const raw = Buffer.isBuffer(body) ? body.toString('utf8') : body;
	if (typeof raw === 'string') {
		try {
			body = raw.trim() === '' ? {} : JSON.parse(raw);
		} catch {
			if (response.statusCode < 400) {
				return { ok: false, kind: 'malformed', status: response.statusCode, message: 'The service sent an answer that is not valid JSON' };
			}
			body = { message: raw.slice(0, 300) };
		}
	}
	const envelope = readEnvelope(body);
	if (response.statusCode >= 400) {
		return {
			ok: false,
			kind: 'status',
			status: response.statusCode,
			message: envelope.error?.message ?? envelope.message ?? `HTTP ${response.statusCode}`,
			retryAfterMs: parseRetryAfter(response.headers['retry-after']),
		};
	}
	if (envelope.error) return { ok: false, kind: 'envelope', status: envelope.error.code, message: envelope.error.message };
	return { ok: true, body };
}

// A create that failed this way may still have made a task: sending it again could cost a second credit.
function isAmbiguousCreate(call: Call, failure: Failure): boolean {
	if (!call.isCreate) return false;
	if (failure.kind === 'network') return failure.network === 'timeout';
	return failure.kind === 'malformed' || (failure.kind === 'status' && failure.status === 500);
}

function isRetryable(call: Call, failure: Failure): boolean {
	if (isAmbiguousCreate(call, failure) || /credit/i.test(failure.message)) return false;
	switch (failure.kind) {
		case 'network':
			return failure.network !== 'other';
		case 'malformed':
			return true;
		case 'status':
			return RETRYABLE_STATUS.includes(failure.status!) || failure.status === 500;
		default:
			return false;
	}
}

function describe(failure: Failure, attempts: number): { message: string; description: string } {
	const { status, message } = failure;
	const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
	if (failure.kind === 'network') {
		return {
			message: `The API in One service could not be reached${tries}`,
			description: failure.network === 'timeout' ? 'The request timed out.' : `Connection ${failure.network}: check the Base URL in the credential and your network.`,
		};
	}
	if (status === 402 || /credit/i.test(message)) {
		return { message: `Out of credits: ${message}`, description: 'Top up your API in One account; each image costs 1 credit.' };
	}
	if (status === 401 || status === 403) return { message: `Invalid API key: ${message}`, description: 'Check the API key in the credential.' };
	if (status === 404) return { message: `Not found: ${message}`, description: 'Check the task ID.' };
	if (status === 400 || status === 422) {
		return { message: `The service rejected the request: ${message}`, description: 'Check the image and the options.' };
	}
	if (status === 429) return { message: `Rate limited by the service${tries}: ${message}`, description: 'Lower the Concurrency option or try again later.' };
	if (failure.kind === 'envelope') {
		return { message: `The service answered with an error (code ${status}): ${message}`, description: 'The service reported the error inside a successful HTTP answer.' };
	}
	const later = 'The service had a problem; try again later.';
	if (failure.kind === 'malformed') return { message: `${message}${tries}`, description: later };
	return { message: `The service failed${tries} (HTTP ${status}): ${message}`, description: later };
}

function redact(text: string, secret: string): string {
	return secret.length >= 4 ? text.split(secret).join('***') : text;
}

function toError(ctx: ApiContext, call: Call, failure: Failure, attempts: number, apiKey: string): NodeApiError {
	const described = isAmbiguousCreate(call, failure)
		? {
				message: 'The create request failed and the task may have been created',
				description: `${failure.network === 'timeout' ? 'The request timed out' : `HTTP ${failure.status}: ${failure.message}`}. It was not sent again, because a second task would cost another credit: check your API in One tasks before retrying.`,
			}
		: describe(failure, attempts);
	const status = failure.status;
	const response: JsonObject = { message: redact(failure.message, apiKey), ...(status ? { status } : {}), attempts };
	return apiError(ctx.getNode(), response, {
		message: redact(described.message, apiKey),
		description: redact(described.description, apiKey),
		httpCode: status ? String(status) : undefined,
		itemIndex: call.itemIndex,
	});
}

async function callService(ctx: ApiContext, call: Call): Promise<unknown> {
	const { baseUrl, apiKey } = await account(ctx);
	const signal = call.signal ?? cancelSignal(ctx);
	const maxAttempts = call.maxAttempts ?? DEFAULT_ATTEMPTS;
	for (let attempt = 1; ; attempt++) {
		const outcome = await send(ctx, call, baseUrl);
		if (signal?.aborted) throw new NodeOperationError(ctx.getNode(), 'The execution was cancelled', { itemIndex: call.itemIndex });
		if (outcome.ok) return outcome.body;
		const waitMs = outcome.retryAfterMs ?? backoffMs(attempt);
		const maxWaitMs = call.maxRetryWaitMs ?? MAX_RETRY_AFTER_MS;
		if (!isRetryable(call, outcome) || attempt >= maxAttempts || waitMs > maxWaitMs) {
			const error = toError(ctx, call, outcome, attempt, apiKey);
			if (isRetryable(call, outcome) && outcome.retryAfterMs !== undefined && waitMs > maxWaitMs) {
				error.description = `The service asked to wait ${Math.ceil(waitMs / 1000)} s before another try, longer than this node waits (${maxWaitMs / 1000} s). ${error.description ?? ''}`.trim();
			}
			throw error;
		}
		await pause(waitMs, signal);
	}
}

export async function createTask(ctx: ApiContext, route: string, body: IDataObject, options: CallOptions = {}): Promise<Task> {
	const answer = await callService(ctx, { timeoutMs: 120_000, ...options, method: 'POST', path: route, body, isCreate: true });
	return parseTask(answer);
}

export async function getTask(ctx: ApiContext, taskId: string, options: CallOptions = {}): Promise<Task> {
	if (!isTaskId(taskId)) {
		throw new NodeOperationError(ctx.getNode(), `"${taskId.slice(0, 60)}" is not a task ID`, { itemIndex: options.itemIndex });
	}
	const path = `/api/v1/tasks/${encodeURIComponent(taskId)}`;
	const answer = await callService(ctx, { timeoutMs: 30_000, ...options, method: 'GET', path, isCreate: false });
	const task = parseTask(answer);
	return { ...task, taskId: task.taskId ?? taskId };
}

export const isNotFound = (error: unknown): boolean => error instanceof NodeApiError && error.httpCode === '404';
