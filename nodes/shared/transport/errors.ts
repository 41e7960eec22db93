import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { apiError } from '../errors';
import { situationOf, type Column } from './profiles';
import type { Failure } from './send';

// Turning a failed call into the error a user reads. Every text from the service is already redacted.

interface Wording {
	message: string;
	description: string;
}

const LATER = 'The service had a problem; try again later.';
const REDIRECT = "Set the credential's Base URL to the address it redirects to, if you trust it.";

function networkWording(failure: Failure, tries: string): Wording {
	return {
		message: `The API in One service could not be reached${tries}`,
		description:
			failure.network === 'timeout'
				? 'The request timed out.'
				: 'Check the Base URL in the credential and the network between n8n and the service.',
	};
}

function wording(failure: Failure, attempts: number): Wording {
	const { status, message } = failure;
	const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
	const situation = situationOf(failure).situation;
	if (failure.kind === 'redirect') return { message: `The service answered with a redirect to ${message}`, description: REDIRECT };
	if (situation === 'noCredits') return { message: `Out of credits: ${message}`, description: 'Top up your API in One account; each image costs 1 credit.' };
	if (failure.kind === 'network') return networkWording(failure, tries);
	if (status === 429) return { message: `Rate limited by the service${tries}: ${message}`, description: 'Lower the Concurrency option or try again later.' };
	if (status === 401 || status === 403) return { message: `Invalid API key: ${message}`, description: 'Check the API key in the credential.' };
	if (status === 404) return { message: `Not found: ${message}`, description: 'Check the task ID.' };
	if (status === 400 || status === 422) return { message: `The service rejected the request: ${message}`, description: 'Check the image and the options.' };
	if (failure.kind === 'malformed') return { message: `${message}${tries}`, description: LATER };
	if (failure.kind === 'envelope') {
		return { message: `The service answered with an error${tries} (code ${status}): ${message}`, description: LATER };
	}
	return { message: `The service failed${tries} (HTTP ${status}): ${message}`, description: LATER };
}

function maybeCreatedWording(failure: Failure): Wording {
	const what =
		failure.kind === 'network'
			? failure.network === 'timeout'
				? 'The request timed out'
				: 'The connection broke after the request was sent'
			: failure.kind === 'malformed'
				? failure.message
				: failure.kind === 'redirect'
					? `The service answered with a redirect to ${failure.message}, which was not followed (${REDIRECT})`
					: `HTTP ${failure.status}: ${failure.message}`;
	return {
		message: 'The create request failed and the task may have been created',
		description: `${what}. It was not sent again, because a second task would cost a second credit. Check the tasks in your API in One account (or wait for the callback, if you set one) before you run this item again.`,
	};
}

export interface FailureContext {
	column: Column;
	attempts: number;
	itemIndex?: number;
	/** Whether another try could still succeed (a read the wait may repeat). */
	retryable: boolean;
	/** Set when the service asked to wait longer than the node does. */
	refusedRetryAfterMs?: number;
	maxRetryWaitMs?: number;
}

export function failureError(node: INode, failure: Failure, context: FailureContext): NodeApiError {
	const words = situationOf(failure)[context.column] === 'maybeCreated' ? maybeCreatedWording(failure) : wording(failure, context.attempts);
	if (context.refusedRetryAfterMs !== undefined) {
		words.description = `The service asked to wait ${Math.ceil(context.refusedRetryAfterMs / 1000)} s before another try, longer than this node waits (${(context.maxRetryWaitMs ?? 0) / 1000} s). ${words.description}`;
	}
	const response: JsonObject = { message: failure.message, ...(failure.status ? { status: failure.status } : {}), attempts: context.attempts };
	const error = apiError(node, response, {
		message: words.message,
		description: words.description,
		httpCode: failure.status ? String(failure.status) : undefined,
		itemIndex: context.itemIndex,
	});
	error.context.retryable = context.retryable;
	if (failure.retryAfterMs !== undefined) error.context.retryAfterMs = failure.retryAfterMs;
	return error;
}

/** Whether a failed read may succeed if tried again later (the wait keeps going after such errors). */
export const isRetryable = (error: unknown): boolean => error instanceof NodeApiError && error.context.retryable === true;

export const retryAfterOf = (error: unknown): number | undefined =>
	error instanceof NodeApiError && typeof error.context.retryAfterMs === 'number' ? error.context.retryAfterMs : undefined;

export const isNotFound = (error: unknown): boolean => error instanceof NodeApiError && error.httpCode === '404';
