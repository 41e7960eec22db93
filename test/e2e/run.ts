/**
 * End to end in real n8n: packs this package, installs it the way n8n loads community packages,
 * and runs the example workflows users import, against the local stand-in of the service.
 * Results are read from n8n itself (its CLI's execution output, or its public API), never from
 * the stand-in's word. `npm run test:e2e [-- --versions 2,1]`
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { startStandIn } from '../stand-in/server';
import { killAll, N8n, readInstall, run } from './n8n';
import { prepare, type Check } from './workflows';

const ROOT = resolve(__dirname, '../..');

function versionsToRun(): number[] {
	const flag = process.argv.indexOf('--versions');
	return flag > 0 ? process.argv[flag + 1].split(',').map(Number) : [2, 1];
}

async function pack(): Promise<string> {
	const out = mkdtempSync(join(tmpdir(), 'apiinone-pack-'));
	await run('npm', ['pack', '--pack-destination', out], ROOT);
	return join(out, readdirSync(out).find((f) => f.endsWith('.tgz'))!);
}

async function main() {
	const started = Date.now();
	const tarball = await pack();
	const results: Array<{ version: string; name: string; error?: string; ms: number }> = [];

	for (const major of versionsToRun()) {
		const install = execFileSync('bash', [join(__dirname, 'install-n8n.sh'), String(major)], { stdio: ['ignore', 'pipe', 'inherit'] })
			.toString()
			.trim()
			.split('\n')
			.pop()!;
		const envFile = /N8N_ENV_FILE=(\S+)/.exec(install)![1];
		const n8n = new N8n(readInstall(envFile));
		const version = `n8n ${n8n.install.version}`;
		const standIn = await startStandIn({ processingMs: 1500, jitter: 0.2, maxRunning: 10 });
		try {
			console.log(`\n== ${version}: installing ${tarball.split('/').pop()} into ${n8n.folder}/.n8n/nodes`);
			await n8n.installPackage(tarball);
			const checks = await prepare(n8n, standIn);
			const runChecks = async (list: Check[]) => {
				for (const check of list) {
					const t0 = Date.now();
					try {
						await check.run();
						results.push({ version, name: check.name, ms: Date.now() - t0 });
						console.log(`  ok    ${check.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
					} catch (error) {
						results.push({ version, name: check.name, error: (error as Error).message, ms: Date.now() - t0 });
						console.log(`  FAIL  ${check.name}\n${indent((error as Error).message)}`);
					}
				}
			};
			await runChecks(checks.cli);
			await n8n.start();
			await n8n.setUpOwner();
			await runChecks(checks.server);
		} catch (error) {
			results.push({ version, name: 'set-up', error: (error as Error).stack ?? String(error), ms: 0 });
			console.log(`  FAIL  set-up of ${version}\n${indent((error as Error).stack ?? String(error))}`);
		} finally {
			await n8n.stop();
			await standIn.close();
			n8n.cleanup();
		}
	}

	const failed = results.filter((r) => r.error);
	console.log(`\nEnd-to-end suite in real n8n took ${((Date.now() - started) / 1000).toFixed(0)} s.`);
	console.log(`e2e: ${results.length - failed.length} passed, ${failed.length} failed`);
	return failed.length === 0;
}

const indent = (text: string) => text.split('\n').map((line) => `        ${line}`).join('\n');

main()
	.then((ok) => {
		killAll();
		process.exit(ok ? 0 : 1);
	})
	.catch((error) => {
		console.error(error);
		killAll();
		process.exit(1);
	});
