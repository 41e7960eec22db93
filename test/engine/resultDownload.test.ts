/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { downloadLimits } from '../../nodes/ImageUpscale/run/download';
import { clock } from '../../nodes/shared/clock';
import { runNode, startNode } from '../harness/engine';
import { binaryBuffer, credentialsFor, until, useStandIn, visibleText } from '../helpers';

/**
 * Result downloads against hostile file hosts: a file host of the test's own on 127.0.0.1 (the
 * stand-in is on loopback too, so loopback results are allowed), reached through a status read
 * whose result URL the test chooses.
 */
const box = useStandIn({ processingMs: 50 });
const TASK = 'n41sec0001';

interface Seen {
	path: string;
	headers: IncomingHttpHeaders;
}
const seen: Seen[] = [];
const open = new Set<ServerResponse>();
let png: Buffer;
let host: Server;
let hostUrl = '';

function serve(path: string, res: ServerResponse): void {
	const hop = /^\/hop\/(\d+)$/.exec(path);
	if (hop) {
		const left = Number(hop[1]);
		res.writeHead(302, { location: left > 0 ? `/hop/${left - 1}` : '../ok.png' });
		return void res.end();
	}
	if (path === '/to-metadata') {
		res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data' });
		return void res.end();
	}
	if (path === '/to-file') {
		res.writeHead(307, { location: 'file:///etc/passwd' });
		return void res.end();
	}
	if (path === '/ok.png') {
		res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
		return void res.end(png);
	}
	if (path === '/hang') return;
	const trickle = /^\/trickle\/(\d+)$/.exec(path);
	if (trickle) {
		res.writeHead(200, { 'content-type': 'image/png', 'content-length': 10_000 });
		const every = Number(trickle[1]);
		const drip = (): void => {
			if (res.destroyed) return;
			res.write(Buffer.from([0]));
			setTimeout(drip, every);
		};
		return drip();
	}
	res.writeHead(404);
	res.end();
}

beforeAll(async () => {
	png = await box.standIn.image({ width: 16, height: 12 });
	host = createServer((req, res) => {
		seen.push({ path: req.url ?? '', headers: req.headers });
		open.add(res);
		res.on('close', () => open.delete(res));
		serve(req.url ?? '', res);
	});
	await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
	hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
});
afterAll(async () => {
	for (const res of open) res.destroy();
	await new Promise((resolve) => host.close(resolve));
});

const saved = { ...downloadLimits };
beforeEach(() => {
	seen.length = 0;
	Object.assign(downloadLimits, saved);
});
afterEach(() => Object.assign(downloadLimits, saved));

/** Task -> Get of a task the service reports succeeded with `resultUrl`; the node downloads it. */
function runGet(resultUrl: string, start: typeof runNode | typeof startNode) {
	box.standIn.fault('status', {
		kind: 'status',
		status: 200,
		body: { code: 200, message: 'success', data: { task_id: TASK, status: 'COMPLETED', output: { image_url: resultUrl } } },
	});
	return start({
		node: { type: 'n8n-nodes-apiinone.imageUpscale', parameters: { resource: 'task', operation: 'get', taskId: TASK } as never },
		items: [{ json: {} }],
		credentials: credentialsFor(box.standIn),
	});
}

async function getWithResult(resultUrl: string) {
	const started = Date.now();
	const result = await (runGet(resultUrl, runNode) as ReturnType<typeof runNode>);
	return { result, ms: Date.now() - started };
}

function expectRefusal(result: Awaited<ReturnType<typeof getWithResult>>['result'], message: RegExp) {
	expect(result.error?.message).toMatch(message);
	expect(visibleText(result)).toContain(TASK);
	expect(visibleText(result)).not.toContain(box.standIn.key);
}

describe('result URLs cannot reach inside the network', () => {
	it('refuses the cloud metadata address although the service is on loopback (another class)', async () => {
		const { result, ms } = await getWithResult('http://169.254.169.254/latest/meta-data');
		expectRefusal(result, /^The result URL points at a link-local address/);
		expect(ms).toBeLessThan(2000);
	}, 10_000);

	it('refuses a private address in another spelling ([::ffff:10.1.2.3])', async () => {
		const { result } = await getWithResult('http://[::ffff:10.1.2.3]/a.png');
		expectRefusal(result, /^The result URL points at a private address/);
	}, 10_000);

	it('a non-http result URL never reaches the download: the status parser takes only http(s) URLs', async () => {
		const { result } = await getWithResult('file:///etc/passwd');
		expectRefusal(result, /^The task succeeded but the service gave no result URL/);
	});

	it('allows loopback results when the service itself is on loopback (the stand-in)', async () => {
		const { result } = await getWithResult(`${hostUrl}/ok.png`);
		expect(result.error).toBeUndefined();
		expect(await binaryBuffer(result.items[0].binary!.data)).toEqual(png);
	});
});

describe('redirects while downloading', () => {
	it('follows a few hops, each resolved against the current URL, and never sends credentials', async () => {
		const { result } = await getWithResult(`${hostUrl}/hop/3`);
		expect(result.error).toBeUndefined();
		expect(await binaryBuffer(result.items[0].binary!.data)).toEqual(png);
		expect(seen.map((s) => s.path)).toEqual(['/hop/3', '/hop/2', '/hop/1', '/hop/0', '/ok.png']);
		for (const s of seen) {
			expect(s.headers.authorization).toBeUndefined();
			expect(JSON.stringify(s.headers)).not.toContain(box.standIn.key);
		}
	});

	it('stops after 5 hops', async () => {
		const { result } = await getWithResult(`${hostUrl}/hop/9`);
		expectRefusal(result, /^Could not download the result image: more than 5 redirects/);
		expect(seen).toHaveLength(6);
	});

	it('refuses a hop to the cloud metadata address before following it', async () => {
		const { result, ms } = await getWithResult(`${hostUrl}/to-metadata`);
		expectRefusal(result, /^The result URL redirects to http:\/\/169\.254\.169\.254\/latest\/meta-data, which points at a link-local address/);
		expect(ms).toBeLessThan(2000);
	}, 10_000);

	it('refuses a hop to a non-http scheme', async () => {
		const { result } = await getWithResult(`${hostUrl}/to-file`);
		expectRefusal(result, /^The result URL redirects to file:\/\/\/etc\/passwd, which is not an http\(s\) URL/);
	});
});

describe('nothing hangs', () => {
	it('ends a body that trickles (1 byte a second) after the idle limit', async () => {
		downloadLimits.idleMs = 400;
		const { result, ms } = await getWithResult(`${hostUrl}/trickle/1000`);
		expectRefusal(result, /^The result download stalled: nothing arrived for 0\.4 seconds/);
		expect(ms).toBeLessThan(3000);
		expect(open.size).toBe(0);
	}, 10_000);

	it('ends a body that trickles quickly but never ends at the total deadline', async () => {
		Object.assign(downloadLimits, { idleMs: 1000, totalMs: 1500 });
		const { result, ms } = await getWithResult(`${hostUrl}/trickle/50`);
		expectRefusal(result, /^The result download took longer than 1\.5 seconds/);
		expect(ms).toBeLessThan(4000);
		expect(open.size).toBe(0);
	}, 10_000);

	it('ends a download whose host never answers', async () => {
		downloadLimits.idleMs = 400;
		const { result, ms } = await getWithResult(`${hostUrl}/hang`);
		expectRefusal(result, /^The result download stalled: nothing arrived for 0\.4 seconds/);
		expect(ms).toBeLessThan(3000);
	}, 10_000);

	it('Stop still stops at once while a body trickles, and drops the connection', async () => {
		const running = runGet(`${hostUrl}/trickle/200`, startNode) as ReturnType<typeof startNode>;
		await until(() => seen.length === 1 && open.size === 1);
		const stopped = Date.now();
		running.cancel();
		expect((await running.result).status).toBe('canceled');
		expect(Date.now() - stopped).toBeLessThan(1000);
		await until(() => open.size === 0, 1000);
	}, 10_000);

	it('leaves no wait behind once a download is done', async () => {
		const signals: AbortSignal[] = [];
		const real = clock.deadline;
		jest.spyOn(clock, 'deadline').mockImplementation(async (ms: number, signal?: AbortSignal) => {
			if (signal) signals.push(signal);
			await real(ms, signal);
		});
		const { result } = await getWithResult(`${hostUrl}/ok.png`);
		expect(result.error).toBeUndefined();
		expect(signals.length).toBeGreaterThan(0);
		expect(signals.every((s) => s.aborted)).toBe(true);
	});
});
