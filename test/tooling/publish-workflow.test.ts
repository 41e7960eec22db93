/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

import { ROOT, run } from './tooling';

type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> };

const workflow = parse(readFileSync(join(ROOT, '.github/workflows/publish.yml'), 'utf8'));
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const job = workflow.jobs.publish;
const steps: Step[] = job.steps;
const indexOfRun = (pattern: RegExp) => steps.findIndex((step) => pattern.test(step.run ?? ''));

/** GitHub's filter glob: `*` is any run of characters but `/`. */
const matchesTagFilter = (filter: string, tag: string) =>
	new RegExp(`^${filter.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`).test(tag);

describe('the publish workflow', () => {
	it('runs only for pushed version tags, with or without a v', () => {
		expect(Object.keys(workflow.on)).toEqual(['push']);
		expect(workflow.on.push.branches).toBeUndefined();
		const filters: string[] = workflow.on.push.tags;
		const matches = (tag: string) => filters.some((filter) => matchesTagFilter(filter, tag));
		expect(['0.1.0', 'v0.2.0', '1.0.0-rc.1'].filter(matches)).toEqual(['0.1.0', 'v0.2.0', '1.0.0-rc.1']);
		expect(['main', 'v1', 'release-1.0'].filter(matches)).toEqual([]);
	});

	it('may mint an OIDC token for provenance and only read the repository', () => {
		expect(Object.keys(workflow.jobs)).toEqual(['publish']);
		expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
	});

	it('uses a Node whose npm can publish with trusted publishing (npm 11.5.1+ comes with Node 24)', () => {
		const setupNode = steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
		expect(Number(String(setupNode?.with?.['node-version']))).toBeGreaterThanOrEqual(24);
		expect(steps[0].uses).toMatch(/^actions\/checkout@v\d+$/);
	});

	it('installs from the lock file, builds, type-checks and tests before it releases', () => {
		const order = [/^npm ci$/, /^npm run build$/, /^npm run typecheck$/, /^npm run test:jest$/, /npm run release/].map(indexOfRun);
		expect(order.every((index) => index >= 0)).toBe(true);
		expect([...order].sort((a, b) => a - b)).toEqual(order);
		expect(indexOfRun(/npm publish/)).toBe(-1);
	});

	it('refuses a tag that is not the package version', async () => {
		const check = steps[indexOfRun(/GITHUB_REF_NAME/)];
		expect(steps.indexOf(check)).toBeLessThan(indexOfRun(/npm run release/));
		const runFor = async (tag: string) => (await run('bash', ['-ec', check.run!], { cwd: ROOT, env: { ...process.env, GITHUB_REF_NAME: tag } })).code;
		const version: string = packageJson.version;
		expect({ plain: await runFor(version), prefixed: await runFor(`v${version}`), other: await runFor(`v${version}9`) }).toEqual({
			plain: 0,
			prefixed: 0,
			other: 1,
		});
	});

	it('passes an npm token only when the repository has one (else trusted publishing)', () => {
		const release = steps[indexOfRun(/npm run release/)];
		expect(release.env).toEqual({ NPM_TOKEN: '${{ secrets.NPM_TOKEN }}' });
		expect(release.run).toMatch(/\[ -n "\$NPM_TOKEN" \] && npm config set \/\/registry\.npmjs\.org\/:_authToken "\$NPM_TOKEN"/);
	});

	it('calls only npm scripts the package has', () => {
		const called = steps.flatMap((step) => [...(step.run ?? '').matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1]));
		expect(called.length).toBeGreaterThan(0);
		expect(called.filter((name) => !packageJson.scripts[name])).toEqual([]);
	});
});

describe('what `npm run release` does in the workflow', () => {
	const cliRelease = readFileSync(join(ROOT, 'node_modules/@n8n/node-cli/dist/commands/release.js'), 'utf8');

	it("is n8n's release command, which in GitHub Actions lints, builds and publishes with provenance", () => {
		expect(packageJson.scripts.release).toBe('n8n-node release');
		expect(cliRelease).toMatch(/isCI = Boolean\(process\.env\.GITHUB_ACTIONS\)/);
		expect(cliRelease).toMatch(/\['run', 'lint'\][\s\S]*\['run', 'build'\][\s\S]*\['publish'\][\s\S]*NPM_CONFIG_PROVENANCE: 'true'/);
	});

	it('publishes dist/ only, with provenance asked for by the package itself', () => {
		expect(packageJson.files).toEqual(['dist']);
		expect(packageJson.publishConfig).toEqual({ provenance: true });
		expect(packageJson.scripts.prepublishOnly).toBe('n8n-node prerelease');
	});
});
