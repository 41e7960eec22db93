/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { JSON_TYPE, sendJson, sendText, type Res } from './http';
import type { Fault, FaultKind, FaultMatchInput, FaultRule, HttpFault, Route } from './types';

const HTTP_KINDS: FaultKind[] = ['status', 'reset', 'hangUp', 'hang', 'malformed', 'envelope', 'delay'];
/** Faults that shape the task a create makes, so they are applied (and used up) only when it makes one. */
const TASK_KINDS: FaultKind[] = ['taskFails', 'neverEnds', 'sync', 'duplicateCallback', 'noCallback', 'createdThen', 'statusLag', 'takes'];
const THEN_KINDS: FaultKind[] = ['status', 'reset', 'hangUp', 'hang', 'malformed', 'envelope'];

const ALLOWED: Record<Route, FaultKind[]> = {
	create: [...HTTP_KINDS, ...TASK_KINDS],
	status: HTTP_KINDS,
	file: [...HTTP_KINDS, 'chunked', 'gzipBomb'],
	image: HTTP_KINDS,
	callback: ['delay', 'noCallback', 'duplicateCallback', 'malformed', 'envelope'],
};

export interface QueuedRule {
	fault: Fault;
	left: number;
	match?: (req: FaultMatchInput) => boolean;
}

export const isTaskFault = (fault: Fault): boolean => TASK_KINDS.includes(fault.kind);

export function describeFault(fault: Fault): string {
	switch (fault.kind) {
		case 'status':
			return `status:${fault.status}`;
		case 'envelope':
			return `envelope:${fault.code}`;
		case 'delay':
			return `delay:${fault.ms}`;
		case 'takes':
			return `takes:${fault.ms}`;
		case 'createdThen':
			return `createdThen:${describeFault(fault.then)}`;
		default:
			return fault.kind;
	}
}

export class FaultQueue {
	private readonly rules = new Map<Route, QueuedRule[]>();

	add(route: Route, items: Array<Fault | FaultRule>): void {
		const list = this.rules.get(route) ?? [];
		for (const item of items) {
			const rule: FaultRule = 'fault' in item ? item : { fault: item };
			if (!ALLOWED[route]?.includes(rule.fault.kind)) {
				throw new Error(`Fault "${rule.fault.kind}" does not apply to route "${route}"`);
			}
			if (rule.fault.kind === 'createdThen' && !THEN_KINDS.includes(rule.fault.then?.kind)) {
				throw new Error(`createdThen takes one of ${THEN_KINDS.join(', ')} as "then"`);
			}
			list.push({ fault: rule.fault, left: rule.times ?? 1, match: rule.match });
		}
		this.rules.set(route, list);
	}

	peek(route: Route, req: FaultMatchInput): QueuedRule | undefined {
		return this.rules.get(route)?.find((r) => r.left > 0 && matches(r, req));
	}

	consume(route: Route, rule: QueuedRule): void {
		rule.left -= 1;
		if (rule.left > 0) return;
		const list = this.rules.get(route) ?? [];
		const i = list.indexOf(rule);
		if (i >= 0) list.splice(i, 1);
	}

	take(route: Route, req: FaultMatchInput): Fault | undefined {
		const rule = this.peek(route, req);
		if (rule) this.consume(route, rule);
		return rule?.fault;
	}

	clear(): void {
		this.rules.clear();
	}
}

function matches(rule: QueuedRule, req: FaultMatchInput): boolean {
	if (!rule.match) return true;
	try {
		return rule.match(req);
	} catch {
		return false;
	}
}

export interface Answer {
	/** Sends `{code, message}` with HTTP status `httpStatus` (default: `code`); echoes the key into `message` when that is on. */
	error(code: number, message: string, headers?: OutgoingHttpHeaders, httpStatus?: number): void;
}

/** Answers a request with an HTTP fault; false when the normal answer should follow (a delay). */
export async function applyHttpFault(fault: Fault, req: IncomingMessage, res: Res, answer: Answer, sleep: (ms: number) => Promise<void>): Promise<boolean> {
	if (fault.kind === 'delay') {
		await sleep(fault.ms);
		return false;
	}
	if (!THEN_KINDS.includes(fault.kind)) return false;
	sendHttpFault(fault as HttpFault, req, res, answer);
	return true;
}

export function sendHttpFault(fault: HttpFault, req: IncomingMessage, res: Res, answer: Answer): void {
	const retryAfter = (value?: string | number): OutgoingHttpHeaders => (value === undefined ? {} : { 'retry-after': String(value) });
	switch (fault.kind) {
		case 'status': {
			const headers = retryAfter(fault.retryAfter);
			if (typeof fault.body === 'string') return sendText(res, fault.status, fault.body, headers);
			if (fault.body !== undefined) return sendJson(res, fault.status, fault.body, headers);
			return answer.error(fault.status, fault.message ?? STATUS_CODES[fault.status] ?? 'Error', headers);
		}
		case 'reset':
			return void req.socket.resetAndDestroy();
		case 'hangUp':
			return void req.socket.destroy();
		case 'hang':
			return;
		case 'malformed':
			return sendText(res, 200, '{"code":200,"message":"success","data":{"task_id":"n41', { 'content-type': JSON_TYPE });
		case 'envelope':
			return answer.error(fault.code, fault.message, retryAfter(fault.retryAfter), 200);
	}
}
