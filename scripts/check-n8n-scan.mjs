// What n8n checks before it verifies a community package, run here on this package (or on the folder given):
//   1. `n8n-node cloud-support`: strict mode on and the stock eslint.config.mjs, read from the CLI's own status report;
//   2. n8n's package scanner (@n8n/scan-community-package) on the sources it lints (package.json, nodes/, credentials/)
//      and on the packed tarball (every .js file and package.json), with inline eslint comments ignored, as the scanner does.
// The scanner's other check, npm provenance, exists only for a package published by .github/workflows/publish.yml.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const packageDir = resolve(process.argv[2] ?? '.');
const bin = (name) => join(import.meta.dirname, '..', 'node_modules', '.bin', name);

// The scanner makes a temporary folder when it is loaded and leaves it behind: give it one that is removed below.
const workDir = mkdtempSync(join(tmpdir(), 'n8n-scan-'));
process.env.TMPDIR = workDir;
const { analyzePackage, SOURCE_FILE_PATTERNS } = await import('@n8n/scan-community-package/scanner/scanner.mjs');

function cloudSupport() {
	const report = execFileSync(bin('n8n-node'), ['cloud-support'], { cwd: packageDir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
	const eligible = /Status: eligible for n8n Cloud verification/.test(report);
	return { passed: eligible, message: eligible ? undefined : 'n8n-node cloud-support: NOT eligible', details: eligible ? undefined : report };
}

/** The files npm would publish, unpacked into a folder of their own. */
function packedPackage() {
	if (!existsSync(join(packageDir, 'dist'))) throw new Error(`${packageDir}/dist does not exist: run npm run build first`);
	execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', workDir], { cwd: packageDir, stdio: 'ignore' });
	const tarball = readdirSync(workDir).find((name) => name.endsWith('.tgz'));
	const unpacked = join(workDir, 'package');
	mkdirSync(unpacked);
	execFileSync('tar', ['-xzf', join(workDir, tarball), '-C', unpacked, '--strip-components=1']);
	return unpacked;
}

try {
	const checks = [
		['cloud support', cloudSupport()],
		['scanner, sources', await analyzePackage(packageDir, SOURCE_FILE_PATTERNS)],
		['scanner, packed package', await analyzePackage(packedPackage(), ['**/*.js', 'package.json'])],
	];
	for (const [name, result] of checks) {
		process.stdout.write(`${result.passed ? 'ok  ' : 'FAIL'} ${name}${result.message ? `: ${result.message}` : ''}\n`);
		if (!result.passed && result.details) process.stdout.write(`${result.details}\n`);
	}
	process.exitCode = checks.every(([, result]) => result.passed) ? 0 : 1;
} finally {
	rmSync(workDir, { recursive: true, force: true });
}
