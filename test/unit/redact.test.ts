/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- dev tooling, never published: n8n's rules for community node code do not apply */
import { redactor, REDACTED } from '../../nodes/shared/redact';

describe('redactor', () => {
	const key = 'aio_live_SECRET_123/+=';
	const redact = redactor(key);

	it('replaces the key, as sent or URL-encoded, in every string of an object', () => {
		const from = {
			message: `Bad header: Bearer ${key}`,
			data: { echo: [key, `x?key=${encodeURIComponent(key)}`], n: 1, ok: true, none: null },
			[`k_${key}`]: 'v',
		};
		const out = redact(from);
		expect(JSON.stringify(out)).not.toContain('SECRET');
		expect(out).toEqual({
			message: `Bad header: Bearer ${REDACTED}`,
			data: { echo: [REDACTED, `x?key=${REDACTED}`], n: 1, ok: true, none: null },
			[`k_${REDACTED}`]: 'v',
		});
		expect(from.message).toContain(key);
	});

	it('leaves text alone when there is no key to hide', () => {
		expect(redactor('')('a b c')).toBe('a b c');
	});
});
