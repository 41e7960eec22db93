/* eslint-disable @n8n/community-nodes/no-restricted-globals -- dev tooling, never published: n8n's rules for community node code do not apply */
import type { RunOutcome } from './measure';

/** Number formats and per-run figures shared by the progress lines and the report. */

export const s = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
export const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
export const kb = (bytes: number) => (bytes / 1024).toFixed(1);
export const x = (ratio: number) => `${ratio.toFixed(ratio < 10 ? 2 : 1)}x`;
export const pct = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 2 : 1)}%`;
export const verdict = (ok: boolean) => (ok ? '**PASS**' : '**MISS**');

export const table = (head: string[], rows: Array<Array<string | number>>) =>
	[`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

export const cpuOf = (o: RunOutcome) => (o.result.cpuUserMs + o.result.cpuSystemMs) / o.spec.n;
export const middle = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
/** CPU ms per item; for a repeated row, the median over its runs (CPU is noisier than wall time). */
export const cpuPerItem = (o: RunOutcome) => (o.cpus?.length ? middle(o.cpus) : cpuOf(o));
export const peakRss = (o: RunOutcome) => Math.max(o.result.maxRss, o.result.rssPeakSampled);
export const growth = (o: RunOutcome) => peakRss(o) - o.result.rssBefore;
/** 429 answers as a share of the API requests (creates and status reads) the run sent. */
export const rateLimitedShare = (o: RunOutcome) => o.rateLimited / Math.max(1, o.apiRequests);

/** The run with the median wall time, carrying every run's wall time and CPU. */
export function median(runs: RunOutcome[]): RunOutcome {
	const sorted = [...runs].sort((a, b) => a.result.wallMs - b.result.wallMs);
	return { ...sorted[Math.floor((sorted.length - 1) / 2)], walls: runs.map((r) => r.result.wallMs), cpus: runs.map(cpuOf) };
}

export function progress(o: RunOutcome, note = '') {
	const r = o.result;
	const cpu = `cpu ${cpuPerItem(o).toFixed(2)} ms/item (user ${(r.cpuUserMs / o.spec.n).toFixed(2)} sys ${(r.cpuSystemMs / o.spec.n).toFixed(2)})`;
	const limited = o.rateLimited ? `  429s ${o.rateLimited} (${pct(rateLimitedShare(o))})` : '';
	process.stderr.write(
		`  ${o.spec.label.padEnd(34)} n=${String(o.spec.n).padStart(4)} wall ${s(r.wallMs).padStart(6)} s  ideal ${s(o.idealMs).padStart(5)} s  ` +
			`reads/task ${o.readsPerTask.toFixed(2)}  ${cpu}  rss ${mb(peakRss(o))} MB (+${mb(growth(o))})${limited}` +
			`${r.failed ? `  FAILED ${r.failed}: ${r.firstError}` : ''}${note}\n`,
	);
}
