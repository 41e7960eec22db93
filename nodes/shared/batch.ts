import { clock } from './clock';
import { backoffMs } from './transport/policy';
import type { CallKind, Gate } from './transport';
import type { Failure } from './transport/send';
import { RunTimeEstimate } from './wait';

/** Switch for the benchmark's "each item on its own" row; always on in n8n. */
export const rateGate = { enabled: true };

/**
 * Holds a batch's requests of one kind back while the service has asked to slow down: a 429 seen
 * by one item (with its Retry-After, or a back-off) pauses the creates, or the reads, of every item.
 */
export class RateGate implements Gate {
	private readonly pausedUntil: Record<CallKind, number> = { create: 0, read: 0 };
	private readonly limited: Record<CallKind, number> = { create: 0, read: 0 };

	async enter(kind: CallKind, signal?: AbortSignal): Promise<void> {
		for (let rest = this.pausedUntil[kind] - clock.now(); rest > 0; rest = this.pausedUntil[kind] - clock.now()) {
			await clock.sleep(rest, signal);
		}
	}

	leave(kind: CallKind, failure?: Failure): boolean {
		if (failure?.status !== 429 || !rateGate.enabled) {
			if (!failure) this.limited[kind] = 0;
			return false;
		}
		const pauseMs = failure.retryAfterMs ?? backoffMs(++this.limited[kind]);
		this.pausedUntil[kind] = Math.max(this.pausedUntil[kind], clock.now() + pauseMs);
		return true;
	}
}

/** What one run of a node shares between its items. */
export class Batch {
	readonly estimate = new RunTimeEstimate();
	readonly gate = new RateGate();
	/** Tasks created so far, by item: paid for, so never lost from sight. */
	readonly created = new Map<number, string>();
	/** Execution hints for the user, each once however many items found it. */
	readonly hints = new Set<string>();

	constructor(readonly signal?: AbortSignal) {}
}
