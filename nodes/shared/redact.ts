/** What the API key becomes wherever the service echoes it. */
export const REDACTED = 'aio_***';

export type Redact = <T>(value: T) => T;

/**
 * A function that replaces the secret, as sent or URL-encoded, in a string or in every string of
 * an object or array (a copy; the input is left alone). Everything the service sends goes through
 * one before it can reach an output, an error or a log.
 */
export function redactor(secret: string, replacement = REDACTED): Redact {
	const forms = [...new Set([secret, encodeURIComponent(secret)])].filter((form) => form.length >= 4);
	const text = (value: string) => forms.reduce((out, form) => out.split(form).join(replacement), value);
	const deep = (value: unknown): unknown => {
		if (typeof value === 'string') return text(value);
		if (Array.isArray(value)) return value.map(deep);
		if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
			return Object.fromEntries(Object.entries(value).map(([key, inner]) => [text(key), deep(inner)]));
		}
		return value;
	};
	return forms.length ? (deep as Redact) : (value) => value;
}

/** A URL's `user:password@` shown as `user:***@`, for URLs that are not valid too. */
export const withoutUrlPassword = (text: string): string => text.replace(/(\/\/[^/?#@:\s]*:)[^/?#@\s]*@/g, '$1***@');
