import type { IBinaryData, IBinaryKeyData, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { clock } from '../../shared/clock';
import { asNodeError, operationError } from '../../shared/errors';
import { resultUrlRefusal } from '../../shared/reachability';
import { account } from '../../shared/transport/account';
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

/**
 * Bounds on one result download. A file host that sends its headers and then trickles the body, or
 * never answers at all, ends the item with an error (naming the task) instead of holding it.
 * Exported so tests can shorten them; the node itself never changes them.
 */
export const downloadLimits = {
	/** The whole download, from the first request to the last byte, redirects included. */
	totalMs: 120_000,
	/** The longest silence: no answer, or no body bytes, for this long ends the download. */
	idleMs: 30_000,
	/** Redirect hops followed, each checked like the result URL itself. */
	maxRedirects: 5,
};

export interface DownloadOptions {
	url: string;
	/** The credential's base URL: result URLs may point at its class of address (see resultUrlRefusal). */
	baseUrl: string;
	/** File name without extension: the input's name, or the task id. */
	baseName: string;
	maxBytes: number;
	itemIndex: number;
	signal?: AbortSignal;
}

type Body = NodeJS.ReadableStream & { destroy?: (error?: Error) => void; map: (fn: (chunk: Buffer) => Buffer) => NodeJS.ReadableStream };
type Response = { statusCode: number; headers: Record<string, unknown>; body: Body };

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

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} seconds`;

/**
 * The total deadline and the idle limit of one download, with no timer of its own: one clock.deadline
 * at a time, ended by `end()`, so nothing is left waiting once the download is over. When a limit
 * passes, or the execution is cancelled, it aborts the request and destroys the body being read.
 * (The download's own abortSignal reaches the request: n8n-core's httpRequest passes it on; only
 * httpRequestWithAuthentication puts the execution's cancel signal in its place.)
 */
class Watchdog {
	private readonly abort = new AbortController();
	private readonly over = new AbortController();
	private readonly deadline: number;
	private last: number;
	private body?: Body;
	/** Why the watchdog ended the download, when it did. */
	expired?: string;

	constructor(private readonly cancel?: AbortSignal) {
		this.last = clock.now();
		this.deadline = this.last + downloadLimits.totalMs;
		cancel?.addEventListener('abort', this.onCancel, { once: true });
		if (cancel?.aborted) this.onCancel();
		void this.watch();
	}

	/** Aborts the request on its way: past a limit, or when the execution is cancelled. */
	get signal(): AbortSignal {
		return this.abort.signal;
	}

	/** Something arrived: the idle limit starts again. */
	alive(): void {
		this.last = clock.now();
	}

	/** The body now being read, destroyed when the download is stopped. */
	reading(body: Body): void {
		this.body = body;
	}

	end(): void {
		this.over.abort();
		this.cancel?.removeEventListener('abort', this.onCancel);
	}

	private readonly onCancel = () => this.stop(new Error('The execution was cancelled'));

	private stop(reason: Error): void {
		this.abort.abort(reason);
		this.body?.destroy?.(reason);
	}

	private async watch(): Promise<void> {
		while (!this.over.signal.aborted) {
			const now = clock.now();
			const idleAt = this.last + downloadLimits.idleMs;
			if (now >= this.deadline) this.expired = `The result download took longer than ${seconds(downloadLimits.totalMs)}`;
			else if (now >= idleAt) this.expired = `The result download stalled: nothing arrived for ${seconds(downloadLimits.idleMs)}`;
			if (this.expired) return this.stop(new Error(this.expired));
			try {
				await clock.deadline(Math.min(this.deadline, idleAt) - now, this.over.signal);
			} catch {
				return; // the download is over
			}
		}
	}
}

const REDIRECTS = [301, 302, 303, 307, 308];
const WHERE_RESULTS_MAY_BE =
	'A result URL may point only at the public internet, or at the kind of address the credential\'s Base URL is itself (loopback, private or link-local).';

/** One GET of a hop, without credentials and without n8n following redirects: each hop is ours to check. */
async function requestHop(ctx: IExecuteFunctions, url: string, signal: AbortSignal): Promise<Response> {
	return (await ctx.helpers.httpRequest({
		url,
		method: 'GET',
		encoding: 'stream',
		returnFullResponse: true,
		disableFollowRedirect: true,
		ignoreHttpStatusErrors: true,
		headers: { 'accept-encoding': 'identity' },
		abortSignal: signal,
	})) as Response;
}

/** The final URL and its answer, following at most downloadLimits.maxRedirects hops, each checked. */
async function fetchFollowing(ctx: IExecuteFunctions, options: DownloadOptions, watchdog: Watchdog): Promise<{ url: string; response: Response }> {
	const { itemIndex } = options;
	const failed = (why: string, url: string) =>
		operationError(ctx.getNode(), `Could not download the result image: ${why}`, { itemIndex, description: `URL: ${url}` });
	let url = options.url;
	for (let hop = 0; ; hop++) {
		let response: Response;
		try {
			response = await requestHop(ctx, url, watchdog.signal);
		} catch (error) {
			throw failed((error as Error).message, url);
		}
		watchdog.alive();
		const status = response.statusCode;
		if (status >= 200 && status < 300) return { url, response };
		response.body.destroy?.();
		const location = response.headers.location;
		if (!REDIRECTS.includes(status)) throw failed(`the file host answered HTTP ${status}`, url);
		if (typeof location !== 'string' || !location) throw failed(`the file host answered HTTP ${status} without a Location`, url);
		if (hop >= downloadLimits.maxRedirects) throw failed(`more than ${downloadLimits.maxRedirects} redirects`, options.url);
		let next: string;
		try {
			next = new URL(location, url).href;
		} catch {
			throw failed(`the file host redirected to an invalid URL: ${location.slice(0, 100)}`, url);
		}
		const refusal = resultUrlRefusal(next, options.baseUrl);
		if (refusal) {
			throw operationError(ctx.getNode(), `The result URL redirects to ${next.slice(0, 200)}, which ${refusal}`, {
				itemIndex,
				description: `URL: ${options.url}. ${WHERE_RESULTS_MAY_BE}`,
			});
		}
		url = next;
	}
}

/** Streams an answer into n8n's binary data store, under the byte cap, telling the watchdog of each chunk. */
async function store(ctx: IExecuteFunctions, options: DownloadOptions, url: string, response: Response, watchdog: Watchdog): Promise<IBinaryData> {
	const { itemIndex, maxBytes } = options;
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
	watchdog.reading(response.body);
	let received = 0;
	const capped = response.body.map((chunk: Buffer) => {
		watchdog.alive();
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

/**
 * Streams a result image into n8n's binary data store (to disk in filesystem mode, so memory does
 * not grow with the file). The cap counts the bytes as they arrive, after any decompression, and
 * ends the transfer as soon as it is passed: a wrong Content-Length or a compressed body the
 * service sent although the node asked for none cannot get past it, and n8n's store drops the
 * unfinished file. The URL and every redirect hop must pass resultUrlRefusal; no credentials are
 * ever sent with it; downloadLimits bound its time.
 */
export async function downloadImage(ctx: IExecuteFunctions, options: DownloadOptions): Promise<IBinaryData> {
	const { url, itemIndex } = options;
	const refusal = resultUrlRefusal(url, options.baseUrl);
	if (refusal) {
		throw operationError(ctx.getNode(), `The result URL ${refusal}`, { itemIndex, description: `URL: ${url.slice(0, 200)}. ${WHERE_RESULTS_MAY_BE}` });
	}
	const watchdog = new Watchdog(options.signal);
	try {
		const followed = await fetchFollowing(ctx, options, watchdog);
		return await store(ctx, options, followed.url, followed.response, watchdog);
	} catch (error) {
		if (!watchdog.expired) throw asNodeError(ctx.getNode(), error, itemIndex);
		throw operationError(ctx.getNode(), watchdog.expired, {
			itemIndex,
			description: `URL: ${url}. The file host was too slow; the result may still be fetched from the URL later.`,
		});
	} finally {
		watchdog.end();
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
		baseUrl: (await account(ctx)).baseUrl,
		baseName: baseNameOf(item.inputName) ?? baseNameOf(task.taskId) ?? 'result',
		maxBytes: settings.maxBytes,
		itemIndex: item.itemIndex,
		signal: item.signal,
	});
	return { [settings.field]: binary };
}
