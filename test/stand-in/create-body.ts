import { DATA_URL, isHttpUrl } from './http';

export interface CreateRequest {
	model: string;
	/** The image as sent: an http(s) URL or a data URL. */
	image: string;
	/** The decoded bytes of a data URL. */
	input?: Buffer;
	callbackUrl?: string;
	scale: number;
}

export type CreateProblem = { status: number; message: string };

/** Checks a create request's body the way the service does; the first problem found, or the request. */
export function readCreateBody(body: unknown, defaultScale: number, maxImageBytes: number): CreateRequest | CreateProblem {
	const fail = (status: number, message: string): CreateProblem => ({ status, message });
	if (!body || typeof body !== 'object' || Array.isArray(body)) return fail(400, 'Body must be a JSON object');
	const b = body as Record<string, unknown>;
	if (typeof b.model !== 'string' || !b.model.trim()) return fail(400, 'model is required');
	if (b.image === undefined || b.image === null || b.image === '') return fail(400, 'image is required');
	const image = b.image;
	const dataUrl = typeof image === 'string' ? DATA_URL.exec(image) : null;
	if (typeof image !== 'string' || (!dataUrl && !isHttpUrl(image))) {
		return fail(422, 'image must be an http(s) URL or a data:image/...;base64, URL');
	}
	const callbackUrl = b.callback_url ?? undefined;
	if (callbackUrl !== undefined && (typeof callbackUrl !== 'string' || !isHttpUrl(callbackUrl))) {
		return fail(422, 'callback_url must be an http(s) URL');
	}
	const scale = b.scale === undefined || b.scale === null ? defaultScale : Number(b.scale);
	if (typeof b.scale === 'boolean' || !Number.isFinite(scale) || scale < 1 || scale > 4) {
		return fail(422, 'scale must be a number between 1 and 4');
	}
	let input: Buffer | undefined;
	if (dataUrl) {
		input = Buffer.from(image.slice(dataUrl[0].length), 'base64');
		if (input.length === 0) return fail(422, 'image data URL is empty');
		if (input.length > maxImageBytes) return fail(413, `The image is larger than ${maxImageBytes} bytes`);
	}
	return { model: b.model, image, input, callbackUrl, scale };
}
