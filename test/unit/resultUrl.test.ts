import { resultUrlRefusal } from '../../nodes/shared/reachability';

const PUBLIC_BASE = 'https://apiin.one';

describe('resultUrlRefusal: where a result URL may point', () => {
	it.each([
		'https://cdn.apiin.one/files/n41abc.png',
		'http://files.example.com/a.png?sig=1',
		'http://8.8.8.8/a.png',
		'http://172.32.0.1/a.png',
		'http://[2001:db8::1]/a.png',
	])('allows %s from a public service', (url) => expect(resultUrlRefusal(url, PUBLIC_BASE)).toBeUndefined());

	it.each([
		['http://127.0.0.1/a.png', 'a loopback address'],
		['http://localhost:8080/a.png', 'a loopback address'],
		['http://n8n.localhost/a.png', 'a loopback address'],
		['http://localhost./a.png', 'a loopback address'],
		['http://0.0.0.0/a.png', 'a loopback address'],
		['http://[::1]/a.png', 'a loopback address'],
		['http://10.0.0.1/a.png', 'a private address'],
		['http://172.16.5.4/a.png', 'a private address'],
		['http://192.168.1.1/a.png', 'a private address'],
		['http://[fd00::1]/a.png', 'a private address'],
		['http://printer.local/a.png', 'a private address'],
		['http://metadata.google.internal/computeMetadata/v1/', 'a private address'],
		['http://169.254.169.254/latest/meta-data', 'a link-local address'],
		['http://[fe80::1]/a.png', 'a link-local address'],
		// Other spellings of the same addresses: WHATWG URL parsing turns them into the dotted or hex form.
		['http://2130706433/a.png', 'a loopback address'],
		['http://0x7f.1/a.png', 'a loopback address'],
		['http://0177.0.0.1/a.png', 'a loopback address'],
		['http://127.1/a.png', 'a loopback address'],
		['http://%31%32%37.0.0.1/a.png', 'a loopback address'],
		['http://0xa9fea9fe/a.png', 'a link-local address'],
		['http://[::ffff:127.0.0.1]/a.png', 'a loopback address'],
		['http://[0:0:0:0:0:ffff:7f00:1]/a.png', 'a loopback address'],
		['http://[::ffff:a9fe:a9fe]/a.png', 'a link-local address'],
		['http://[::ffff:10.1.2.3]/a.png', 'a private address'],
	])('refuses %s from a public service: %s', (url, kind) => expect(resultUrlRefusal(url, PUBLIC_BASE)).toBe(`points at ${kind}`));

	it.each(['file:///etc/passwd', 'ftp://files.example.com/a.png', 'data:image/png;base64,AAAA', 'javascript:alert(1)', 'gopher://127.0.0.1:6379/_'])(
		'refuses the scheme of %s',
		(url) => expect(resultUrlRefusal(url, PUBLIC_BASE)).toBe('is not an http(s) URL'),
	);

	it.each(['not a url', '', 'http://'])('refuses %p as no URL', (url) => expect(resultUrlRefusal(url, PUBLIC_BASE)).toBe('is not a valid URL'));

	describe('allows the class of address the service itself is at (local stand-ins, self-hosted setups)', () => {
		it.each([
			['http://127.0.0.1:4000', 'http://127.0.0.1:4000/files/a.png'],
			['http://127.0.0.1:4000', 'http://localhost:5000/a.png'],
			['http://localhost:4000', 'http://[::1]:4000/a.png'],
			['http://10.0.0.5', 'http://192.168.1.20/a.png'],
			['http://api.internal', 'http://10.0.0.7/a.png'],
			['http://169.254.10.1', 'http://169.254.169.254/a.png'],
		])('base %s: %s', (base, url) => expect(resultUrlRefusal(url, base)).toBeUndefined());

		it.each([
			['http://127.0.0.1:4000', 'http://169.254.169.254/latest/meta-data', 'a link-local address'],
			['http://127.0.0.1:4000', 'http://10.0.0.1/a.png', 'a private address'],
			['http://10.0.0.5', 'http://127.0.0.1/a.png', 'a loopback address'],
			['http://10.0.0.5', 'http://[::ffff:a9fe:a9fe]/', 'a link-local address'],
		])('but not another class: base %s, %s', (base, url, kind) => expect(resultUrlRefusal(url, base)).toBe(`points at ${kind}`));

		it('never another scheme', () => expect(resultUrlRefusal('file:///etc/passwd', 'http://127.0.0.1:4000')).toBe('is not an http(s) URL'));
	});
});
