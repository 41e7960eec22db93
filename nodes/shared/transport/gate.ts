import { clock } from '../clock';
import { backoffMs, type Lane } from './profiles';

/** Lets a batch hold requests back (a rate limit seen by one item) and learn from their outcomes. */
export interface Gate {
	enter(lane: Lane, signal?: AbortSignal): Promise<void>;
	succeeded(lane: Lane): void;
	/** The service said "slow down": the gate holds the lane's next requests back itself. */
	limited(lane: Lane, retryAfterMs?: number): void;
}

const SECOND = 1000;
/** Paced this far below the rate the account was seen to take, so the pace itself causes no 429. */
const MARGIN = 0.97;
/** A 429 while paced cuts the pace by this. */
const CUT = 0.9;
/** After this long without a 429 the pace is probed upwards, by GROWTH a second. */
const QUIET_MS = 5000;
const GROWTH = 0.02;
const MIN_SAMPLES = 3;

/** One kind of request (creates, or reads) of one batch. */
class LanePace {
	private pausedUntil = 0;
	/** Requests a second this lane is paced at, once a 429 has shown what the account takes. */
	private rate?: number;
	private tokens = 1;
	private tokensAt = 0;
	private successes: number[] = [];
	private firstLimitAt?: number;
	private lastLimitAt = -Infinity;
	private lastGrowthAt = 0;
	private retries = 0;

	/**
	 * Waits until the service's Retry-After has passed and, once paced, for a token of the pace. The
	 * pace holds one token at most, so a process that was held up does not catch up in a burst.
	 */
	async enter(signal?: AbortSignal): Promise<void> {
		for (;;) {
			const now = clock.now();
			if (this.pausedUntil > now) {
				await clock.sleep(this.pausedUntil - now, signal);
				continue;
			}
			if (this.firstLimitAt !== undefined) this.learnRate(now);
			const rate = this.rate;
			if (rate === undefined) return;
			this.tokens = Math.min(1, this.tokens + ((now - this.tokensAt) / SECOND) * rate);
			this.tokensAt = now;
			if (this.tokens >= 1) {
				this.tokens -= 1;
				return;
			}
			await clock.sleep(Math.max(1, Math.ceil(((1 - this.tokens) / rate) * SECOND)), signal);
		}
	}

	succeeded() {
		const now = clock.now();
		this.retries = 0;
		this.successes.push(now);
		while (this.successes[0] < now - 2 * SECOND) this.successes.shift();
		if (this.rate !== undefined && now - this.lastLimitAt > QUIET_MS && now - this.lastGrowthAt > SECOND) {
			this.rate *= 1 + GROWTH;
			this.lastGrowthAt = now;
		}
	}

	/** A 429: every request of this kind waits out its Retry-After (or a back-off); a pace that caused it is cut. */
	limited(retryAfterMs: number | undefined) {
		const now = clock.now();
		this.pausedUntil = Math.max(this.pausedUntil, now + (retryAfterMs ?? backoffMs(++this.retries)));
		if (this.rate === undefined) this.firstLimitAt ??= now;
		else if (now - this.lastLimitAt > SECOND) this.rate = Math.max(0.5, this.rate * CUT);
		this.lastLimitAt = now;
	}

	/**
	 * The first 429 tells the account's rate: it took `taken` requests over `span` before saying no.
	 * A limit that holds one second's worth (a token bucket, or a window of a second) takes
	 * rate x (1 + span) in that time.
	 */
	private learnRate(now: number) {
		const recent = this.successes.filter((at) => at >= this.firstLimitAt! - SECOND);
		this.firstLimitAt = undefined;
		// A 429 with hardly anything taken before it tells no rate: the pause alone answers it.
		if (recent.length < MIN_SAMPLES) return;
		const spanMs = Math.min(SECOND, recent[recent.length - 1] - recent[0]);
		this.rate = (recent.length / (1 + spanMs / SECOND)) * MARGIN;
		this.tokens = 1;
		this.tokensAt = now;
	}
}

/**
 * Holds a batch's requests of one kind back while the service asks to slow down, so one rate
 * limit is met once by the batch, not by each item: a 429 seen by one item (with its Retry-After,
 * or a back-off) pauses the creates, or the reads, of every item; from then on they are paced just
 * below the rate the account was seen to take, cut on a later 429 and probed upwards slowly.
 */
export class RateGate implements Gate {
	private readonly lanes: Record<Lane, LanePace> = { create: new LanePace(), read: new LanePace() };

	async enter(lane: Lane, signal?: AbortSignal): Promise<void> {
		await this.lanes[lane].enter(signal);
	}

	succeeded(lane: Lane) {
		this.lanes[lane].succeeded();
	}

	limited(lane: Lane, retryAfterMs?: number) {
		this.lanes[lane].limited(retryAfterMs);
	}
}
