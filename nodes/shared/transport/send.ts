import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { clock } from '../clock';
import type { Redact } from '../redact';
import { readEnvelope } from '../task';
import { CREDENTIAL, type ApiContext } from './account';
import { beforeDeadline, collect, isBodyStream, jsonDepth, MAX_ANSWER_BYTES, MAX_JSON_DEPTH } from './body';

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
	/** `redirect`: a 3xx, not followed; the message is the host it pointed to. */
	kind: 'http' | 'envelope' | 'malformed' | 'network' | 'redirect';
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

function parseRetryAfter(value: unknown, now: number): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseBody(text: string): { body: unknown } | undefined {
	try {
		return { body: text.trim() === '' ? {} : JSON.parse(text) };
	} catch {
		return undefined;
	}
}

interface Received {
	status: number;
	headers: IDataObject;
	bytes: Buffer;
	tooLarge: boolean;
}

interface RawResponse {
	statusCode: number;
	headers: IDataObject;
	body: unknown;
}

const timedOut = (): Failure => ({ ok: false, kind: 'network', network: 'timeout', message: 'The service could not be reached' });
const unreachable = (error: unknown): Failure => ({ ok: false, kind: 'network', network: networkKind(error), message: 'The service could not be reached' });

function requestOptions(request: Request, url: string): IHttpRequestOptions {
	return {
		method: request.method,
		url,
		headers: { Accept: 'application/json', ...(request.body ? { 'Content-Type': 'application/json' } : {}) },
		body: request.body ? JSON.stringify(request.body) : undefined,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// A redirect is answered, not followed: the key must not go to an address the user did not set.
		disableFollowRedirect: true,
		sendCredentialsOnCrossOriginRedirect: false,
		// An idle limit only (a trickle defeats it): the whole call's limit is the deadline in receive().
		timeout: request.timeoutMs,
		// In an execution n8n puts its cancel signal here in place of ours.
		...(request.signal ? { abortSignal: request.signal } : {}),
	};
}

/** The answer's status, headers and body, all within the request's time limit and the size cap. */
async function receive(ctx: ApiContext, request: Request, url: string): Promise<Received | Failure> {
	const deadline = clock.now() + request.timeoutMs;
	const pending = ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL, requestOptions(request, url)) as Promise<RawResponse>;
	let response: RawResponse;
	try {
		const got = await beforeDeadline(pending, deadline, request.signal);
		if ('expired' in got) {
			pending.then((late) => isBodyStream(late.body) && late.body.destroy(), () => {});
			return timedOut();
		}
		response = got.value;
	} catch (error) {
		return unreachable(error);
	}
	const { statusCode: status, headers, body } = response;
	if (!isBodyStream(body)) {
		const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? ''));
		return { status, headers, bytes: bytes.subarray(0, MAX_ANSWER_BYTES), tooLarge: bytes.length > MAX_ANSWER_BYTES };
	}
	try {
		const got = await beforeDeadline(collect(body), deadline, request.signal);
		return 'expired' in got ? timedOut() : { status, headers, ...got.value };
	} catch (error) {
		return unreachable(error);
	} finally {
		body.destroy();
	}
}

function redirectFailure(received: Received, url: string, redact: Redact): Failure {
	const location = received.headers.location;
	let host = 'an address it did not name';
	try {
		if (typeof location === 'string' && location !== '') host = new URL(location, url).host;
	} catch {
		host = 'an address that is not valid';
	}
	return { ok: false, kind: 'redirect', status: received.status, message: redact(host) };
}

/** A refusal of what arrived, before it is parsed: an answer over the size cap or nested too deep. */
function refusal(received: Received, text: string): Failure | undefined {
	const refused = (message: string): Failure => ({ ok: false, kind: 'malformed', status: received.status, message });
	if (received.tooLarge) return refused(`The service sent an answer larger than ${MAX_ANSWER_BYTES / 1_000_000} MB`);
	if (jsonDepth(text) > MAX_JSON_DEPTH) return refused(`The service sent JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
	return undefined;
}

export async function send(ctx: ApiContext, request: Request, baseUrl: string, redact: Redact, now: number): Promise<Outcome> {
	const url = `${baseUrl}${request.path}`;
	const received = await receive(ctx, request, url);
	if ('ok' in received) return received;
	const { status } = received;
	if (status >= 300 && status < 400) return redirectFailure(received, url, redact);
	const text = received.bytes.toString('utf8');
	const refused = refusal(received, text);
	if (refused && status < 400) return refused;
	const parsed = refused ? undefined : parseBody(text);
	if (!parsed && status < 400) {
		return { ok: false, kind: 'malformed', status, message: 'The service sent an answer that is not valid JSON' };
	}
	const body = redact(parsed ? parsed.body : { message: text.slice(0, 300) });
	const envelope = readEnvelope(body);
	const retryAfterMs = parseRetryAfter(received.headers['retry-after'], now);
	if (status >= 400) {
		return { ok: false, kind: 'http', status, message: envelope.error?.message ?? envelope.message ?? `HTTP ${status}`, retryAfterMs };
	}
	if (envelope.error) return { ok: false, kind: 'envelope', status: envelope.error.code, message: envelope.error.message, retryAfterMs };
	return { ok: true, body };
}
