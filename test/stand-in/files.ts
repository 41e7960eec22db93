/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createGzip } from 'node:zlib';
import type { Res } from './http';
import { MIME_BY_EXT } from './images';
import type { Fault } from './types';

const FILE_PATH = /^\/files\/(n41[a-z0-9]+)\.(png|jpg|webp)$/;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export const DEFAULT_INFLATED_BYTES = 50 * 1024 * 1024;

export const fileTaskId = (pathname: string): string | undefined => FILE_PATH.exec(pathname)?.[1];

export type FileFault = Extract<Fault, { kind: 'chunked' } | { kind: 'gzipBomb' }>;
export const isFileFault = (fault?: Fault): fault is FileFault => fault?.kind === 'chunked' || fault?.kind === 'gzipBomb';

/** Serves a result file from the store, or what a file fault makes of it. Answers false when there is no such file. */
export async function serveFile(res: Res, storeDir: string, pathname: string, head: boolean, fault?: FileFault): Promise<boolean> {
	const m = FILE_PATH.exec(pathname);
	if (m && fault?.kind === 'gzipBomb') {
		await serveBomb(res, MIME_BY_EXT[m[2]], head, fault);
		return true;
	}
	const file = m && path.join(storeDir, `${m[1]}.${m[2]}`);
	const stat = file ? await fs.promises.stat(file).catch(() => undefined) : undefined;
	if (!m || !file || !stat) return false;
	res.writeHead(200, { 'content-type': MIME_BY_EXT[m[2]], ...(fault?.kind === 'chunked' ? {} : { 'content-length': stat.size }) });
	if (head) {
		res.end();
		return true;
	}
	const stream = fs.createReadStream(file);
	stream.on('error', () => res.destroy());
	res.on('close', () => stream.destroy());
	stream.pipe(res);
	return true;
}

async function serveBomb(res: Res, type: string, head: boolean, fault: Extract<Fault, { kind: 'gzipBomb' }>): Promise<void> {
	const body = await gzipBomb(fault.inflatedBytes ?? DEFAULT_INFLATED_BYTES);
	if (res.destroyed) return;
	const length = fault.contentLength === false ? {} : { 'content-length': body.length };
	res.writeHead(200, { 'content-type': type, 'content-encoding': 'gzip', ...length });
	res.end(head ? undefined : body);
}

const bombs = new Map<number, Promise<Buffer>>();

/** A PNG signature and zeros, `inflatedBytes` in all, gzipped at level 9 (about 1/1000 of that). Cached per size. */
export function gzipBomb(inflatedBytes: number): Promise<Buffer> {
	let bomb = bombs.get(inflatedBytes);
	if (!bomb) {
		bomb = new Promise((resolve, reject) => {
			const gzip = createGzip({ level: 9 });
			const chunks: Buffer[] = [];
			gzip.on('data', (c: Buffer) => chunks.push(c));
			gzip.on('end', () => resolve(Buffer.concat(chunks)));
			gzip.on('error', reject);
			const zeros = Buffer.alloc(1024 * 1024);
			let left = inflatedBytes - PNG_SIGNATURE.length;
			gzip.write(PNG_SIGNATURE.subarray(0, Math.min(PNG_SIGNATURE.length, inflatedBytes)));
			const pump = (): void => {
				while (left > 0) {
					const chunk = zeros.subarray(0, Math.min(left, zeros.length));
					left -= chunk.length;
					if (!gzip.write(chunk)) return void gzip.once('drain', pump);
				}
				gzip.end();
			};
			pump();
		});
		bombs.set(inflatedBytes, bomb);
	}
	return bomb;
}
