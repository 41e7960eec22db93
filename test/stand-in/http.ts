/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import type * as http from 'node:http';
import type { Route } from './types';

const MAX_BODY = 30 * 1024 * 1024;
export const DATA_URL = /^data:(image\/[a-z0-9.+-]+);base64,/i;
export const JSON_TYPE = 'application/json; charset=utf-8';

export type Res = http.ServerResponse;
export type Body = { buf: Buffer; tooLarge: boolean; aborted: boolean };

export function classify(pathname: string): { route: Route | 'other'; taskId?: string } {
	if (/^\/api\/v1\/images\/tools\/[A-Za-z0-9_-]+\/?$/.test(pathname)) return { route: 'create' };
	const status = /^\/api\/v1\/tasks\/([^/]+)\/?$/.exec(pathname);
	if (status) return { route: 'status', taskId: safeDecode(status[1]) };
	if (pathname.startsWith('/files/')) return { route: 'file' };
	if (pathname.startsWith('/images/')) return { route: 'image' };
	return { route: 'other' };
}

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

export function sendJson(res: Res, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
	sendText(res, status, JSON.stringify(body), { 'content-type': JSON_TYPE, ...headers });
}

export function sendText(res: Res, status: number, text: string, headers: http.OutgoingHttpHeaders = {}): void {
	if (res.headersSent || res.destroyed) return;
	res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers, 'content-length': Buffer.byteLength(text) });
	res.end(text);
}

export function readBody(req: http.IncomingMessage): Promise<Body> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (c: Buffer) => {
			size += c.length;
			if (size <= MAX_BODY) chunks.push(c);
			else chunks.length = 0;
		});
		const done = (): void => resolve({ buf: Buffer.concat(chunks), tooLarge: size > MAX_BODY, aborted: !req.complete });
		req.on('end', done);
		req.on('close', done);
		req.on('error', done);
	});
}

export function redact(body: unknown): unknown {
	if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
	const image = (body as Record<string, unknown>).image;
	if (typeof image !== 'string' || (image.length <= 256 && !DATA_URL.test(image))) return body;
	return { ...body, image: shortImage(image) };
}

export function shortImage(image: string): string {
	const head = DATA_URL.exec(image)?.[0] ?? image.slice(0, 120);
	return `${head}…(${image.length} chars)`;
}

export function isHttpUrl(value: string): boolean {
	try {
		const u = new URL(value);
		return u.protocol === 'http:' || u.protocol === 'https:';
	} catch {
		return false;
	}
}

export function outcomeOf(image: string): 'fail' | 'never' | undefined {
	try {
		const o = new URL(image).searchParams.get('outcome');
		return o === 'fail' || o === 'never' ? o : undefined;
	} catch {
		return undefined;
	}
}
