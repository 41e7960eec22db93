/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error, no-console -- dev tooling, never published: n8n's rules for community node code do not apply */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Debian packages a suite needs (PostgreSQL, Redis, Chromium): installed with apt-get when missing
 * and this is root; otherwise one line naming what to install, never a stack trace.
 */
export class MissingSystemPackage extends Error {}

export interface SystemPackage {
	/** Debian package name. */
	name: string;
	/** A file the package installs, to tell whether it is there. */
	provides: string;
}

const hasAll = (packages: SystemPackage[]) => packages.every((p) => existsSync(p.provides));

export function ensureDebianPackages(packages: SystemPackage[], log: (line: string) => void = console.log): void {
	const missing = packages.filter((p) => !existsSync(p.provides));
	if (missing.length === 0) return;
	const names = missing.map((p) => p.name).join(' ');
	const hint = `install the Debian packages: apt-get install ${names}`;
	if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version']).status !== 0) {
		throw new MissingSystemPackage(`${names} missing and this is not root with apt-get: ${hint}`);
	}
	log(`  installing ${names} with apt-get`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	try {
		execFileSync('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
		execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((p) => p.name)], {
			env,
			stdio: ['ignore', 'ignore', 'pipe'],
		});
	} catch (error) {
		const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim().split('\n').pop();
		throw new MissingSystemPackage(`apt-get could not install ${names} (${stderr || 'no reason given'}): ${hint}`);
	}
	if (!hasAll(missing)) throw new MissingSystemPackage(`apt-get ran but ${names} is still missing: ${hint}`);
}
