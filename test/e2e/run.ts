/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- dev tooling, never published: n8n's rules for community node code do not apply */
/**
 * End to end in real n8n: packs this package, installs it the way n8n loads community packages,
 * and runs each suite against the local stand-in of the service. Results are read from n8n itself
 * (its CLI's execution output, its REST API, its editor), never from the stand-in's word.
 *
 *   npm run test:e2e [-- --suites single,queue,editor,agents] [--versions 2,1] [--only TEXT]
 *
 * --only runs just the checks whose name contains TEXT (the suites' set-up still runs), for work on a few.
 * The agents suite runs on n8n 2.x only, whatever --versions says (docs/agents.md says why).
 */
import { editorSuite } from './editor/suite';
import { indent, pack, type CheckResult, type Suite } from './harness';
import { killAll } from './n8n';
import { agentsSuite } from './suites/agents';
import { queueMode } from './suites/queue';
import { singleProcess } from './suites/single';
import { MissingSystemPackage } from './system';

function flag(name: string): string[] | undefined {
	const at = process.argv.indexOf(`--${name}`);
	return at > 0 ? process.argv[at + 1].split(',') : undefined;
}

function suites(): Suite[] {
	const majors = (flag('versions') ?? ['2', '1']).map(Number) as Array<1 | 2>;
	const all: Record<string, Suite> = { single: singleProcess(majors), queue: queueMode(), editor: editorSuite(), agents: agentsSuite() };
	const names = flag('suites') ?? Object.keys(all);
	return names.map((name) => all[name] ?? fail(`unknown suite "${name}"; suites: ${Object.keys(all).join(', ')}`));
}

function fail(message: string): never {
	throw new Error(message);
}

async function main(): Promise<boolean> {
	const started = Date.now();
	const selected = suites();
	const only = flag('only')?.join(',');
	const tarball = await pack();
	const results: CheckResult[] = [];
	for (const suite of selected) {
		const suiteStarted = Date.now();
		console.log(`\n# ${suite.name}`);
		const ctx = {
			tarball,
			log: (line: string) => console.log(line),
			async check(name: string, body: () => Promise<void>) {
				if (only && !name.includes(only) && !name.endsWith('set-up')) return true;
				const t0 = Date.now();
				try {
					await body();
					results.push({ suite: suite.name, name, ms: Date.now() - t0 });
					console.log(`  ok    ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
					return true;
				} catch (error) {
					results.push({ suite: suite.name, name, error: (error as Error).message, ms: Date.now() - t0 });
					console.log(`  FAIL  ${name}\n${indent((error as Error).message)}`);
					return false;
				}
			},
		};
		try {
			await suite.run(ctx);
		} catch (error) {
			// A missing system package is one line that names it; anything else shows where it broke.
			const text = error instanceof MissingSystemPackage ? error.message : ((error as Error).stack ?? String(error));
			results.push({ suite: suite.name, name: 'set-up', error: text, ms: 0 });
			console.log(`  FAIL  set-up of ${suite.name}\n${indent(text)}`);
		} finally {
			killAll();
		}
		console.log(`  (${suite.name}: ${((Date.now() - suiteStarted) / 1000).toFixed(0)} s)`);
	}
	const failed = results.filter((r) => r.error);
	console.log(`\nEnd-to-end suites in real n8n took ${((Date.now() - started) / 1000).toFixed(0)} s.`);
	console.log(`e2e: ${results.length - failed.length} passed, ${failed.length} failed`);
	for (const r of failed) console.log(`  failed: [${r.suite}] ${r.name}`);
	return failed.length === 0 && results.length > 0;
}

main()
	.then((ok) => {
		killAll();
		process.exit(ok ? 0 : 1);
	})
	.catch((error) => {
		console.error(error instanceof Error ? error.message : error);
		killAll();
		process.exit(1);
	});
