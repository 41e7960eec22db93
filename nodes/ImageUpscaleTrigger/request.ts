import { createHash, timingSafeEqual } from 'crypto';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { isTaskId, taskIdIn } from '../shared/task';
import type { TriggerSettings } from './settings';

export const MAX_BODY_BYTES = 1024 * 1024;

/** The parts of n8n's webhook request this node reads (n8n keeps the body's bytes in rawBody). */
interface CallbackRequest {
	headers: Record<string, string | string[] | undefined>;
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
}

export type Refusal = { status: number; message: string };
export type CallbackCheck = { taskId: string } | Refusal;

const first = (value: unknown): string | undefined =>
	Array.isArray(value) ? first(value[0]) : typeof value === 'string' ? value : undefined;

const digest = (text: string) => createHash('sha256').update(text).digest();

function secretMatches(ctx: IWebhookFunctions, secret: NonNullable<TriggerSettings['secret']>): boolean {
	const header = secret.header ? first(ctx.getHeaderData()[secret.header]) : undefined;
	const sent = header ?? first((ctx.getQueryData() as IDataObject).secret);
	return sent !== undefined && timingSafeEqual(digest(sent), digest(secret.value));
}

async function bodyBytes(request: CallbackRequest): Promise<Buffer | undefined> {
	if (!request.rawBody && typeof request.readRawBody === 'function') await request.readRawBody();
	return request.rawBody;
}

function parseJson(text: string): { body: unknown } | undefined {
	try {
		return { body: JSON.parse(text.replace(/^\uFEFF/, '')) };
	} catch {
		return undefined;
	}
}

/** The body as JSON, from its bytes when n8n kept them, else from what n8n parsed. */
function readJson(bytes: Buffer | undefined, parsed: unknown): { body: unknown } | undefined {
	if (bytes) return parseJson(bytes.toString('utf8'));
	if (typeof parsed === 'string') return parseJson(parsed);
	return parsed && typeof parsed === 'object' ? { body: parsed } : undefined;
}

/** Checks size, secret and body of a callback, in that order, and finds the task it names. */
export async function checkCallback(ctx: IWebhookFunctions, settings: TriggerSettings): Promise<CallbackCheck> {
	const request = ctx.getRequestObject() as CallbackRequest;
	const tooLarge: Refusal = { status: 413, message: `The body is over ${MAX_BODY_BYTES / 1024 / 1024} MB` };
	if (Number(first(request.headers['content-length'])) > MAX_BODY_BYTES) return tooLarge;

	if (settings.secret && !secretMatches(ctx, settings.secret)) {
		return { status: 401, message: 'The callback secret is missing or wrong' };
	}

	let bytes: Buffer | undefined;
	try {
		bytes = await bodyBytes(request);
	} catch (error) {
		const status = (error as { status?: unknown }).status;
		return status === 413 ? tooLarge : { status: 400, message: 'The body could not be read' };
	}
	if (bytes && bytes.length > MAX_BODY_BYTES) return tooLarge;

	const json = readJson(bytes, ctx.getBodyData());
	if (!json) return { status: 400, message: 'The body is not JSON' };
	const taskId = taskIdIn(json.body);
	if (!taskId) return { status: 400, message: 'The body names no task ID' };
	if (!isTaskId(taskId)) return { status: 400, message: 'The body names an invalid task ID' };
	return { taskId };
}
