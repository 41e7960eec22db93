/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- dev tooling, never published: n8n's rules for community node code do not apply */
import { startStandIn, type FaultRule, type ImageSpec, type Route, type StandIn, type TunableOptions } from '../test/stand-in/server';

/**
 * The stand-in in a process of its own, so its CPU (rendering, upscaling, serving files) stays out
 * of the node's measurement. The bench drives it over IPC: `process.send` requests with an id,
 * answered with the same id. Nothing is added to the stand-in itself.
 */

export type StandInRequest =
	| { id: number; op: 'info' }
	| { id: number; op: 'set'; options: TunableOptions }
	| { id: number; op: 'clear' }
	| { id: number; op: 'fault'; route: Route; rules: FaultRule[] }
	| { id: number; op: 'clearFaults' }
	| { id: number; op: 'idle' }
	| { id: number; op: 'imageUrl'; spec: ImageSpec }
	| { id: number; op: 'snapshot' }
	| { id: number; op: 'close' };

export interface Snapshot {
	entries: StandIn['log']['entries'];
	tasks: ReturnType<StandIn['tasks']>;
	maxInFlight: { create: number; status: number; file: number };
	/** The most TCP connections the node held open to the stand-in at once since the last `clear`. */
	peakSockets: number;
	cpuMs: number;
	rssMb: number;
}

let standIn: StandIn | undefined;
let since = 0;

async function answer(message: StandInRequest): Promise<unknown> {
	const s = standIn!;
	switch (message.op) {
		case 'info':
			return { url: s.url, key: s.key };
		case 'set':
			s.set(message.options);
			return true;
		case 'clear':
			s.log.clear();
			s.connections.resetPeak();
			since = Date.now();
			return true;
		case 'fault':
			s.fault(message.route, ...message.rules);
			return true;
		case 'clearFaults':
			s.clearFaults();
			return true;
		case 'idle':
			await s.idle();
			return true;
		case 'imageUrl':
			return s.imageUrl(message.spec);
		case 'snapshot': {
			const cpu = process.cpuUsage();
			const snapshot: Snapshot = {
				// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the request bodies are left out of the snapshot
				entries: s.log.entries.map(({ body: _body, ...rest }) => rest),
				tasks: s.tasks().filter((t) => t.createdAt >= since),
				maxInFlight: { create: s.log.maxInFlight('create'), status: s.log.maxInFlight('status'), file: s.log.maxInFlight('file') },
				peakSockets: s.connections.peak,
				cpuMs: (cpu.user + cpu.system) / 1000,
				rssMb: process.memoryUsage().rss / 1024 / 1024,
			};
			return snapshot;
		}
		case 'close':
			await s.close();
			setImmediate(() => process.exit(0));
			return true;
	}
}

async function main() {
	const options = JSON.parse(process.argv[2] ?? '{}');
	standIn = await startStandIn(options);
	process.on('message', (message: StandInRequest) => {
		answer(message).then(
			(result) => process.send!({ id: message.id, result }),
			(error: Error) => process.send!({ id: message.id, error: error.message }),
		);
	});
	process.on('disconnect', () => void standIn?.close().finally(() => process.exit(0)));
	process.send!({ id: 0, result: 'ready' });
}

main().catch((error: Error) => {
	console.error(`stand-in process: ${error.message}`);
	process.exit(1);
});
