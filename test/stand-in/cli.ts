/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- dev tooling, never published: n8n's rules for community node code do not apply */
import { parseArgs } from 'node:util';
import { startStandIn } from './server';

const USAGE =
	'usage: tsx test/stand-in/cli.ts [--port N] [--processing-ms N] [--jitter F] [--max-running N] [--scale N] [--credits N] [--key aio_xxx] [--store-dir DIR]\n' +
	'       [--create-rate N] [--read-rate N] [--retry-after-unit S]   (requests per second; 429 with Retry-After past them)';

function num(value: string | undefined, flag: string): number | undefined {
	if (value === undefined) return undefined;
	const n = Number(value);
	if (!Number.isFinite(n)) throw new Error(`${flag} needs a number, got "${value}"`);
	return n;
}

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			port: { type: 'string' },
			'processing-ms': { type: 'string' },
			jitter: { type: 'string' },
			'max-running': { type: 'string' },
			scale: { type: 'string' },
			credits: { type: 'string' },
			key: { type: 'string', multiple: true },
			'store-dir': { type: 'string' },
			'create-rate': { type: 'string' },
			'read-rate': { type: 'string' },
			'retry-after-unit': { type: 'string' },
			help: { type: 'boolean', short: 'h' },
		},
	});
	if (values.help) {
		console.log(USAGE);
		return;
	}
	const standIn = await startStandIn({
		port: num(values.port, '--port'),
		processingMs: num(values['processing-ms'], '--processing-ms'),
		jitter: num(values.jitter, '--jitter'),
		maxRunning: num(values['max-running'], '--max-running'),
		scale: num(values.scale, '--scale'),
		credits: num(values.credits, '--credits'),
		keys: values.key,
		storeDir: values['store-dir'],
		createRate: num(values['create-rate'], '--create-rate'),
		readRate: num(values['read-rate'], '--read-rate'),
		retryAfterUnitS: num(values['retry-after-unit'], '--retry-after-unit'),
	});
	const image = standIn.imageUrl({ width: 320, height: 240 });
	const body = JSON.stringify({ model: 'image-upscale', image });
	console.log(
		[
			'API in One stand-in is running',
			`  base URL : ${standIn.url}`,
			`  API key  : ${standIn.key}`,
			`  image    : ${image}`,
			'  try      :',
			`    curl -s -X POST ${standIn.url}/api/v1/images/tools/upscale \\`,
			`      -H 'Authorization: Bearer ${standIn.key}' -H 'Content-Type: application/json' \\`,
			`      -d '${body}'`,
			`    curl -s ${standIn.url}/api/v1/tasks/<task_id> -H 'Authorization: Bearer ${standIn.key}'`,
			'  Ctrl+C to stop',
		].join('\n'),
	);
	console.log(`STAND_IN_READY ${JSON.stringify({ url: standIn.url, key: standIn.key })}`);

	let stopping = false;
	const stop = (): void => {
		if (stopping) return;
		stopping = true;
		standIn.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((err: Error) => {
	console.error(`stand-in: ${err.message}\n${USAGE}`);
	process.exit(1);
});
