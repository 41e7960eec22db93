import { RateGate, type Gate } from '../../shared/transport';
import { RunTimeEstimate } from './wait';

/** What one run of a node shares between its items. */
export class Batch {
	readonly estimate = new RunTimeEstimate();
	/** Tasks created so far, by item: paid for, so never lost from sight. */
	readonly created = new Map<number, string>();
	/** Execution hints for the user, each once however many items found it. */
	readonly hints = new Set<string>();
	/** Set when the run parks: items only create their tasks, with this callback URL. */
	park?: { callbackUrl?: string };

	/** `gate` undefined lets every item meet rate limits on its own (the benchmark's comparison row). */
	constructor(
		readonly signal?: AbortSignal,
		readonly gate: Gate | undefined = new RateGate(),
	) {}
}
