/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';

import { normalizeSpec, renderPicture } from '../../test/stand-in/images';
import { shortImage } from '../../test/stand-in/http';
import type { ImageFormat } from '../../test/stand-in/types';

/** One image of the demo's batch, as the user named it. */
export interface DemoInput {
	name: string;
	kind: 'sample' | 'file' | 'url';
	/** The image bytes (samples and local files); URLs are fetched by the service. */
	bytes?: Buffer;
	mimeType?: string;
	url?: string;
	width?: number;
	height?: number;
	/** Set when the demo does not send this input at all (e.g. the file does not exist). */
	problem?: string;
}

// The demo's own pictures: drawn locally with sharp (the stand-in's test pictures), nothing downloaded.
const SAMPLES: Array<[string, number, number, ImageFormat]> = [
	['sample-1-landscape', 320, 240, 'png'],
	['sample-2-portrait', 240, 320, 'jpeg'],
	['sample-3-banner', 480, 160, 'webp'],
	['sample-4-icon', 96, 96, 'png'],
	['sample-5-photo', 400, 300, 'jpeg'],
	['sample-6-thumbnail', 160, 120, 'webp'],
];
const EXT: Record<ImageFormat, string> = { png: 'png', jpeg: 'jpg', webp: 'webp' };
// MIME types by file extension, as n8n's Read/Write Files from Disk node would set them.
const MIME: Record<string, string> = {
	png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif',
	tif: 'image/tiff', tiff: 'image/tiff', bmp: 'image/bmp', txt: 'text/plain', pdf: 'application/pdf', json: 'application/json',
};

async function measured(input: DemoInput): Promise<DemoInput> {
	if (!input.bytes) return input;
	const { width, height } = await sharp(input.bytes)
		.metadata()
		.catch(() => ({ width: undefined, height: undefined }));
	return { ...input, width, height };
}

export async function sampleInputs(): Promise<DemoInput[]> {
	return await Promise.all(
		SAMPLES.map(async ([name, width, height, format]) =>
			measured({
				name: `${name}.${EXT[format]}`,
				kind: 'sample',
				bytes: await renderPicture(normalizeSpec({ width, height, format, name })),
				mimeType: `image/${format}`,
			}),
		),
	);
}

/** A local file as n8n's Read/Write Files from Disk node would give it: bytes, name, MIME type from the extension. */
export async function fileInput(file: string): Promise<DemoInput> {
	const name = path.basename(file);
	let bytes: Buffer;
	try {
		bytes = await fs.readFile(file);
	} catch (error) {
		const { code, message } = error as NodeJS.ErrnoException;
		const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : message;
		return { name, kind: 'file', problem: `${why} (${file})` };
	}
	const ext = path.extname(name).slice(1).toLowerCase();
	return await measured({ name, kind: 'file', bytes, mimeType: MIME[ext] ?? 'application/octet-stream' });
}

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i;

/** In local mode the stand-in fetches URLs itself, so only loopback URLs are allowed: the demo stays offline. */
export function urlInput(url: string, offline: boolean): DemoInput {
	const name = url.length > 60 ? `${url.slice(0, 57)}...` : url;
	if (offline && !LOOPBACK.test(url)) {
		return { name, kind: 'url', url, problem: 'not sent: the local stand-in works offline (use --real for internet URLs)' };
	}
	return { name, kind: 'url', url };
}

/** What the stand-in records as a task's `image`, so a task can be told apart from the others of the batch. */
export const standInImageOf = (input: DemoInput): string =>
	input.url ?? shortImage(`data:${input.mimeType};base64,${input.bytes!.toString('base64')}`);
