import type { IBinaryData, IBinaryKeyData, IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_MAX_RESULT_MB } from './descriptions';
import { operationError, taskError } from './errors';
import type { Task } from './task';

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
}

type Context = IExecuteFunctions | IWebhookFunctions;

/** The last path segment of a URL or file name, without extension, safe as a file name. */
export function baseNameOf(nameOrUrl: string | undefined): string | undefined {
	if (!nameOrUrl) return undefined;
	let path = nameOrUrl;
	try {
		path = new URL(nameOrUrl).pathname;
	} catch {}
	const last = decodeURIComponent(path.split('/').pop() ?? '').replace(/\.[A-Za-z0-9]{1,5}$/, '');
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
 * Streams a result image into n8n's binary data store (to disk in filesystem mode, so memory
 * does not grow with the file). Only http(s) URLs; no credentials are sent with it.
 */
export async function downloadResult(ctx: Context, options: DownloadOptions): Promise<IBinaryData> {
	const { url, itemIndex, maxBytes } = options;
	if (!/^https?:\/\//i.test(url)) {
		throw new NodeOperationError(ctx.getNode(), `The result URL is not an http(s) URL: ${url.slice(0, 100)}`, { itemIndex });
	}
	let response: { statusCode: number; headers: Record<string, unknown>; body: NodeJS.ReadableStream & { destroy?: () => void } };
	try {
		response = await ctx.helpers.httpRequest({ url, method: 'GET', encoding: 'stream', returnFullResponse: true, timeout: 120_000 });
	} catch (error) {
		throw operationError(ctx.getNode(), `Could not download the result image: ${error.message}`, {
			itemIndex,
			description: `URL: ${url}`,
		});
	}
	const length = Number(response.headers['content-length']);
	if (Number.isFinite(length) && length > maxBytes) {
		response.body.destroy?.();
		throw new NodeOperationError(ctx.getNode(), `The result image is ${megabytes(length)}, over the ${megabytes(maxBytes)} limit`, {
			itemIndex,
			description: 'Raise "Max Result Size (MB)" in the options, or turn off "Download Result" and use the URL.',
		});
	}
	const mimeType = mimeOf(response.headers['content-type'], url);
	const fileName = `${options.baseName}.${EXTENSIONS[mimeType] ?? 'bin'}`;
	const binary = await ctx.helpers.prepareBinaryData(response.body as never, fileName, mimeType);
	const size = Number(binary.bytes ?? length);
	if (Number.isFinite(size) && size > maxBytes) {
		throw new NodeOperationError(ctx.getNode(), `The result image is ${megabytes(size)}, over the ${megabytes(maxBytes)} limit`, { itemIndex });
	}
	return binary;
}

/**
 * A succeeded task's result as the binary field the options name (`outputBinaryField`, default
 * `data`), capped at `maxResultSizeMb`, named after the input or else the task.
 */
export async function resultBinary(ctx: Context, task: Task, options: IDataObject, itemIndex: number, inputName?: string): Promise<IBinaryKeyData> {
	if (!task.imageUrl) throw taskError(ctx.getNode(), 'The task succeeded but the service gave no result URL', itemIndex, task.taskId);
	const binary = await downloadResult(ctx, {
		url: task.imageUrl,
		baseName: baseNameOf(inputName) ?? baseNameOf(task.taskId) ?? 'result',
		maxBytes: Number(options.maxResultSizeMb ?? DEFAULT_MAX_RESULT_MB) * 1024 * 1024,
		itemIndex,
	});
	return { [String(options.outputBinaryField || 'data')]: binary };
}
