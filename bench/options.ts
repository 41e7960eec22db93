/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- dev tooling, never published: n8n's rules for community node code do not apply */
import * as path from 'node:path';
import { parseArgs } from 'node:util';

export const PHASES = ['speed', 'baseline', 'sensitivity', 'cost', 'rate', 'stuck', 'slow', 'memory', 'parked'] as const;
export type Phase = (typeof PHASES)[number];

const USAGE = `usage: npm run bench -- [flags]
  --scale F              time scale of the headline rows (default 1: 2 s processing, 5 s baseline interval)
  --baseline-scale F     scale of baseline batches above --baseline-max items (default 0.25; shown scaled back)
  --baseline-max N       largest baseline batch run at the headline scale (default 10)
  --sizes LIST           batch sizes (default 1,10,100)
  --concurrency LIST     node concurrencies (default 10,25; one that acts like a smaller one at a size, min(c, n), is not run again)
  --cap N                tasks the service runs at once; more queue (default 10)
  --processing-ms N      the service's processing time per image, unscaled (default 2000)
  --jitter F             +- spread of the processing time (default 0.2)
  --poll-ms N            the baseline's fixed poll interval, unscaled (default 5000)
  --sensitivity LIST     extra scales for the node's 10- and 100-item rows (default 0.25; "none" to skip)
  --repeat N             runs of the headline row (largest size, first concurrency); the median (by wall time) is shown (default 3)
  --rate-items N         the rate-limited batch (default 1000)
  --rate N               the account's creates per second, unscaled (default 5)
  --rate-scale F         time scale of the rate-limited rows (default 0.25)
  --rate-concurrency N   the node's concurrency in them (default 50)
  --rate-cap N           tasks the service runs at once in them (default 50)
  --stuck-items N        the batch with one task that never ends (default 100)
  --stuck-wait-s N       its Wait Limit (Seconds), unscaled (default 300)
  --stuck-scale F        its time scale (default 1: runs its 300 s beside the other phases)
  --slow-items N         the batch whose later tasks take longer (default 40)
  --slow-first N         how many tasks take the normal time first (default 10)
  --slow-factor F        how much longer the rest take (default 3)
  --slow-scale F         its time scale (default 1)
  --memory-sizes LIST    batch sizes of the 8 MB memory runs (default 10,50; "none" to skip)
  --memory-modes LIST    binary data modes (default default,filesystem)
  --memory-side N        side of the square noise input; the 2x result PNG is about 6.4 MB x (N/1000)^2 (default 1120)
  --memory-scale F       time scale of the memory runs (default 0.25)
  --parked-items N       the parked-batch rows' batch (default 10000)
  --parked-rows LIST     which of them: hold,park,serviceBound (default all three)
  --parked-scale F       their time scale (default 0.1)
  --parked-rate N        creates per second, unscaled, of the hold and rate-bound park rows (default 5)
  --parked-cap N         tasks the service runs at once there (default 50)
  --parked-processing-ms N  ms per task there, unscaled (default 2000)
  --parked-concurrency N the node's concurrency in all three (default 50)
  --parked-check-s N     the parked node's Check Every (Seconds), not scaled (default 5, its minimum)
  --sb-rate N            creates per second of the service-bound row, unscaled (default 50)
  --sb-cap N             tasks at once there (default 10)
  --sb-processing-ms N   ms per task there, unscaled (default 4000)
  --skip LIST            phases to leave out: ${PHASES.join(',')}
  --only LIST            run only these phases (e.g. parked)
  --out DIR              where results go (default bench/results)
  --no-save              print only`;

const list = (text: string) => (text === 'none' ? [] : text.split(',').map((v) => Number(v.trim())));

const DEFAULTS = {
	scale: '1',
	'baseline-scale': '0.25',
	'baseline-max': '10',
	sizes: '1,10,100',
	concurrency: '10,25',
	cap: '10',
	'processing-ms': '2000',
	jitter: '0.2',
	'poll-ms': '5000',
	sensitivity: '0.25',
	repeat: '3',
	'rate-items': '1000',
	rate: '5',
	'rate-scale': '0.25',
	'rate-concurrency': '50',
	'rate-cap': '50',
	'stuck-items': '100',
	'stuck-wait-s': '300',
	'stuck-scale': '1',
	'slow-items': '40',
	'slow-first': '10',
	'slow-factor': '3',
	'slow-scale': '1',
	'memory-sizes': '10,50',
	'memory-modes': 'default,filesystem',
	'memory-side': '1120',
	'memory-scale': '0.25',
	'parked-items': '10000',
	'parked-rows': 'hold,park,serviceBound',
	'parked-scale': '0.1',
	'parked-rate': '5',
	'parked-cap': '50',
	'parked-processing-ms': '2000',
	'parked-concurrency': '50',
	'parked-check-s': '5',
	'sb-rate': '50',
	'sb-cap': '10',
	'sb-processing-ms': '4000',
	skip: 'none',
	only: 'none',
};

function parse() {
	const string = (name: keyof typeof DEFAULTS) => ({ type: 'string' as const, default: DEFAULTS[name] });
	const { values } = parseArgs({
		options: {
			...(Object.fromEntries(Object.keys(DEFAULTS).map((k) => [k, string(k as keyof typeof DEFAULTS)])) as Record<keyof typeof DEFAULTS, { type: 'string'; default: string }>),
			out: { type: 'string', default: path.join(__dirname, 'results') },
			'no-save': { type: 'boolean', default: false },
			help: { type: 'boolean', short: 'h', default: false },
		},
	});
	if (values.help) {
		console.log(USAGE);
		process.exit(0);
	}
	return values as Record<keyof typeof DEFAULTS | 'out', string> & { 'no-save': boolean };
}

export function options() {
	const v = parse();
	const n = (name: keyof typeof DEFAULTS) => Number(v[name]);
	const o = {
		scale: n('scale'),
		baselineScale: n('baseline-scale'),
		baselineMax: n('baseline-max'),
		sizes: list(v.sizes),
		concurrency: list(v.concurrency),
		cap: n('cap'),
		processingMs: n('processing-ms'),
		jitter: n('jitter'),
		pollMs: n('poll-ms'),
		sensitivity: list(v.sensitivity),
		repeat: n('repeat'),
		rate: { items: n('rate-items'), perSecond: n('rate'), scale: n('rate-scale'), concurrency: n('rate-concurrency'), cap: n('rate-cap') },
		stuck: { items: n('stuck-items'), waitS: n('stuck-wait-s'), scale: n('stuck-scale') },
		slow: { items: n('slow-items'), first: n('slow-first'), factor: n('slow-factor'), scale: n('slow-scale') },
		memorySizes: list(v['memory-sizes']),
		memoryModes: v['memory-modes'].split(',').map((m) => m.trim()) as Array<'default' | 'filesystem'>,
		memorySide: n('memory-side'),
		memoryScale: n('memory-scale'),
		parked: {
			items: n('parked-items'),
			rows: v['parked-rows'].split(',').map((r) => r.trim()),
			scale: n('parked-scale'),
			rate: n('parked-rate'),
			cap: n('parked-cap'),
			processingMs: n('parked-processing-ms'),
			concurrency: n('parked-concurrency'),
			checkS: n('parked-check-s'),
			sbRate: n('sb-rate'),
			sbCap: n('sb-cap'),
			sbProcessingMs: n('sb-processing-ms'),
		},
		skip: skipped(v.skip, v.only),
		out: v.out,
		save: !v['no-save'],
	};
	check(o);
	return o;
}

export type Options = ReturnType<typeof options>;

/** --skip, or everything but --only. */
function skipped(skip: string, only: string): Phase[] {
	const listOf = (text: string) => (text === 'none' ? [] : (text.split(',').map((p) => p.trim()) as Phase[]));
	return only === 'none' ? listOf(skip) : [...listOf(skip), ...PHASES.filter((p) => !listOf(only).includes(p))];
}

function check(o: Record<string, unknown>, prefix = '') {
	for (const [key, value] of Object.entries(o)) {
		if (key === 'rows') continue;
		if (key === 'skip') {
			const unknown = (value as string[]).filter((p) => !PHASES.includes(p as Phase));
			if (unknown.length) throw new Error(`unknown phase in --skip: ${unknown.join(', ')}\n${USAGE}`);
		} else if (key === 'jitter' ? !(Number(value) >= 0) : typeof value === 'number' && !(value > 0)) {
			throw new Error(`bad value for ${prefix}${key}\n${USAGE}`);
		} else if (Array.isArray(value) && value.some((v) => typeof v === 'number' && !(v > 0))) {
			throw new Error(`bad value for ${prefix}${key}\n${USAGE}`);
		} else if (value && typeof value === 'object' && !Array.isArray(value)) {
			check(value as Record<string, unknown>, `${key}.`);
		}
	}
}

export const runs = (o: Options, phase: Phase) => !o.skip.includes(phase);
