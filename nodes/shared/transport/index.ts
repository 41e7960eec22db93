import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { clock } from '../clock';
import { isTaskId, parseTask, type Task } from '../task';
import { account, cancelSignal, type ApiContext } from './account';
import { failureError } from './errors';
import { backoffMs, MAX_RETRY_AFTER_MS, verdict } from './policy';
import { send, type Failure, type Request } from './send';

// Every request to the service goes through here: auth, the retry policy, errors. HTTP status codes
// are known only in this folder.

export { cancelSignal, type ApiContext } from './account';
export { isNotFound, isRetryable, retryAfterOf } from './errors';
export { CREDENTIAL } from './send';

export type CallKind = 'create' | 'read';

/** Lets a batch hold requests back (a rate limit seen by one item) and learn from their outcomes. */
export interface Gate {
	enter(kind: CallKind, signal?: AbortSignal): Promise<void>;
	/** True when the gate itself holds the next request back (a 429): the caller then does not wait too. */
	leave(kind: CallKind, failure?: Failure): boolean;
	/** How many tries a call may take after this failure. */
	attempts(failure: Failure, maxAttempts: number): number;
}

export interface CallOptions {
	itemIndex?: number;
	/** Bounds every attempt. */
	timeoutMs?: number;
	maxAttempts?: number;
	/** A retry that would wait longer than this (e.g. a long Retry-After) fails at once instead. */
	maxRetryWaitMs?: number;
	/** Stops waits between attempts, and reads in flight; defaults to the execution's cancel signal. */
	signal?: AbortSignal;
	gate?: Gate;
}

const DEFAULT_ATTEMPTS = 4;

async function call(ctx: ApiContext, kind: CallKind, request: Omit<Request, 'signal' | 'timeoutMs'>, options: CallOptions & { timeoutMs: number }) {
	const { baseUrl, redact } = await account(ctx);
	const signal = options.signal ?? cancelSignal(ctx);
	const maxAttempts = options.maxAttempts ?? DEFAULT_ATTEMPTS;
	const maxWaitMs = options.maxRetryWaitMs ?? MAX_RETRY_AFTER_MS;
	const isCreate = kind === 'create';
	for (let attempt = 1; ; attempt++) {
		await options.gate?.enter(kind, signal);
		const outcome = await send(ctx, { ...request, timeoutMs: options.timeoutMs, signal: isCreate ? undefined : signal }, baseUrl, redact, clock.now());
		const gated = options.gate?.leave(kind, outcome.ok ? undefined : outcome) ?? false;
		if (outcome.ok) return outcome.body;
		if (signal?.aborted) throw new NodeOperationError(ctx.getNode(), 'The execution was cancelled', { itemIndex: options.itemIndex });
		const retry = verdict(outcome, isCreate) === 'retry';
		const waitMs = outcome.retryAfterMs ?? backoffMs(attempt);
		const attempts = options.gate?.attempts(outcome, maxAttempts) ?? maxAttempts;
		if (!retry || attempt >= attempts || waitMs > maxWaitMs) {
			throw failureError(ctx.getNode(), outcome, {
				isCreate,
				attempts: attempt,
				itemIndex: options.itemIndex,
				retryable: retry,
				...(retry && outcome.retryAfterMs !== undefined && waitMs > maxWaitMs ? { refusedRetryAfterMs: waitMs, maxRetryWaitMs: maxWaitMs } : {}),
			});
		}
		if (!gated) await clock.sleep(waitMs, signal);
	}
}

export async function createTask(ctx: ApiContext, route: string, body: IDataObject, options: CallOptions = {}): Promise<Task> {
	const answer = await call(ctx, 'create', { method: 'POST', path: route, body }, { timeoutMs: 120_000, ...options });
	return parseTask(answer);
}

export async function getTask(ctx: ApiContext, taskId: string, options: CallOptions = {}): Promise<Task> {
	if (!isTaskId(taskId)) {
		throw new NodeOperationError(ctx.getNode(), `"${taskId.slice(0, 60)}" is not a task ID`, { itemIndex: options.itemIndex });
	}
	const path = `/api/v1/tasks/${encodeURIComponent(taskId)}`;
	const task = parseTask(await call(ctx, 'read', { method: 'GET', path }, { timeoutMs: 30_000, ...options }));
	return { ...task, taskId: task.taskId ?? taskId };
}
