/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import * as http from 'node:http';

import { startStandIn, type StandIn } from './server';

let s: StandIn;
beforeAll(async () => (s = await startStandIn({ processingMs: 20 })));
afterAll(async () => s.close());

/** A GET on a connection of its own, closed after the answer (as axios does without keep-alive). */
const get = (path: string) =>
	new Promise<number>((resolve, reject) => {
		const req = http.get(s.url + path, { agent: false, headers: { authorization: `Bearer ${s.key}`, connection: 'close' } }, (res) => {
			res.resume();
			res.on('end', () => resolve(res.statusCode ?? 0));
		});
		req.on('error', reject);
	});

const closed = async () => {
	while (s.connections.open > 0) await new Promise((resolve) => setTimeout(resolve, 5));
};

it('counts the connections open at once, and how many were opened', async () => {
	await closed();
	s.connections.resetPeak();
	await Promise.all([get('/api/v1/tasks/n41nope'), get('/api/v1/tasks/n41nope'), get('/api/v1/tasks/n41nope')]);
	await closed();
	expect(s.connections.total).toBe(3);
	expect(s.connections.peak).toBeGreaterThanOrEqual(1);
	expect(s.connections.peak).toBeLessThanOrEqual(3);
	await get('/api/v1/tasks/n41nope');
	await closed();
	expect(s.connections.total).toBe(4);
	s.connections.resetPeak();
	expect(s.connections).toMatchObject({ open: 0, peak: 0, total: 0 });
});

it("leaves out the stand-in's own fetches of its pictures", async () => {
	await closed();
	s.connections.resetPeak();
	expect(await get(s.imageUrl().slice(s.url.length))).toBe(200);
	await closed();
	expect(s.connections.total).toBe(0);
	expect(s.connections.peak).toBe(0);
});
