import { situationOf, verdict } from '../../nodes/shared/transport/profiles';
import type { Failure } from '../../nodes/shared/transport/send';

const http = (status: number, message = 'x'): Failure => ({ ok: false, kind: 'http', status, message });
const envelope = (status: number, message = 'x'): Failure => ({ ok: false, kind: 'envelope', status, message });
const network = (how: Failure['network']): Failure => ({ ok: false, kind: 'network', network: how, message: 'unreachable' });

// The contract's "What each failure gets" table, row by row: [situation, failure, create, read].
const table: Array<[string, Failure, string, string]> = [
	['429', http(429), 'retry', 'retry'],
	['429 in the envelope', envelope(429), 'retry', 'retry'],
	['503', http(503), 'retry', 'retry'],
	['connection refused, DNS or TLS before sending', network('notSent'), 'retry', 'retry'],
	['500', http(500), 'maybeCreated', 'retry'],
	['502', http(502), 'maybeCreated', 'retry'],
	['504', http(504), 'maybeCreated', 'retry'],
	['a reset or hang-up after sending', network('maybeSent'), 'maybeCreated', 'retry'],
	['a time-out', network('timeout'), 'maybeCreated', 'retry'],
	['HTTP 200 with envelope code 500', envelope(500), 'maybeCreated', 'retry'],
	['HTTP 200 with envelope code 503', envelope(503), 'retry', 'retry'],
	['an answer that is not JSON', { ok: false, kind: 'malformed', status: 200, message: 'x' }, 'maybeCreated', 'retry'],
	['an answer over the size cap or nested too deep', { ok: false, kind: 'malformed', status: 200, message: 'The service sent an answer larger than 1 MB' }, 'maybeCreated', 'retry'],
	['a redirect (not followed)', { ok: false, kind: 'redirect', status: 302, message: 'other.host' }, 'maybeCreated', 'final'],
	['a redirect to a host named like credits', { ok: false, kind: 'redirect', status: 307, message: 'credits.example.com' }, 'maybeCreated', 'final'],
	['400', http(400), 'final', 'final'],
	['401', http(401), 'final', 'final'],
	['403', http(403), 'final', 'final'],
	['404', http(404), 'final', 'final'],
	['422', http(422), 'final', 'final'],
	['another envelope error', envelope(4001), 'final', 'final'],
	['402', http(402), 'final', 'final'],
	['a 429 about credits', http(429, 'credit limit reached'), 'final', 'final'],
	['an envelope about credits', envelope(4002, 'Not enough credits'), 'final', 'final'],
];

describe('the failure table', () => {
	it.each(table)('%s: create %s, read %s', (_name, failure, create, read) => {
		expect([verdict(failure, 'create'), verdict(failure, 'read')]).toEqual([create, read]);
	});

	it('names each situation', () => {
		expect(situationOf(http(402)).situation).toBe('noCredits');
		expect(situationOf(network('notSent')).situation).toBe('notTaken');
	});
});
