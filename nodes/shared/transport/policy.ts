import type { Failure } from './send';

/**
 * The contract's failure table as data: what a create and a read do after each kind of failure.
 * Never pay twice: a create is sent again only when the service surely did not take it.
 */

export type Verdict = 'retry' | 'final' | 'maybeCreated';

export type Situation = 'noCredits' | 'rateLimited' | 'notTaken' | 'maybeTaken' | 'rejected';

interface Row {
	situation: Situation;
	matches: (failure: Failure) => boolean;
	create: Verdict;
	read: Verdict;
}

const isServerError = (status?: number) => status !== undefined && status >= 500 && status <= 599;

export const FAILURE_TABLE: Row[] = [
	// 402, or any message about credits (even on a 429): final, never retried.
	{ situation: 'noCredits', matches: (f) => f.status === 402 || /credit/i.test(f.message), create: 'final', read: 'final' },
	{ situation: 'rateLimited', matches: (f) => f.status === 429, create: 'retry', read: 'retry' },
	{ situation: 'notTaken', matches: (f) => f.status === 503 || f.network === 'notSent', create: 'retry', read: 'retry' },
	{
		situation: 'maybeTaken',
		matches: (f) => isServerError(f.status) || f.kind === 'network' || f.kind === 'malformed',
		create: 'maybeCreated',
		read: 'retry',
	},
	{ situation: 'rejected', matches: () => true, create: 'final', read: 'final' },
];

export function situationOf(failure: Failure): Row {
	return FAILURE_TABLE.find((row) => row.matches(failure))!;
}

export const verdict = (failure: Failure, isCreate: boolean): Verdict => situationOf(failure)[isCreate ? 'create' : 'read'];

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8000;
export const MAX_RETRY_AFTER_MS = 60_000;

/** Waits grow 0.5 s, 1 s, 2 s, ... (randomised in their upper half), up to 8 s. */
export function backoffMs(retry: number, random = Math.random): number {
	const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (retry - 1));
	return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
