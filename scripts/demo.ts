/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- dev tooling, never published: n8n's rules for community node code do not apply */
/**
 * `npm run demo`: builds the package, then runs a real n8n workflow (n8n-core's WorkflowExecute
 * with this package's built Image Upscale node) that upscales a batch of images against a local
 * stand-in of API in One, or against the real service with --real, and writes the files to a folder.
 *
 * This is the only file of the project that reads environment variables.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { INodeType } from 'n8n-workflow';

import { demoSucceeded, runDemo, type DemoOptions } from './demo-lib/run';

export { demoSucceeded, runDemo, type DemoOptions, type DemoRow } from './demo-lib/run';

const HELP = `Usage: npm run demo -- [options] [image files or URLs...]

Upscales images with the Image Upscale node in a real n8n workflow engine (n8n-core) and writes
the results to a folder. Without files or URLs it uses 6 sample images drawn by the project.

  --file PATH        an image file of yours (repeatable; plain paths work too)
  --url URL          an image URL of yours (repeatable; plain http(s) arguments work too)
  --samples          add the 6 sample images to your own files and URLs
  --scale N          upscale factor, sent as {"scale": N} in "Extra Body Fields"
                     (the local stand-in takes 1-4, default 2)
  --concurrency N    images processed at the same time (the node's Concurrency option, default 10)
  --out DIR          where the upscaled files go (default ./demo-output)
  --real             use the real service: needs APIINONE_API_KEY in the environment
                     (base URL https://apiin.one, or APIINONE_BASE_URL); 1 credit per image
  -h, --help         this help

Without --real everything stays on this machine: the service is a local stand-in on 127.0.0.1,
and URLs are accepted only on 127.0.0.1/localhost.

Examples:
  npm run demo
  npm run demo -- --scale 3 --concurrency 2
  npm run demo -- --file photo.jpg --file scan.png --out upscaled
  APIINONE_API_KEY=aio_... npm run demo -- --real --file photo.jpg`;

class UsageError extends Error {}

function positive(value: string | undefined, flag: string): number | undefined {
	if (value === undefined) return undefined;
	const n = Number(value);
	if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number, got "${value}"`);
	return n;
}

export function parseDemoArgs(argv: string[]): DemoOptions & { help?: boolean; useReal?: boolean } {
	const { values, positionals } = parseArgs({
		args: argv,
		allowPositionals: true,
		options: {
			file: { type: 'string', multiple: true },
			url: { type: 'string', multiple: true },
			samples: { type: 'boolean' },
			scale: { type: 'string' },
			concurrency: { type: 'string' },
			out: { type: 'string' },
			real: { type: 'boolean' },
			help: { type: 'boolean', short: 'h' },
		},
	});
	const isUrl = (arg: string) => /^https?:\/\//i.test(arg);
	const concurrency = positive(values.concurrency, '--concurrency');
	if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency > 100)) {
		throw new UsageError('--concurrency takes a whole number from 1 to 100');
	}
	return {
		help: values.help,
		useReal: values.real,
		files: [...(values.file ?? []), ...positionals.filter((arg) => !isUrl(arg))],
		urls: [...(values.url ?? []), ...positionals.filter(isUrl)],
		samples: values.samples || undefined,
		scale: positive(values.scale, '--scale'),
		concurrency,
		outDir: values.out,
	};
}

/** The node class n8n would load from the published package: what `npm run build` just wrote. */
function builtNode(): INodeType {
	const file = path.join(__dirname, '..', 'dist', 'nodes', 'ImageUpscale', 'ImageUpscale.node.js');
	if (!existsSync(file)) throw new UsageError(`${path.relative(process.cwd(), file)} is missing: run "npm run build" first (npm run demo does)`);
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled file in dist/, found at run time
	const { ImageUpscale } = require(file) as { ImageUpscale: new () => INodeType };
	return new ImageUpscale();
}

async function main(): Promise<number> {
	const { help, useReal, ...options } = parseDemoArgs(process.argv.slice(2));
	if (help) {
		console.log(HELP);
		return 0;
	}
	const apiKey = process.env.APIINONE_API_KEY?.trim();
	if (useReal) {
		if (!apiKey) throw new UsageError('--real needs your API key in APIINONE_API_KEY (keys start with aio_)');
		options.real = { apiKey, baseUrl: (process.env.APIINONE_BASE_URL || 'https://apiin.one').replace(/\/+$/, '') };
	} else if (apiKey) {
		console.log('(APIINONE_API_KEY is set, but without --real the demo uses the local stand-in.)');
	}
	// n8n-core keeps its settings and binary files under N8N_USER_FOLDER: a throw-away one, not ~/.n8n.
	const userFolder = mkdtempSync(path.join(tmpdir(), 'apiinone-demo-n8n-'));
	process.env.N8N_USER_FOLDER = userFolder;
	process.env.N8N_LOG_LEVEL ??= 'silent';
	try {
		const rows = await runDemo({ ...options, node: builtNode() });
		if (demoSucceeded(rows)) return 0;
		const samplesFailed = rows.some((row) => row.kind === 'sample' && row.state !== 'succeeded');
		console.error(`\nThe demo failed: ${samplesFailed ? "some of the demo's own sample images were not upscaled" : 'no image was upscaled'} (see the problems above).`);
		return 1;
	} finally {
		rmSync(userFolder, { recursive: true, force: true });
	}
}

if (require.main === module) {
	main().then(
		(code) => process.exit(code),
		(error: Error) => {
			console.error(error instanceof UsageError ? `demo: ${error.message}\nSee: npm run demo -- --help` : `demo failed: ${error.stack ?? error.message}`);
			process.exit(error instanceof UsageError ? 2 : 1);
		},
	);
}
