/** A hand-written SVG line chart, log-log: wall time against batch size. No chart library. */

export interface Series {
	name: string;
	color: string;
	dashed?: boolean;
	points: Array<{ x: number; y: number; note?: string }>;
}

const W = 760;
const H = 480;
const M = { left: 70, right: 90, top: 50, bottom: 60 };

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

export function lineChart(title: string, subtitle: string, xLabel: string, yLabel: string, series: Series[]): string {
	const xs = series.flatMap((s) => s.points.map((p) => p.x));
	const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => y > 0);
	const xMin = Math.min(...xs);
	const xMax = Math.max(...xs);
	const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys)));
	const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
	const plotW = W - M.left - M.right;
	const plotH = H - M.top - M.bottom;
	const px = (x: number) => M.left + ((Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin) || 1)) * plotW;
	const py = (y: number) => M.top + plotH - ((Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin) || 1)) * plotH;

	const out: string[] = [];
	out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
	out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
	out.push(`<text x="${M.left}" y="22" font-size="16" font-weight="bold">${esc(title)}</text>`);
	out.push(`<text x="${M.left}" y="40" fill="#555">${esc(subtitle)}</text>`);
	// Grid and axes.
	for (const y of niceTicks(yMin, yMax)) {
		out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#e4e4e4"/>`);
		out.push(`<text x="${M.left - 8}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end" fill="#444">${fmt(y)}</text>`);
	}
	for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
		out.push(`<line x1="${px(x).toFixed(1)}" x2="${px(x).toFixed(1)}" y1="${M.top}" y2="${M.top + plotH}" stroke="#e4e4e4"/>`);
		out.push(`<text x="${px(x).toFixed(1)}" y="${M.top + plotH + 18}" text-anchor="middle" fill="#444">${x}</text>`);
	}
	out.push(`<rect x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
	out.push(`<text x="${M.left + plotW / 2}" y="${H - 18}" text-anchor="middle">${esc(xLabel)}</text>`);
	out.push(
		`<text transform="translate(18 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
	);
	// Lines, points and labels; a label that would sit on another at the same x moves down a line.
	const placed = new Map<number, number[]>();
	const labelY = (x: number, y: number) => {
		const taken = placed.get(x) ?? [];
		let at = y;
		while (taken.some((t) => Math.abs(t - at) < 12)) at += 12;
		placed.set(x, [...taken, at]);
		return at;
	};
	const legend = { x: M.left + 12, y: M.top + 12, w: 230, h: 12 + series.length * 20 };
	out.push(`<rect x="${legend.x}" y="${legend.y}" width="${legend.w}" height="${legend.h}" fill="#ffffff" stroke="#cccccc"/>`);
	series.forEach((s, i) => {
		const points = s.points.filter((p) => p.y > 0).sort((a, b) => a.x - b.x);
		const d = points.map((p, j) => `${j ? 'L' : 'M'}${px(p.x).toFixed(1)} ${py(p.y).toFixed(1)}`).join(' ');
		out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
		for (const p of points) {
			out.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="4" fill="${s.color}"/>`);
			const label = `${fmt(p.y)} s${p.note ?? ''}`;
			out.push(`<text x="${(px(p.x) + 7).toFixed(1)}" y="${labelY(p.x, py(p.y) - 7).toFixed(1)}" fill="${s.color}" font-size="11">${esc(label)}</text>`);
		}
		const ly = legend.y + 16 + i * 20;
		const lx = legend.x + 10;
		out.push(`<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
		out.push(`<text x="${lx + 32}" y="${ly + 4}">${esc(s.name)}</text>`);
	});
	out.push('</svg>');
	return `${out.join('\n')}\n`;
}
