import { testCredential } from '../harness/credential-test';
import { credentialsFor, useStandIn } from '../helpers';
import type { FaultRule } from '../stand-in/server';

const box = useStandIn();

describe('API in One API credential test', () => {
	it('accepts a good key, at no cost: an unknown task read answers 404', async () => {
		const result = await testCredential('apiInOneApi', credentialsFor(box.standIn).apiInOneApi);
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(box.standIn.log.count('status')).toBe(1);
		expect(box.standIn.log.count('create')).toBe(0);
	});

	it('accepts a base URL with or without a trailing slash', async () => {
		const result = await testCredential('apiInOneApi', { apiKey: box.standIn.key, baseUrl: `${box.standIn.url}///` });
		expect(result.status).toBe('OK');
	});

	it('says "invalid API key" for a wrong key (401)', async () => {
		const result = await testCredential('apiInOneApi', credentialsFor(box.standIn, 'aio_wrong').apiInOneApi);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^Invalid API key/);
	});

	it.each<[string, FaultRule]>([
		['a refused key (403)', { fault: { kind: 'status', status: 403, message: 'Forbidden' } }],
		// n8n sends a request that got 401 once more (after its pre-authentication step): the key is bad both times.
		['a 401 whose body does not say so', { fault: { kind: 'status', status: 401, body: { error: 'Unauthorized' } }, times: 2 }],
		['an envelope error in an HTTP 200 answer', { fault: { kind: 'envelope', code: 401, message: 'Invalid token' } }],
	])('says "invalid API key" for %s', async (_name, rule) => {
		box.standIn.fault('status', rule);
		const result = await testCredential('apiInOneApi', credentialsFor(box.standIn).apiInOneApi);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^Invalid API key/);
	});

	it('fails on a server error page instead of calling it a success', async () => {
		box.standIn.fault('status', { kind: 'status', status: 502, body: '<html>Bad Gateway</html>' });
		const result = await testCredential('apiInOneApi', credentialsFor(box.standIn).apiInOneApi);
		expect(result).toEqual({ status: 'Error', message: 'Bad Gateway' });
	});

	it('says the host cannot be reached when nothing listens', async () => {
		const result = await testCredential('apiInOneApi', { apiKey: box.standIn.key, baseUrl: 'http://127.0.0.1:9' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/ECONNREFUSED|refused|reach/i);
	});
});
