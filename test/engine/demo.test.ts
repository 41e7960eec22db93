/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

import { demoSucceeded, parseDemoArgs, runDemo, type DemoRow } from '../../scripts/demo';

// The demo's own workflow (images -> Image Upscale in n8n-core -> files), against the local stand-in.

const SAMPLE_SIZES: Record<string, [number, number]> = {
	'sample-1-landscape.png': [320, 240],
	'sample-2-portrait.jpg': [240, 320],
	'sample-3-banner.webp': [480, 160],
	'sample-4-icon.png': [96, 96],
	'sample-5-photo.jpg': [400, 300],
	'sample-6-thumbnail.webp': [160, 120],
};

let dir: string;
beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), 'apiinone-demo-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run demo', () => {
	let rows: DemoRow[];
	const lines: string[] = [];
	const outDir = () => join(dir, 'out');

	beforeAll(async () => {
		const notes = join(dir, 'notes.txt');
		writeFileSync(notes, 'not a picture');
		rows = await runDemo({
			samples: true,
			files: [notes, join(dir, 'missing.png')],
			urls: ['http://127.0.0.1:1/unreachable.png', 'https://example.com/cat.jpg'],
			scale: 3,
			concurrency: 4,
			outDir: outDir(),
			standIn: { processingMs: 250, jitter: 0 },
			log: (line) => lines.push(line),
		});
	}, 20_000);

	it('upscales every sample image by the scale and writes it under the name from the node', async () => {
		const samples = rows.filter((row) => row.kind === 'sample');
		expect(samples.map((row) => row.input)).toEqual(Object.keys(SAMPLE_SIZES));
		for (const row of samples) {
			const [width, height] = SAMPLE_SIZES[row.input];
			expect(row).toMatchObject({ state: 'succeeded', inputWidth: width, inputHeight: height, outputWidth: width * 3, outputHeight: height * 3 });
			expect(row.taskId).toMatch(/^n41/);
			expect(row.file).toBe(join(outDir(), row.input));
			const written = await sharp(row.file!).metadata();
			expect({ width: written.width, height: written.height }).toEqual({ width: width * 3, height: height * 3 });
		}
		expect(readdirSync(outDir()).sort()).toEqual(Object.keys(SAMPLE_SIZES).sort());
	});

	it('reports bad inputs as rows of their own while the rest of the batch completes', () => {
		const byName = Object.fromEntries(rows.map((row) => [row.input, row]));
		expect(byName['notes.txt']).toMatchObject({ state: 'failed', error: 'The file in field "data" is not an image (text/plain)' });
		expect(byName['missing.png']).toMatchObject({ state: 'skipped', error: expect.stringContaining('no such file') });
		expect(byName['http://127.0.0.1:1/unreachable.png']).toMatchObject({ state: 'failed', taskId: expect.stringMatching(/^n41/) });
		expect(byName['https://example.com/cat.jpg']).toMatchObject({ state: 'skipped', error: expect.stringContaining('offline') });
		expect(rows.filter((row) => row.file).every((row) => existsSync(row.file!))).toBe(true);
		expect(demoSucceeded(rows)).toBe(true);
	});

	it('shows each task as it ends, then a table with both sizes', () => {
		const progress = lines.filter((line) => /^\s+\[\s*\+\d+\.\d s\] (done|FAILED)/.test(line));
		expect(progress).toHaveLength(7);
		expect(progress.filter((line) => line.includes('sample-1-landscape.png'))[0]).toMatch(/task n41\w+ .*320x240 -> 960x720/);
		expect(lines.find((line) => line.includes('sample-3-banner.webp') && line.includes('succeeded'))).toMatch(/480x160\s+->\s+1440x480\s+x3\.00/);
		expect(lines).toContain(`6 of 10 upscaled; files in ${outDir()}`);
	});
});

describe('demo exit rule and flags', () => {
	const row = (kind: DemoRow['kind'], state: DemoRow['state']): DemoRow => ({ input: 'x', kind, state });

	it('fails when nothing was upscaled or one of its own samples failed', () => {
		expect(demoSucceeded([row('file', 'failed'), row('url', 'skipped')])).toBe(false);
		expect(demoSucceeded([row('sample', 'succeeded'), row('sample', 'failed')])).toBe(false);
		expect(demoSucceeded([row('file', 'succeeded'), row('file', 'failed')])).toBe(true);
	});

	it('reads files, URLs and numbers from the command line', () => {
		expect(parseDemoArgs(['a.png', '--file', 'b.jpg', 'https://x.test/c.png', '--scale', '3', '--concurrency', '2', '--out', 'o'])).toMatchObject({
			files: ['b.jpg', 'a.png'],
			urls: ['https://x.test/c.png'],
			scale: 3,
			concurrency: 2,
			outDir: 'o',
		});
		expect(() => parseDemoArgs(['--scale', 'big'])).toThrow('--scale needs a positive number, got "big"');
		expect(() => parseDemoArgs(['--concurrency', '0'])).toThrow(/--concurrency/);
	});
});
