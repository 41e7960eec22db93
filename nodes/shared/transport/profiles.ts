import type { Failure } from './send';

/**
 * The retry policy, all of it: the contract's failure table as data, and one profile per kind of
 * call. Never pay twice: a create is sent again only when the service surely did not take it.
 */

export type Verdict = 'retry' | 'final' | 'maybeCreated';

export type Situation = 'redirected' | 'noCredits' | 'rateLimited' | 'notTaken' | 'maybeTaken' | 'rejected';

/** Which column of the failure table a call follows: a call that may cost a credit, or one that reads. */
export type Column = 'create' | 'read';

interface Row {
	situation: Situation;
	matches: (failure: Failure) => boolean;
	create: Verdict;
	read: Verdict;
}

const isServerError = (status?: number) => status !== undefined && status >= 500 && status <= 599;

const FAILURE_TABLE: Row[] = [
	// A redirect is not followed (the key must not go elsewhere); a create's 3xx may come after the task was made.
	{ situation: 'redirected', matches: (f) => f.kind === 'redirect', create: 'maybeCreated', read: 'final' },
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

export const verdict = (failure: Failure, column: Column): Verdict => situationOf(failure)[column];

/** Waits grow 0.5 s, 1 s, 2 s, ... (randomised in their upper half), up to 8 s. */
export function backoffMs(retry: number, random = Math.random): number {
	const ceiling = Math.min(8000, 500 * 2 ** (retry - 1));
	return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Which requests of a batch the rate gate holds back together when the service says "slow down". */
export type Lane = 'create' | 'read';

export interface Profile {
	column: Column;
	lane: Lane;
	/** Tries in all, the first included. */
	attempts: number;
	/** Tries in all while a batch's rate gate absorbs 429s (it paces them; giving up early would waste the batch). */
	rateLimitedAttempts: number;
	/** Bounds every attempt. */
	timeoutMs: number;
	/** A retry that would wait longer than this (e.g. a long Retry-After) fails at once instead. */
	maxRetryWaitMs: number;
	/** The pause before retry number `retry` (1, 2, ...), when the service named none. */
	backoffMs: (retry: number) => number;
	/** Whether Stop aborts the request in flight. A create is let finish, so the task it makes is known. */
	abortable: boolean;
}

const READ: Profile = {
	column: 'read',
	lane: 'read',
	attempts: 4,
	rateLimitedAttempts: 10,
	timeoutMs: 30_000,
	maxRetryWaitMs: 60_000,
	backoffMs,
	abortable: true,
};

export const PROFILES = {
	create: { ...READ, column: 'create', lane: 'create', timeoutMs: 120_000, abortable: false },
	read: READ,
	/**
	 * One try per read: a failed read that may pass goes back to the wait, which reads again after
	 * this profile's back-off (1 s, 2 s, 4 s, ... between failed reads in a row), until its limit.
	 */
	waitRead: { ...READ, attempts: 1, backoffMs: (retry: number) => 1000 * 2 ** (retry - 1) },
	/** A callback's check: short enough that the sender has its answer well within its own time limit. */
	verify: { ...READ, attempts: 2, rateLimitedAttempts: 2, timeoutMs: 4000, maxRetryWaitMs: 1000 },
	/** For a future Task -> Cancel: costs nothing, so a read's retries; Stop must not leave it unknown. */
	cancel: { ...READ, lane: 'create', abortable: false },
} satisfies Record<string, Profile>;

export type CallKind = keyof typeof PROFILES;
