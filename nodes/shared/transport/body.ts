import { clock } from '../clock';

// Reading an answer's body within the call's time limit and size cap, and the JSON depth check
// that runs before JSON.parse (the redactor walks parsed answers recursively).

export const MAX_ANSWER_BYTES = 1_000_000;
export const MAX_JSON_DEPTH = 64;

/** What a body stream must offer: an IncomingMessage does. */
export interface BodyStream {
	on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
	on(event: 'end' | 'close', listener: () => void): unknown;
	on(event: 'error', listener: (error: Error) => void): unknown;
	destroy(): unknown;
}

export const isBodyStream = (value: unknown): value is BodyStream =>
	typeof (value as BodyStream | undefined)?.on === 'function' && typeof (value as BodyStream).destroy === 'function';

export type Read<T> = { value: T } | { expired: true };

/**
 * Settles with `work`, or with `expired` once the deadline passes; rejects at once when `signal`
 * aborts. The deadline's timer is cleared as soon as either settles.
 */
export async function beforeDeadline<T>(work: Promise<T>, deadline: number, signal?: AbortSignal): Promise<Read<T>> {
	const done = new AbortController();
	const expiry = clock.deadline(Math.max(0, deadline - clock.now()), done.signal).then(
		() => ({ expired: true }) as const,
		() => ({ expired: true }) as const,
	);
	let onAbort = () => {};
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => reject(new Error('The execution was cancelled'));
		if (signal?.aborted) onAbort();
		signal?.addEventListener('abort', onAbort, { once: true });
	});
	const settled = work.then((value) => ({ value }));
	// Past the deadline nobody awaits `work`: its late failure must not go unhandled.
	settled.catch(() => {});
	try {
		return await Promise.race([settled, expiry, aborted]);
	} finally {
		done.abort();
		signal?.removeEventListener('abort', onAbort);
	}
}

/** The whole body, or `tooLarge` with what came before the cap (the rest is not read). */
export async function collect(stream: BodyStream, maxBytes = MAX_ANSWER_BYTES): Promise<{ bytes: Buffer; tooLarge: boolean }> {
	return await new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		const finish = (tooLarge: boolean) => resolve({ bytes: Buffer.concat(chunks), tooLarge });
		stream.on('data', (chunk) => {
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
			size += buffer.length;
			if (size > maxBytes) {
				chunks.push(buffer.subarray(0, Math.max(0, buffer.length - (size - maxBytes))));
				stream.destroy();
				finish(true);
				return;
			}
			chunks.push(buffer);
		});
		stream.on('end', () => finish(false));
		stream.on('error', reject);
		stream.on('close', () => reject(new Error('The connection closed before the answer ended')));
	});
}

/** How deep the brackets of a JSON text nest, outside strings; stops counting past `limit`. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
	let depth = 0;
	let deepest = 0;
	let inString = false;
	for (let i = 0; i < text.length && deepest <= limit; i++) {
		const char = text[i];
		if (inString) {
			if (char === '\\') i++;
			else if (char === '"') inString = false;
		} else if (char === '"') inString = true;
		else if (char === '{' || char === '[') deepest = Math.max(deepest, ++depth);
		else if ((char === '}' || char === ']') && depth > 0) depth--;
	}
	return deepest;
}
