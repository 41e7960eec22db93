import { startStandIn } from '../../stand-in/server';
import { installN8n, type Suite, type SuiteContext } from '../harness';
import { N8n } from '../n8n';
import { parkedBatchCheck } from '../parked-single';
import { prepare, type Check } from '../workflows';

/** One n8n process per version (SQLite, the way most users run it): the example workflows. */
export function singleProcess(majors: Array<1 | 2>): Suite {
	return {
		name: 'single process',
		async run(ctx: SuiteContext) {
			for (const major of majors) {
				const n8n = new N8n(installN8n(major));
				const standIn = await startStandIn({ processingMs: 1500, jitter: 0.2, maxRunning: 10 });
				const runChecks = async (checks: Check[]) => {
					for (const check of checks) check.start?.();
					for (const check of checks) await ctx.check(`n8n ${n8n.install.version}: ${check.name}`, () => check.run());
				};
				try {
					ctx.log(`\n== n8n ${n8n.install.version}: installing the package into ${n8n.folder}/.n8n/nodes`);
					await n8n.installPackage(ctx.tarball);
					const checks = await prepare(n8n, standIn);
					const parked = await parkedBatchCheck(n8n, standIn);
					await runChecks(checks.cli);
					await n8n.start();
					await n8n.setUpOwner();
					await runChecks([...checks.server, parked]);
				} catch (error) {
					// One version's broken set-up is its failure; the other version still runs.
					await ctx.check(`n8n ${n8n.install.version}: set-up`, () => Promise.reject(error));
				} finally {
					await n8n.stop();
					await standIn.close();
					n8n.cleanup();
				}
			}
		},
	};
}
