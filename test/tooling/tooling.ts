/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const BIN = join(ROOT, 'node_modules', '.bin');

/** Runs a command without a shell; never throws on a non-zero exit. */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
	return new Promise<{ code: number; output: string }>((resolve) => {
		execFile(command, args, { ...options, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
			const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
			resolve({ code, output: `${stdout}${stderr}` });
		});
	});
}

/** The environment of a maintainer's shell: none of npm run's npm_config_* settings, no CI markers. */
export function laptopEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [name, value] of Object.entries(process.env)) {
		if (!/^(npm_|NPM_CONFIG_|GITHUB_|CI$|RELEASE_MODE$)/i.test(name)) env[name] = value;
	}
	return { ...env, PATH: `${BIN}:${process.env.PATH}`, ...extra };
}
