/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { readInstall, run, type Install } from './n8n';

/** What every end-to-end suite is given, and how it reports its checks. */

export const ROOT = resolve(__dirname, '../..');

export interface CheckResult {
	suite: string;
	name: string;
	error?: string;
	ms: number;
}

export interface SuiteContext {
	/** The packed package, as users install it. */
	tarball: string;
	/** Runs one check and records its outcome; a failed check does not stop the suite. */
	check(name: string, body: () => Promise<void>): Promise<boolean>;
	log(line: string): void;
}

export interface Suite {
	name: string;
	run(ctx: SuiteContext): Promise<void>;
}

/** A cached, smoke-tested n8n install of this major version (installed on first use). */
export function installN8n(major: 1 | 2): Install {
	const out = execFileSync('bash', [join(__dirname, 'install-n8n.sh'), String(major)], { stdio: ['ignore', 'pipe', 'inherit'] });
	const envFile = /N8N_ENV_FILE=(\S+)/.exec(out.toString().trim().split('\n').pop() ?? '')?.[1];
	if (!envFile) throw new Error(`install-n8n.sh ${major} printed no N8N_ENV_FILE`);
	return readInstall(envFile);
}

export async function pack(): Promise<string> {
	const out = mkdtempSync(join(tmpdir(), 'apiinone-pack-'));
	await run('npm', ['pack', '--pack-destination', out], ROOT);
	return join(out, readdirSync(out).find((f) => f.endsWith('.tgz'))!);
}

export const indent = (text: string) =>
	text
		.split('\n')
		.map((line) => `        ${line}`)
		.join('\n');
