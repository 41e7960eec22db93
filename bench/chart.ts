/** A hand-written SVG line chart, log-log: wall time against batch size. No chart library. */

export interface Series {
	name: string;
	color: string;
	dashed?: boolean;
	points: Array<{ x: number; y: number; note?: string }>;
}

const W = 760;
const PLOT_H = 370;
const M = { left: 70, right: 150, bottom: 60 };
const LINE = 14;

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceTicks(min: number, max: number): number[] {
	const ticks: number[] = [];
	for (let exp = Math.floor(Math.log10(min)); exp <= Math.ceil(Math.log10(max)); exp++) {
		for (const m of [1, 2, 5]) {
			const v = m * 10 ** exp;
			if (v >= min * 0.999 && v <= max * 1.001) ticks.push(v);
		}
	}
	return ticks;
}

const fmt = (v: number) => (v >= 1 ? String(Math.round(v * 10) / 10) : v.toPrecision(1));

interface Frame {
	top: number;
	plotW: number;
	px: (x: number) => number;
	py: (y: number) => number;
	xs: number[];
	yTicks: number[];
}

function frameOf(series: Series[], top: number): Frame {
	const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
	const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => y > 0);
	const [xMin, xMax] = [xs[0], xs[xs.length - 1]];
	const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys)));
	const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
	const plotW = W - M.left - M.right;
	const share = (v: number, lo: number, hi: number) => (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1);
	return {
		top,
		plotW,
		px: (x) => M.left + share(x, xMin, xMax) * plotW,
		py: (y) => top + PLOT_H - share(y, yMin, yMax) * PLOT_H,
		xs,
		yTicks: niceTicks(yMin, yMax),
	};
}

function axes(f: Frame, xLabel: string, yLabel: string, height: number): string[] {
	const out: string[] = [];
	for (const y of f.yTicks) {
		out.push(`<line x1="${M.left}" x2="${M.left + f.plotW}" y1="${f.py(y).toFixed(1)}" y2="${f.py(y).toFixed(1)}" stroke="#e4e4e4"/>`);
		out.push(`<text x="${M.left - 8}" y="${(f.py(y) + 4).toFixed(1)}" text-anchor="end" fill="#444">${fmt(y)}</text>`);
	}
	for (const x of f.xs) {
		out.push(`<line x1="${f.px(x).toFixed(1)}" x2="${f.px(x).toFixed(1)}" y1="${f.top}" y2="${f.top + PLOT_H}" stroke="#e4e4e4"/>`);
		out.push(`<text x="${f.px(x).toFixed(1)}" y="${f.top + PLOT_H + 18}" text-anchor="middle" fill="#444">${x}</text>`);
	}
	out.push(`<rect x="${M.left}" y="${f.top}" width="${f.plotW}" height="${PLOT_H}" fill="none" stroke="#888"/>`);
	out.push(`<text x="${M.left + f.plotW / 2}" y="${height - 18}" text-anchor="middle">${esc(xLabel)}</text>`);
	out.push(`<text transform="translate(18 ${f.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
	return out;
}

/** Lines, points and labels; a label that would sit on another at the same x moves down a line. */
function lines(f: Frame, series: Series[]): string[] {
	const out: string[] = [];
	const placed = new Map<number, number[]>();
	const labelY = (x: number, y: number) => {
		const taken = placed.get(x) ?? [];
		let at = y;
		while (taken.some((t) => Math.abs(t - at) < 12)) at += 12;
		placed.set(x, [...taken, at]);
		return at;
	};
	for (const s of series) {
		const points = s.points.filter((p) => p.y > 0).sort((a, b) => a.x - b.x);
		const d = points.map((p, j) => `${j ? 'L' : 'M'}${f.px(p.x).toFixed(1)} ${f.py(p.y).toFixed(1)}`).join(' ');
		out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
		for (const p of points) {
			out.push(`<circle cx="${f.px(p.x).toFixed(1)}" cy="${f.py(p.y).toFixed(1)}" r="4" fill="${s.color}"/>`);
			const label = `${fmt(p.y)} s${p.note ?? ''}`;
			out.push(`<text x="${(f.px(p.x) + 7).toFixed(1)}" y="${labelY(p.x, f.py(p.y) - 7).toFixed(1)}" fill="${s.color}" font-size="11">${esc(label)}</text>`);
		}
	}
	return out;
}

function legend(f: Frame, series: Series[]): string[] {
	const box = { x: M.left + 12, y: f.top + 12, w: Math.max(230, 50 + Math.max(...series.map((s) => s.name.length)) * 6.4), h: 12 + series.length * 20 };
	const out = [`<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" fill="#ffffff" stroke="#cccccc"/>`];
	series.forEach((s, i) => {
		const [lx, ly] = [box.x + 10, box.y + 16 + i * 20];
		out.push(`<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
		out.push(`<text x="${lx + 32}" y="${ly + 4}">${esc(s.name)}</text>`);
	});
	return out;
}

/** `subtitle`: one line of text per entry, under the title. */
export function lineChart(title: string, subtitle: string | string[], xLabel: string, yLabel: string, series: Series[]): string {
	const notes = Array.isArray(subtitle) ? subtitle : [subtitle];
	const top = 50 + LINE * (notes.length - 1);
	const height = top + PLOT_H + M.bottom;
	const f = frameOf(series, top);
	const out = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
		`<rect width="${W}" height="${height}" fill="#ffffff"/>`,
		`<text x="${M.left}" y="22" font-size="16" font-weight="bold">${esc(title)}</text>`,
		...notes.map((note, i) => `<text x="${M.left}" y="${40 + i * LINE}" fill="#555">${esc(note)}</text>`),
		...axes(f, xLabel, yLabel, height),
		...lines(f, series),
		...legend(f, series),
		'</svg>',
	];
	return `${out.join('\n')}\n`;
}
