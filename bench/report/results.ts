import type { RateRows } from '../batch-rows';
import type { RunOutcome } from '../measure';
import type { ParkedRows } from '../parked-rows';
import type { Options } from '../options';
import type { CostRow } from '../request-cost';

export interface Host {
	hostname: string;
	cpu: string;
	cores: number;
	memGb: number;
	node: string;
	os: string;
	commit: string;
}

/** Everything one `npm run bench` measured; what the report and latest.json are made of. */
export interface Results {
	options: Options;
	host: Host;
	/** This node's speed rows (median of repeats). */
	speed: RunOutcome[];
	baseline: RunOutcome[];
	sensitivity: RunOutcome[];
	costs: CostRow[];
	rate?: RateRows;
	stuck?: RunOutcome;
	slow?: RunOutcome;
	memory: RunOutcome[];
	parked?: ParkedRows;
	loads: number[];
	totalMs: number;
}

/** Wall time in the headline's time scale (rows run at another scale are scaled back). */
export const wallAt = (o: Options, r: RunOutcome) => (r.result.wallMs * o.scale) / r.spec.scale;
export const idealAt = (o: Options, r: RunOutcome) => (r.idealMs * o.scale) / r.spec.scale;

export const baselineAt = (res: Results, n: number) => res.baseline.find((r) => r.spec.n === n);
export const largestBaseline = (res: Results) => [...res.baseline].sort((a, b) => b.spec.n - a.spec.n)[0];

/** The sequential baseline at n items, unscaled, from its largest measured row: its time is linear in n (one item after another). */
export function baselineExtrapolated(res: Results, n: number): { ms: number; from: RunOutcome } | undefined {
	const from = largestBaseline(res);
	return from && { ms: (from.result.wallMs / from.spec.scale / from.spec.n) * n, from };
}

export const maxSize = (res: Results) => Math.max(...res.options.sizes);
