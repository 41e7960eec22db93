import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import type { Redact } from '../redact';
import { readEnvelope } from '../task';
import { CREDENTIAL, type ApiContext } from './account';

// Sending one request and reading its answer into an outcome; nothing here decides on retries.

export interface Request {
	method: 'GET' | 'POST';
	path: string;
	body?: IDataObject;
	timeoutMs: number;
	/** Aborts the request in flight (reads only: a create, once sent, is let finish so its task is not lost). */
	signal?: AbortSignal;
}

export interface Failure {
	ok: false;
	kind: 'http' | 'envelope' | 'malformed' | 'network';
	/** The HTTP status, or for an error inside an HTTP 200 answer the envelope's code, which counts the same. */
	status?: number;
	/** For network failures: whether the request surely never reached the service. */
	network?: 'notSent' | 'maybeSent' | 'timeout';
	/** What the service said, redacted. */
	message: string;
	retryAfterMs?: number;
}

export type Outcome = { ok: true; body: unknown } | Failure;

function errorText(error: unknown): string {
	const seen: string[] = [];
	let current: unknown = error;
	for (let depth = 0; current && typeof current === 'object' && depth < 6; depth++) {
		const { code, message } = current as { code?: unknown; message?: unknown };
		seen.push(String(code ?? ''), String(message ?? ''));
		current = (current as { cause?: unknown }).cause;
	}
	return seen.join(' ');
}

/** Refused, unresolvable or untrusted before a byte of the request went out; anything else may have reached the service. */
function networkKind(error: unknown): NonNullable<Failure['network']> {
	const text = errorText(error);
	if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ENETDOWN|UND_ERR_CONNECT_TIMEOUT|ERR_TLS|ERR_SSL|CERT_|SELF_SIGNED|UNABLE_TO_VERIFY|EPROTO|refused the connection/i.test(text)) {
		return 'notSent';
	}
	if (/ETIMEDOUT|ECONNABORTED|TIMEOUT|timed? ?out/i.test(text)) return 'timeout';
	return 'maybeSent';
}

export function parseRetryAfter(value: unknown, now: number): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseBody(raw: unknown): { body: unknown } | undefined {
	const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
	if (typeof text !== 'string') return { body: text };
	try {
		return { body: text.trim() === '' ? {} : JSON.parse(text) };
	} catch {
		return undefined;
	}
}

export async function send(ctx: ApiContext, request: Request, baseUrl: string, redact: Redact, now: number): Promise<Outcome> {
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl}${request.path}`,
		headers: { Accept: 'application/json', ...(request.body ? { 'Content-Type': 'application/json' } : {}) },
		body: request.body ? JSON.stringify(request.body) : undefined,
		encoding: 'text',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: request.timeoutMs,
		...(request.signal ? { abortSignal: request.signal } : {}),
	};
	let response: { statusCode: number; headers: IDataObject; body: unknown };
	try {
		response = await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL, options);
	} catch (error) {
		return { ok: false, kind: 'network', network: networkKind(error), message: 'The service could not be reached' };
	}
	const status = response.statusCode;
	const parsed = parseBody(response.body);
	if (!parsed && status < 400) {
		return { ok: false, kind: 'malformed', status, message: 'The service sent an answer that is not valid JSON' };
	}
	const body = redact(parsed ? parsed.body : { message: String(response.body).slice(0, 300) });
	const envelope = readEnvelope(body);
	const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
	if (status >= 400) {
		return { ok: false, kind: 'http', status, message: envelope.error?.message ?? envelope.message ?? `HTTP ${status}`, retryAfterMs };
	}
	if (envelope.error) return { ok: false, kind: 'envelope', status: envelope.error.code, message: envelope.error.message, retryAfterMs };
	return { ok: true, body };
}
