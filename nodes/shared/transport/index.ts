import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { clock } from '../clock';
import { asNodeError } from '../errors';
import { isTaskId, parseTask, type Task } from '../task';
import { account, cancelSignal, type ApiContext } from './account';
import { failureError, isRetryable, retryAfterOf } from './errors';
import type { Gate } from './gate';
import { PROFILES, situationOf, verdict, type Profile } from './profiles';
import { send, type Failure, type Request } from './send';

// The API client: every request to the service goes through call(), with the profile of its kind
// (profiles.ts). HTTP status codes are known only in this folder.

export { account, cancelSignal, CREDENTIAL, type ApiContext } from './account';
export { isNotFound } from './errors';
export { RateGate, type Gate } from './gate';
export { PROFILES } from './profiles';

const OWN_WEBHOOK_TIMEOUT_MS = 30_000;

export interface CallOptions {
	itemIndex?: number;
	/** Stops waits between attempts, and abortable requests in flight; defaults to the execution's cancel signal. */
	signal?: AbortSignal;
	/** The batch's rate gate, when the call belongs to a batch. */
	gate?: Gate;
}

async function call(ctx: ApiContext, profile: Profile, request: Omit<Request, 'signal' | 'timeoutMs'>, options: CallOptions) {
	const { baseUrl, redact } = await account(ctx);
	const { gate, itemIndex } = options;
	const signal = options.signal ?? cancelSignal(ctx);
	for (let attempt = 1; ; attempt++) {
		await gate?.enter(profile.lane, signal);
		const sent = { ...request, timeoutMs: profile.timeoutMs, signal: profile.abortable ? signal : undefined };
		const outcome = await send(ctx, sent, baseUrl, redact, clock.now());
		if (outcome.ok) {
			gate?.succeeded(profile.lane);
			return outcome.body;
		}
		const rateLimited = situationOf(outcome).situation === 'rateLimited';
		if (rateLimited) gate?.limited(profile.lane, outcome.retryAfterMs);
		if (signal?.aborted) throw new NodeOperationError(ctx.getNode(), 'The execution was cancelled', { itemIndex });
		const retry = verdict(outcome, profile.column) === 'retry';
		const waitMs = outcome.retryAfterMs ?? profile.backoffMs(attempt);
		const attempts = gate && rateLimited ? Math.max(profile.attempts, profile.rateLimitedAttempts) : profile.attempts;
		if (!retry || attempt >= attempts || waitMs > profile.maxRetryWaitMs) throw callError(ctx, profile, outcome, { attempt, itemIndex, retry, waitMs });
		// The gate holds the lane back for a 429 itself: waiting here too would wait twice.
		if (!(gate && rateLimited)) await clock.sleep(waitMs, signal);
	}
}

function callError(ctx: ApiContext, profile: Profile, failure: Failure, at: { attempt: number; itemIndex?: number; retry: boolean; waitMs: number }) {
	const refused = at.retry && failure.retryAfterMs !== undefined && at.waitMs > profile.maxRetryWaitMs;
	return failureError(ctx.getNode(), failure, {
		column: profile.column,
		attempts: at.attempt,
		itemIndex: at.itemIndex,
		retryable: at.retry,
		...(refused ? { refusedRetryAfterMs: at.waitMs, maxRetryWaitMs: profile.maxRetryWaitMs } : {}),
	});
}

function taskPath(ctx: ApiContext, taskId: string, itemIndex?: number): string {
	if (!isTaskId(taskId)) throw new NodeOperationError(ctx.getNode(), `${JSON.stringify(taskId.slice(0, 60))} is not a task ID`, { itemIndex });
	return `/api/v1/tasks/${encodeURIComponent(taskId)}`;
}

async function readTask(ctx: ApiContext, profile: Profile, taskId: string, options: CallOptions): Promise<Task> {
	const task = parseTask(await call(ctx, profile, { method: 'GET', path: taskPath(ctx, taskId, options.itemIndex) }, options));
	return { ...task, taskId: task.taskId ?? taskId };
}

export async function createTask(ctx: ApiContext, route: string, body: IDataObject, options: CallOptions = {}): Promise<Task> {
	return parseTask(await call(ctx, PROFILES.create, { method: 'POST', path: route, body }, options));
}

export async function getTask(ctx: ApiContext, taskId: string, options: CallOptions = {}): Promise<Task> {
	return await readTask(ctx, PROFILES.read, taskId, options);
}

/** A status read that failed in a way that may pass (a 5xx, a 429, the network): the wait goes on. */
export interface FailedRead {
	error: Error;
	retryAfterMs?: number;
}

/** One read of a task being waited for: a failure that may pass is returned for the wait to try later. */
export async function readWhileWaiting(ctx: ApiContext, taskId: string, options: CallOptions): Promise<Task | FailedRead> {
	try {
		return await readTask(ctx, PROFILES.waitRead, taskId, options);
	} catch (error) {
		if (isRetryable(error)) return { error: error as Error, retryAfterMs: retryAfterOf(error) };
		throw asNodeError(ctx.getNode(), error, options.itemIndex);
	}
}

/** A callback's task as the API reports it: never the callback's own word. */
export async function verifyTask(ctx: ApiContext, taskId: string): Promise<Task> {
	return await readTask(ctx, PROFILES.verify, taskId, {});
}

/**
 * A POST to one of n8n's own webhook URLs (a parked batch's resume URL): n8n's answer, status 0
 * when none came. Not the service: no credential, no retries, a short time limit.
 */
export async function postToOwnWebhook(ctx: IExecuteFunctions, url: string, body: IDataObject): Promise<{ status: number; message: string }> {
	try {
		const response = (await ctx.helpers.httpRequest({
			method: 'POST',
			url,
			body,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: OWN_WEBHOOK_TIMEOUT_MS,
		})) as { statusCode?: number; body?: unknown };
		const answer = response.body as { message?: unknown } | undefined;
		return { status: Number(response.statusCode) || 0, message: String(answer?.message ?? '') };
	} catch {
		return { status: 0, message: '' };
	}
}
