/* eslint-disable @n8n/community-nodes/require-node-api-error -- dev tooling, never published: n8n's rules for community node code do not apply */
import sharp, { type Metadata, type Sharp } from 'sharp';
import type { ImageFormat, ImageSpec } from './types';

export interface PictureSpec {
	width: number;
	height: number;
	format: ImageFormat;
	noise: boolean;
	name: string;
	outcome?: 'fail' | 'never';
}

export const EXT: Record<ImageFormat, string> = { png: 'png', jpeg: 'jpg', webp: 'webp' };
export const MIME: Record<ImageFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };
export const MIME_BY_EXT: Record<string, string> = { png: MIME.png, jpg: MIME.jpeg, webp: MIME.webp };

const MAX_SIDE = 10_000;
const MAX_PIXELS = 40_000_000;

export function normalizeSpec(spec: ImageSpec = {}): PictureSpec {
	const width = spec.width ?? 64;
	const height = spec.height ?? 48;
	const format = spec.format ?? 'png';
	const problem = checkSize(width, height);
	if (problem) throw new Error(problem);
	const name = (spec.name ?? `test-${width}x${height}`)
		.replace(/\.(png|jpe?g|webp)$/i, '')
		.replace(/[^A-Za-z0-9._-]/g, '-');
	return { width, height, format, noise: spec.noise ?? false, name: name || 'image', outcome: spec.outcome };
}

function checkSize(width: number, height: number): string | undefined {
	if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
		return 'width and height must be positive integers';
	}
	if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) return 'picture too large';
	return undefined;
}

export function picturePath(spec: PictureSpec): string {
	const q = new URLSearchParams({ w: String(spec.width), h: String(spec.height) });
	if (spec.noise) q.set('noise', '1');
	if (spec.outcome) q.set('outcome', spec.outcome);
	return `/images/${encodeURIComponent(spec.name)}.${EXT[spec.format]}?${q}`;
}

export function parsePicturePath(pathname: string, query: URLSearchParams): PictureSpec | string {
	const m = /^\/images\/([A-Za-z0-9._-]+)\.(png|jpe?g|webp)$/.exec(pathname);
	if (!m) return 'unknown picture path';
	const width = query.has('w') ? Number(query.get('w')) : 64;
	const height = query.has('h') ? Number(query.get('h')) : 48;
	const problem = checkSize(width, height);
	if (problem) return problem;
	const format: ImageFormat = m[2] === 'png' ? 'png' : m[2] === 'webp' ? 'webp' : 'jpeg';
	const noise = query.get('noise') === '1' || query.get('noise') === 'true';
	return { width, height, format, noise, name: m[1] };
}

function hash(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
	return h >>> 0 || 1;
}

function pixels(spec: PictureSpec): Buffer {
	const { width, height } = spec;
	const seed = hash(`${spec.name}|${width}|${height}|${spec.format}`);
	const size = width * height * 3;
	if (spec.noise) {
		const words = new Uint32Array(Math.ceil(size / 4));
		let x = seed;
		for (let i = 0; i < words.length; i++) {
			x ^= x << 13;
			x ^= x >>> 17;
			x ^= x << 5;
			words[i] = x >>> 0;
		}
		return Buffer.from(words.buffer, 0, size);
	}
	const raw = Buffer.alloc(size);
	const tint = seed & 0xff;
	let o = 0;
	for (let y = 0; y < height; y++) {
		const g = Math.round((y * 255) / Math.max(1, height - 1));
		for (let x = 0; x < width; x++) {
			raw[o++] = Math.round((x * 255) / Math.max(1, width - 1));
			raw[o++] = g;
			raw[o++] = tint ^ ((((x >> 3) + (y >> 3)) & 1) * 96);
		}
	}
	return raw;
}

function encode(img: Sharp, format: ImageFormat, fast: boolean): Sharp {
	if (format === 'jpeg') return img.jpeg({ quality: 90 });
	if (format === 'webp') return img.webp({ quality: 90 });
	return img.png(fast ? { compressionLevel: 1 } : { compressionLevel: 9, adaptiveFiltering: true });
}

const cache = new Map<string, Promise<Buffer>>();
const CACHE_ENTRY_MAX = 4 * 1024 * 1024;
const CACHE_ENTRIES = 32;

export function renderPicture(spec: PictureSpec): Promise<Buffer> {
	const key = `${spec.name}|${spec.width}|${spec.height}|${spec.format}|${spec.noise}`;
	const hit = cache.get(key);
	if (hit) return hit;
	const { width, height } = spec;
	const raw = pixels(spec);
	const job = encode(sharp(raw, { raw: { width, height, channels: 3 } }), spec.format, spec.noise).toBuffer();
	cache.set(key, job);
	if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
	job.then(
		(buf) => {
			if (buf.length > CACHE_ENTRY_MAX) cache.delete(key);
		},
		() => cache.delete(key),
	);
	return job;
}

export interface Upscaled {
	file: string;
	ext: string;
	inputWidth: number;
	inputHeight: number;
	outputWidth: number;
	outputHeight: number;
}

export class NotAnImage extends Error {}

export async function upscaleToFile(input: Buffer, scale: number, fileBase: string): Promise<Upscaled> {
	let meta: Metadata;
	try {
		meta = await sharp(input).metadata();
	} catch {
		throw new NotAnImage('The input is not a valid image');
	}
	if (!meta.width || !meta.height) throw new NotAnImage('The input is not a valid image');
	const format: ImageFormat = meta.format === 'jpeg' || meta.format === 'webp' ? meta.format : 'png';
	const outputWidth = Math.max(1, Math.round(meta.width * scale));
	const outputHeight = Math.max(1, Math.round(meta.height * scale));
	const file = `${fileBase}.${EXT[format]}`;
	const resized = sharp(input, { failOn: 'error' }).resize(outputWidth, outputHeight, { fit: 'fill', kernel: 'nearest' });
	try {
		await encode(resized, format, true).toFile(file);
	} catch (err) {
		throw new NotAnImage(`The image could not be decoded: ${(err as Error).message}`);
	}
	return { file, ext: EXT[format], inputWidth: meta.width, inputHeight: meta.height, outputWidth, outputHeight };
}
