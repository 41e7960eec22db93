/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { laptopEnv, ROOT, run } from './tooling';

// `npm publish` from a maintainer's machine, against a registry on 127.0.0.1 that would accept anything.
// The project's .npmrc sets ignore-scripts, and npm then skips prepublishOnly too: so the guard that holds
// is publishConfig.provenance, which npm can only satisfy inside a CI provider (GitHub Actions here).

let registry: Server;
let registryUrl: string;
const requests: string[] = [];

beforeAll(async () => {
	registry = createServer((request, response) => {
		requests.push(`${request.method} ${request.url}`);
		request.resume();
		request.on('end', () => {
			response.writeHead(request.method === 'PUT' ? 200 : 404, { 'content-type': 'application/json' });
			response.end('{}');
		});
	});
	await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
	registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise((resolve) => registry.close(resolve)));
beforeEach(() => (requests.length = 0));

/** A folder with this package.json (changed by `edit`) and .npmrc, logged in to the local registry. */
function packageFolder(edit: (packageJson: Record<string, unknown>) => void = () => {}) {
	const dir = mkdtempSync(join(tmpdir(), 'publish-guard-'));
	const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
	edit(packageJson);
	writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson));
	copyFileSync(join(ROOT, '.npmrc'), join(dir, '.npmrc'));
	appendFileSync(join(dir, '.npmrc'), `\n${registryUrl.replace(/^http:/, '')}:_authToken=test-token\n`);
	return dir;
}

async function publishFrom(dir: string, extraArgs: string[] = []) {
	try {
		// No update check: nothing but the local registry is asked.
		const env = laptopEnv({ npm_config_update_notifier: 'false' });
		return await run('npm', ['publish', '--registry', registryUrl, ...extraArgs], { cwd: dir, env });
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

const uploads = () => requests.filter((request) => request.startsWith('PUT '));

it('publishes to this registry when nothing guards (the control)', async () => {
	const dir = packageFolder((packageJson) => {
		delete packageJson.publishConfig;
		delete (packageJson.scripts as Record<string, string>).prepublishOnly;
	});
	const result = await publishFrom(dir);
	expect(result.code).toBe(0);
	expect(uploads()).toEqual(['PUT /n8n-nodes-apiinone']);
}, 60_000);

it('refuses to publish from a laptop: provenance cannot be made outside CI', async () => {
	const result = await publishFrom(packageFolder());
	expect(result.code).not.toBe(0);
	expect(result.output).toMatch(/provenance generation not supported/i);
	expect(uploads()).toEqual([]);
}, 60_000);

it("with scripts on, n8n's prepublishOnly guard refuses first and names the way to release", async () => {
	const result = await publishFrom(packageFolder(), ['--ignore-scripts=false']);
	expect(result.code).not.toBe(0);
	expect(result.output).toContain('Run `npm run release` to publish the package');
	expect(result.output).not.toMatch(/provenance generation/i);
	expect(uploads()).toEqual([]);
}, 60_000);
