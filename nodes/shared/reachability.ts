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

type AddressClass = 'a loopback address' | 'a private address' | 'a link-local address';

/** An IPv4 address written in an IPv6 one (`::ffff:7f00:1`, `::7f00:1`), as dotted IPv4; else the host as it is. */
function embeddedV4(host: string): string {
	const m = /^::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
	if (!m) return host;
	const [hi, lo] = [parseInt(m[1], 16), parseInt(m[2], 16)];
	return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** The class of address a URL's host is, by its letters only; undefined for a public or plain name. */
function addressClass(url: URL): AddressClass | undefined {
	const host = embeddedV4(url.hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, ''));
	const kind = unreachableBy(`http://${host.includes(':') ? `[${host}]` : host}/`);
	if (kind === 'localhost') return 'a loopback address';
	if (kind === 'a local network name') return 'a private address';
	return kind as AddressClass | undefined;
}

/**
 * Why a result URL (or a redirect hop) must not be fetched, or undefined when it may be. Only
 * http(s). Loopback, private (with .local and .internal names) and link-local addresses are
 * refused, except the class the credential's base URL is itself in: a stand-in on loopback may
 * serve its files on loopback, a service on a private network on private addresses, but neither
 * reaches the cloud metadata address (link-local). Hosts are judged by their letters only: there is
 * no DNS in node code, so a public name that resolves to a private address is not caught here.
 * Other spellings of IPv4 (2130706433, 0x7f.1, 0177.0.0.1) are turned into dotted form by URL
 * parsing itself; IPv4 inside IPv6 (::ffff:127.0.0.1) is read out here.
 */
export function resultUrlRefusal(resultUrl: string, baseUrl: string): string | undefined {
	let url: URL;
	try {
		url = new URL(resultUrl);
	} catch {
		return 'is not a valid URL';
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'is not an http(s) URL';
	const kind = addressClass(url);
	if (!kind) return undefined;
	let base: AddressClass | undefined;
	try {
		base = addressClass(new URL(baseUrl));
	} catch {
		base = undefined;
	}
	return kind === base ? undefined : `points at ${kind}`;
}
