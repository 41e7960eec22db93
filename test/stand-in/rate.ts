/**
 * The account's rate limit on one route: a token bucket holding one second's worth of requests
 * (at least one), refilled continuously. A request past it gets the time until the next token.
 */
export class RateLimit {
	private tokens = 0;
	private at = 0;
	private perSecond = 0;

	constructor(private readonly now: () => number = Date.now) {}

	/** 0 (or less, or not finite) turns the limit off. A new rate starts with a full bucket. */
	configure(perSecond: number | undefined): void {
		const rate = perSecond !== undefined && Number.isFinite(perSecond) && perSecond > 0 ? perSecond : 0;
		if (rate === this.perSecond) return;
		this.perSecond = rate;
		this.tokens = this.capacity;
		this.at = this.now();
	}

	private get capacity(): number {
		return Math.max(1, this.perSecond);
	}

	/** Takes a token: undefined when the request may pass, else the ms until one is available. */
	take(): number | undefined {
		if (this.perSecond === 0) return undefined;
		const now = this.now();
		this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) / 1000) * this.perSecond);
		this.at = now;
		if (this.tokens >= 1) {
			this.tokens -= 1;
			return undefined;
		}
		return ((1 - this.tokens) / this.perSecond) * 1000;
	}
}

/** The Retry-After header for a wait: rounded up to a multiple of `unitS` seconds, or exact (ms precision) for 0. */
export function retryAfterHeader(waitMs: number, unitS: number): string {
	const seconds = waitMs / 1000;
	const value = unitS > 0 ? Math.max(1, Math.ceil(seconds / unitS - 1e-9)) * unitS : Math.max(0.001, seconds);
	return String(Number(value.toFixed(3)));
}
