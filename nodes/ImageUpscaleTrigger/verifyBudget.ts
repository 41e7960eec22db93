import type { IWebhookFunctions } from 'n8n-workflow';

import { clock } from '../shared/clock';

/**
 * Each verification read is a status read with the user's key, and anyone who knows the trigger's
 * URL (and no secret is set) can post callbacks naming task ids. So reads are rationed per trigger
 * node in this process: per sender, so that one sender's flood does not delay the service's
 * callbacks from another address, and for every sender together, so that many addresses cannot
 * spend more than the ceiling. A read that starts the workflow is given back (each task starts it
 * once, so those reads are bounded by the account's own tasks), and its sender is held proven: it
 * no longer draws on the shared ceiling, which forgers from many addresses may have spent.
 */
/** Bursts large enough for the service's callbacks of a whole batch ending at once (the queue suite sends 50). */
export const ONE_SENDER = { perSecond: 5, burst: 100 };
export const EVERY_SENDER = { perSecond: 20, burst: 400 };
/** Task ids the API answered 404 for: answered again without a read for this long, the newest this many. */
const UNKNOWN_FOR_MS = 5 * 60_000;
const UNKNOWN_REMEMBERED = 10_000;
/** Senders whose budget is kept, the least recently seen dropped first (a new sender starts full). */
const SENDERS_REMEMBERED = 1000;
/** Senders that started the workflow: how long, and how many, are held proven. */
const PROVEN_FOR_MS = 24 * 3600_000;
const PROVEN_REMEMBERED = 100;

type Rate = typeof ONE_SENDER;
interface Bucket {
	tokens: number;
	at: number;
}
interface TriggerBudget {
	everySender: Bucket;
	senders: Map<string, Bucket>;
	/** Task id -> until when it is known to be unknown, oldest first. */
	unknown: Map<string, number>;
	/** Sender -> until when it is held proven, oldest first. */
	proven: Map<string, number>;
}

const budgets = new Map<string, TriggerBudget>();

function refill(bucket: Bucket, rate: Rate, now: number) {
	bucket.tokens = Math.min(rate.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * rate.perSecond);
	bucket.at = now;
}

const secondsUntilToken = (bucket: Bucket, rate: Rate) =>
	bucket.tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / rate.perSecond));

/** IPv6 senders are told apart by their /64 network: one host usually holds a whole /64. */
export function senderGroup(address: string): string {
	const mappedV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
	if (mappedV4) return mappedV4[1];
	if (!address.includes(':')) return address;
	const [head, tail] = address.split('%')[0].split('::');
	const headGroups = head ? head.split(':') : [];
	const tailGroups = tail ? tail.split(':') : [];
	const zeros = Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0');
	const groups = [...headGroups, ...(tail === undefined ? [] : zeros), ...tailGroups];
	return `${groups.slice(0, 4).map((group) => parseInt(group, 16).toString(16)).join(':')}::/64`;
}

/**
 * The sender's address as n8n saw it. Behind a reverse proxy, n8n takes it from X-Forwarded-For
 * only when N8N_PROXY_HOPS is set; otherwise every sender is the proxy, and shares one budget.
 */
function senderOf(ctx: IWebhookFunctions): string {
	const request = ctx.getRequestObject() as { ip?: string; socket?: { remoteAddress?: string } };
	return senderGroup(request.ip ?? request.socket?.remoteAddress ?? '');
}

/** Remembers `key` until `until`, moved to the newest end; past `max` entries the oldest is dropped. */
function rememberUntil(map: Map<string, number>, key: string, until: number, max: number) {
	map.delete(key);
	map.set(key, until);
	if (map.size > max) map.delete(map.keys().next().value as string);
}

/** True while `key` is remembered in `map`; an entry past its time is dropped. */
function stillRemembered(map: Map<string, number>, key: string): boolean {
	const until = map.get(key);
	if (until !== undefined && until <= clock.now()) map.delete(key);
	return until !== undefined && until > clock.now();
}

function senderBucket(here: TriggerBudget, sender: string, now: number): Bucket {
	const bucket = here.senders.get(sender) ?? { tokens: ONE_SENDER.burst, at: now };
	here.senders.delete(sender);
	here.senders.set(sender, bucket);
	if (here.senders.size > SENDERS_REMEMBERED) here.senders.delete(here.senders.keys().next().value as string);
	return bucket;
}

function budgetOf(ctx: IWebhookFunctions): TriggerBudget {
	const key = `${ctx.getWorkflow().id ?? ''}/${ctx.getNode().name}`;
	const everySender = { tokens: EVERY_SENDER.burst, at: clock.now() };
	return budgets.get(key) ?? budgets.set(key, { everySender, senders: new Map(), unknown: new Map(), proven: new Map() }).get(key)!;
}

/** The verification reads this trigger node may still make for the sender of this callback. */
export function verifyBudget(ctx: IWebhookFunctions) {
	const here = budgetOf(ctx);
	const sender = senderOf(ctx);
	const spent = { mine: 0, shared: 0 };
	return {
		/** True when the API said it does not know this task a short while ago. */
		knownUnknown: (taskId: string) => stillRemembered(here.unknown, taskId),
		rememberUnknown: (taskId: string) => rememberUntil(here.unknown, taskId, clock.now() + UNKNOWN_FOR_MS, UNKNOWN_REMEMBERED),
		/** Spends one read: undefined when it may be made now, else the seconds until it may. */
		take(): number | undefined {
			const now = clock.now();
			const mine = senderBucket(here, sender, now);
			const shared = stillRemembered(here.proven, sender) ? undefined : here.everySender;
			refill(mine, ONE_SENDER, now);
			if (shared) refill(shared, EVERY_SENDER, now);
			const wait = Math.max(secondsUntilToken(mine, ONE_SENDER), shared ? secondsUntilToken(shared, EVERY_SENDER) : 0);
			if (wait > 0) return wait;
			mine.tokens -= 1;
			spent.mine += 1;
			if (shared) {
				shared.tokens -= 1;
				spent.shared += 1;
			}
			return undefined;
		},
		/** This callback started the workflow: its reads are given back and its sender is proven. */
		started() {
			const mine = senderBucket(here, sender, clock.now());
			mine.tokens = Math.min(ONE_SENDER.burst, mine.tokens + spent.mine);
			here.everySender.tokens = Math.min(EVERY_SENDER.burst, here.everySender.tokens + spent.shared);
			spent.mine = spent.shared = 0;
			rememberUntil(here.proven, sender, clock.now() + PROVEN_FOR_MS, PROVEN_REMEMBERED);
		},
	};
}
