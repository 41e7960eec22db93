/**
 * Whether the service, on the internet, could reach a URL: a callback to localhost, a loopback,
 * private or link-local address never arrives (n8n behind a proxy without WEBHOOK_URL set is the
 * usual cause). Returns what kind of address it is, or undefined when it may be reachable.
 */
export function unreachableBy(url: string): string | undefined {
	let host: string;
	try {
		host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
	} catch {
		return undefined;
	}
	if (host === 'localhost' || host.endsWith('.localhost')) return 'localhost';
	if (host.endsWith('.local') || host.endsWith('.internal')) return 'a local network name';
	const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host)?.slice(1).map(Number);
	if (v4) {
		const [a, b] = v4;
		if (a === 127 || a === 0) return 'a loopback address';
		if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private address';
		if (a === 169 && b === 254) return 'a link-local address';
		return undefined;
	}
	if (host === '::1' || host === '::') return 'a loopback address';
	if (/^f[cd][0-9a-f]{2}:/.test(host)) return 'a private address';
	if (/^fe[89ab][0-9a-f]:/.test(host)) return 'a link-local address';
	return undefined;
}

/** What a user reads when a callback URL points where the service cannot go. */
export function unreachableHint(what: string, url: string, kind: string): string {
	return `${what} ${url.split('?')[0]} is ${kind}, which API in One cannot reach from the internet: its callbacks will never arrive. Set n8n's WEBHOOK_URL to the public address of your n8n (e.g. https://n8n.example.com/) so webhook and resume URLs use it.`;
}
