import { s } from '../format';
import { rateSection, memoryPerItemSection, waitSection } from './batch';
import { chartOf } from './chart';
import { costSection, memorySection } from './cost-memory';
import { parkedSection } from './parked';
import { PHASES } from '../options';
import type { Results } from './results';
import { lagSection, sensitivitySection, speedSection } from './speed';
import { targetsSection } from './targets';

/** The markdown report and the chart of one run. */
export function render(res: Results): { markdown: string; svg: string } {
	if (parkedOnly(res)) return { markdown: [header(res), parkedSection(res)].flat().join('\n'), svg: '' };
	const sections = [
		header(res),
		speedSection(res),
		res.rate ? rateSection(res, res.rate) : [],
		waitSection(res),
		res.rate ? memoryPerItemSection(res.rate) : [],
		targetsSection(res),
		costSection(res),
		lagSection(res),
		sensitivitySection(res),
		memorySection(res),
		parkedSection(res),
		caveats(res),
		['![Wall time against batch size](latest.svg)', ''],
	];
	return { markdown: sections.flat().join('\n'), svg: chartOf(res) };
}

function header(res: Results): string[] {
	const { options: o, host, loads } = res;
	const busy = Math.max(...loads) > host.cores * 0.75 ? ' — the machine was busy with other work: expect noise in wall and CPU figures' : '';
	const scale =
		o.scale === 1
			? ' (unscaled: real processing and poll times)'
			: ` — every service and baseline time is multiplied by ${o.scale}; the node's own polling constants (first read 1.5 s, min step 250 ms) are NOT, so ratios at this scale flatter the baseline less than they should and cost the node reads`;
	return [
		'# Bench: Image Upscale node vs the sequential pattern',
		'',
		`- **Date:** ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC`,
		`- **Machine:** ${host.hostname}, ${host.cpu}, ${host.cores} cores, ${host.memGb.toFixed(1)} GB RAM, ${host.os}`,
		`- **Node.js:** ${host.node}; n8n-core's WorkflowExecute (test/harness/engine.ts); package built from ${host.commit}`,
		`- **Load average (1 min) during the run:** start ${loads[0].toFixed(2)}, max ${Math.max(...loads).toFixed(2)}, end ${loads[loads.length - 1].toFixed(2)} on ${host.cores} cores${busy}`,
		`- **Bench run time:** ${s(res.totalMs)} s (plus the build)`,
		`- **Service (local stand-in, its own process):** ${o.processingMs} ms per image ±${o.jitter * 100}%, at most ${o.cap} tasks at once (more queue)`,
		`- **Time scale:** ${o.scale}${scale}. The rate-limited rows run at scale ${o.rate.scale}, the stuck-task row at ${o.stuck.scale}, the slow-task row at ${o.slow.scale} (each section says so).`,
		'',
	];
}

function caveats(res: Results): string[] {
	const P = res.options.processingMs * res.options.scale;
	return [
		'## Caveats',
		'',
		'- The service is a local stand-in on loopback: no network latency or bandwidth limit, so create, read and download costs are lower than against apiin.one; the ratios to the ideal are best cases for both contenders.',
		'- The baseline is a stand-in for a pattern, not a copy of any one published node.',
		`- The ideal assumes every task takes exactly the nominal ${s(P)} s; with ±${res.options.jitter * 100}% jitter a single task can end before it (so a 1-item ratio below 1x is possible) and a batch's real lower bound is a little above it.`,
		"- The rate-limited rows are time-scaled; the node's own waits (first read, retry back-off) are not, so they weigh relatively more there than against the real service.",
		"- Wall and CPU figures move with the machine's load (see the load average above); compare rows of one run, not runs of different days.",
		'',
	];
}

/** `--only parked`: the report is the parked rows alone (and is saved apart from the full bench's latest.*). */
export const parkedOnly = (res: Results) => res.parked !== undefined && PHASES.every((p) => p === 'parked' || res.options.skip.includes(p));
