import { RateGate } from './gate';

export { rateGate } from './gate';
import { RunTimeEstimate } from './wait';

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
