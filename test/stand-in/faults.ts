import type { Fault, FaultKind, FaultMatchInput, FaultRule, Route } from './types';

const HTTP_KINDS: FaultKind[] = ['status', 'reset', 'hang', 'malformed', 'envelope', 'delay'];
const TASK_KINDS: FaultKind[] = ['taskFails', 'neverEnds', 'sync', 'duplicateCallback', 'noCallback'];

const ALLOWED: Record<Route, FaultKind[]> = {
	create: [...HTTP_KINDS, ...TASK_KINDS],
	status: HTTP_KINDS,
	file: [...HTTP_KINDS, 'chunked'],
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
