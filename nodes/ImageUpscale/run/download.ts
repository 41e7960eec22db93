import type { IBinaryData, IBinaryKeyData, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { operationError } from '../../shared/errors';
import type { DownloadSettings } from './settings';
import type { Task } from '../../shared/task';

const EXTENSIONS: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/webp': 'webp',
	'image/gif': 'gif',
	'image/avif': 'avif',
	'image/bmp': 'bmp',
	'image/tiff': 'tiff',
	'image/svg+xml': 'svg',
};
const MIME_OF_EXTENSION: Record<string, string> = {
	...Object.fromEntries(Object.entries(EXTENSIONS).map(([mime, ext]) => [ext, mime])),
	jpeg: 'image/jpeg',
	tif: 'image/tiff',
};

export interface DownloadOptions {
	url: string;
	/** File name without extension: the input's name, or the task id. */
	baseName: string;
	maxBytes: number;
	itemIndex: number;
	signal?: AbortSignal;
}

type Body = NodeJS.ReadableStream & { destroy?: () => void; map: (fn: (chunk: Buffer) => Buffer) => NodeJS.ReadableStream };

/** The last path segment of a URL or file name, without extension, safe as a file name. */
export function baseNameOf(nameOrUrl: string | undefined): string | undefined {
	if (!nameOrUrl) return undefined;
	let path = nameOrUrl;
	try {
		path = new URL(nameOrUrl).pathname;
	} catch {
		// not a URL: a file name
	}
	let last = path.split('/').pop() ?? '';
	try {
		last = decodeURIComponent(last);
	} catch {
		// a stray "%" as in "50% off.jpg": keep the name as it is
	}
	last = last.replace(/\.[A-Za-z0-9]{1,5}$/, '');
	const safe = last.replace(/[^\w.-]+/g, '_').slice(0, 120);
	return /[A-Za-z0-9]/.test(safe) ? safe : undefined;
}

function mimeOf(contentType: unknown, url: string): string {
	const header = String(contentType ?? '').split(';')[0].trim().toLowerCase();
	if (header.startsWith('image/')) return header;
	const ext = /\.([A-Za-z0-9]{2,5})(?:[?#]|$)/.exec(new URL(url).pathname)?.[1]?.toLowerCase();
	return (ext && MIME_OF_EXTENSION[ext]) || 'application/octet-stream';
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Streams a result image into n8n's binary data store (to disk in filesystem mode, so memory does
 * not grow with the file). The cap counts the bytes as they arrive, after any decompression, and
 * ends the transfer as soon as it is passed: a wrong Content-Length or a compressed body the
 * service sent although the node asked for none cannot get past it, and n8n's store drops the
 * unfinished file. Only http(s) URLs; no credentials are sent with it.
 */
export async function downloadImage(ctx: IExecuteFunctions, options: DownloadOptions): Promise<IBinaryData> {
	const { url, itemIndex, maxBytes } = options;
	if (!/^https?:\/\//i.test(url)) {
		throw new NodeOperationError(ctx.getNode(), `The result URL is not an http(s) URL: ${url.slice(0, 100)}`, { itemIndex });
	}
	let response: { headers: Record<string, unknown>; body: Body };
	try {
		response = await ctx.helpers.httpRequest({
			url,
			method: 'GET',
			encoding: 'stream',
			returnFullResponse: true,
			timeout: 120_000,
			headers: { 'accept-encoding': 'identity' },
			abortSignal: options.signal,
		});
	} catch (error) {
		throw operationError(ctx.getNode(), `Could not download the result image: ${error.message}`, { itemIndex, description: `URL: ${url}` });
	}
	const tooLarge = (size: string) =>
		new NodeOperationError(ctx.getNode(), `The result image is ${size}, over the ${megabytes(maxBytes)} limit`, {
			itemIndex,
			description: 'Raise "Max Result Size (MB)" in the options, or turn off "Download Result" and use the URL.',
		});
	const header = response.headers['content-length'];
	const length = header === undefined || header === '' ? NaN : Number(header);
	if (length > maxBytes) {
		response.body.destroy?.();
		throw tooLarge(megabytes(length));
	}
	let received = 0;
	const capped = response.body.map((chunk: Buffer) => {
		received += chunk.length;
		if (received > maxBytes) throw tooLarge(`more than ${megabytes(maxBytes)}`);
		return chunk;
	});
	const mimeType = mimeOf(response.headers['content-type'], url);
	const fileName = `${options.baseName}.${EXTENSIONS[mimeType] ?? 'bin'}`;
	try {
		return await ctx.helpers.prepareBinaryData(capped as never, fileName, mimeType);
	} catch (error) {
		response.body.destroy?.();
		if (received > maxBytes) throw tooLarge(`more than ${megabytes(maxBytes)}`);
		throw operationError(ctx.getNode(), `Could not download the result image: ${(error as Error).message}`, { itemIndex, description: `URL: ${url}` });
	}
}

/** A succeeded task's result as the binary field the settings name, named after the input or else the task. */
export async function resultBinary(
	ctx: IExecuteFunctions,
	task: Task,
	settings: DownloadSettings,
	item: { itemIndex: number; inputName?: string; signal?: AbortSignal },
): Promise<IBinaryKeyData> {
	if (!task.imageUrl) throw operationError(ctx.getNode(), 'The task succeeded but the service gave no result URL', { itemIndex: item.itemIndex });
	const binary = await downloadImage(ctx, {
		url: task.imageUrl,
		baseName: baseNameOf(item.inputName) ?? baseNameOf(task.taskId) ?? 'result',
		maxBytes: settings.maxBytes,
		itemIndex: item.itemIndex,
		signal: item.signal,
	});
	return { [settings.field]: binary };
}
