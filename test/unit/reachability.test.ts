import { unreachableBy } from '../../nodes/shared/reachability';

describe('unreachableBy', () => {
	it.each([
		['http://localhost:5678/x', 'localhost'],
		['http://n8n.localhost/x', 'localhost'],
		['http://printer.local/x', 'a local network name'],
		['http://127.0.0.1/x', 'a loopback address'],
		['http://0.0.0.0:5678/x', 'a loopback address'],
		['http://[::1]:5678/x', 'a loopback address'],
		['http://10.1.2.3/x', 'a private address'],
		['http://172.16.0.1/x', 'a private address'],
		['http://172.31.255.1/x', 'a private address'],
		['http://192.168.0.10/x', 'a private address'],
		['http://[fd12:3456::1]/x', 'a private address'],
		['http://169.254.169.254/x', 'a link-local address'],
		['http://[fe80::1]/x', 'a link-local address'],
	])('%s is %s', (url, kind) => expect(unreachableBy(url)).toBe(kind));

	it.each(['https://n8n.example.com/webhook/x', 'http://172.32.0.1/x', 'http://8.8.8.8/x', 'http://[2001:db8::1]/x', 'not a url'])('%s may be reachable', (url) =>
		expect(unreachableBy(url)).toBeUndefined(),
	);
});
