import type { LogEntry, RequestLog, Route } from './types';

export interface RequestLogWriter extends RequestLog {
	begin(route: Route | 'other', method: string, path: string): LogEntry;
	end(entry: LogEntry, status: number): void;
}

export function createRequestLog(): RequestLogWriter {
	const inFlight = new Map<string, number>();
	const peak = new Map<string, number>();
	const open = new Set<LogEntry>();

	const log: RequestLogWriter = {
		entries: [],
		callbacks: [],
		count: (route, filter) => log.entries.filter((e) => e.route === route && (!filter || filter(e))).length,
		maxInFlight: (route) => peak.get(route) ?? 0,
		statusReads: (taskId) =>
			log.count('status', (e) => e.method === 'GET' && (taskId === undefined || e.taskId === taskId)),
		rateLimited: (route) => log.entries.filter((e) => e.status === 429 && (route === undefined || e.route === route)).length,
		bodies: (route) => log.entries.filter((e) => e.route === route && e.body !== undefined).map((e) => e.body),
		clear() {
			log.entries.length = 0;
			log.callbacks.length = 0;
			peak.clear();
			for (const [route, n] of inFlight) peak.set(route, n);
		},
		begin(route, method, path) {
			const entry: LogEntry = { route, method, path, status: 0, at: Date.now(), ms: 0 };
			log.entries.push(entry);
			open.add(entry);
			const n = (inFlight.get(route) ?? 0) + 1;
			inFlight.set(route, n);
			peak.set(route, Math.max(peak.get(route) ?? 0, n));
			return entry;
		},
		end(entry, status) {
			if (!open.delete(entry)) return;
			entry.status = status;
			entry.ms = Date.now() - entry.at;
			inFlight.set(entry.route, (inFlight.get(entry.route) ?? 1) - 1);
		},
	};
	return log;
}
