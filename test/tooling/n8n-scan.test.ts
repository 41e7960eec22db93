/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { laptopEnv, ROOT, run } from './tooling';

// scripts/check-n8n-scan.mjs (part of `npm run lint`) on a package with this package.json and eslint.config.mjs,
// and a console.log behind an inline eslint-disable in its source and in its dist/: n8n's scanner ignores the comment.
const consoleBehindDisable = "// eslint-disable-next-line no-console\nconsole.log('hidden');\n";

let dir: string;
beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), 'n8n-scan-'));
	for (const file of ['package.json', 'eslint.config.mjs']) copyFileSync(join(ROOT, file), join(dir, file));
	const write = (path: string, text: string) => {
		mkdirSync(dirname(join(dir, path)), { recursive: true });
		writeFileSync(join(dir, path), text);
	};
	write('nodes/Example/log.ts', `export const hidden = 1;\n${consoleBehindDisable}`);
	write('dist/nodes/Example/log.js', `"use strict";\n${consoleBehindDisable}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('fails on a console call hidden by an inline eslint-disable, in the sources and in the packed package', async () => {
	const { code, output } = await run('node', [join(ROOT, 'scripts/check-n8n-scan.mjs'), dir], { cwd: ROOT, env: laptopEnv() });
	expect(code).toBe(1);
	expect(output).toContain('ok   cloud support');
	expect(output).toContain('FAIL scanner, sources: ESLint violations found');
	expect(output).toContain('FAIL scanner, packed package: ESLint violations found');
	expect(output).toMatch(/nodes\/Example\/log\.ts\s+3:1\s+error\s+Unexpected console statement\s+no-console/);
	expect(output).toMatch(/nodes\/Example\/log\.js\s+3:1\s+error\s+Unexpected console statement\s+no-console/);
}, 60_000);
