import type { IWebhookFunctions } from 'n8n-workflow';

import { clock } from '../shared/clock';

/**
 * Each verification read is a status read with the user's key, and anyone who knows the trigger's
 * URL (and no secret is set) can post callbacks naming task ids. So reads are rationed per trigger
 * node in this process: per sender, so that one sender's flood does not delay the service's
 * callbacks from another address, and for every sender together, so that many addresses cannot
 * spend more than the ceiling.
 */
export const ONE_SENDER = { perSecond: 5, burst: 20 };
export const EVERY_SENDER = { perSecond: 20, burst: 60 };
/** Task ids the API answered 404 for: answered again without a read for this long, the newest this many. */
const UNKNOWN_FOR_MS = 5 * 60_000;
const UNKNOWN_REMEMBERED = 10_000;
/** Senders whose budget is kept, the least recently seen dropped first (a new sender starts full). */
const SENDERS_REMEMBERED = 1000;

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

function senderBucket(here: TriggerBudget, sender: string, now: number): Bucket {
	const bucket = here.senders.get(sender) ?? { tokens: ONE_SENDER.burst, at: now };
	here.senders.delete(sender);
	here.senders.set(sender, bucket);
	if (here.senders.size > SENDERS_REMEMBERED) here.senders.delete(here.senders.keys().next().value as string);
	return bucket;
}

/** The verification reads this trigger node may still make for the sender of this callback. */
export function verifyBudget(ctx: IWebhookFunctions) {
	const key = `${ctx.getWorkflow().id ?? ''}/${ctx.getNode().name}`;
	const here =
		budgets.get(key) ??
		budgets.set(key, { everySender: { tokens: EVERY_SENDER.burst, at: clock.now() }, senders: new Map(), unknown: new Map() }).get(key)!;
	const sender = senderOf(ctx);
	return {
		/** True when the API said it does not know this task a short while ago. */
		knownUnknown(taskId: string): boolean {
			const until = here.unknown.get(taskId);
			if (until !== undefined && until <= clock.now()) here.unknown.delete(taskId);
			return until !== undefined && until > clock.now();
		},
		rememberUnknown(taskId: string) {
			here.unknown.delete(taskId);
			here.unknown.set(taskId, clock.now() + UNKNOWN_FOR_MS);
			if (here.unknown.size > UNKNOWN_REMEMBERED) here.unknown.delete(here.unknown.keys().next().value as string);
		},
		/** Spends one read: undefined when it may be made now, else the seconds until it may. */
		take(): number | undefined {
			const now = clock.now();
			const mine = senderBucket(here, sender, now);
			refill(mine, ONE_SENDER, now);
			refill(here.everySender, EVERY_SENDER, now);
			const wait = Math.max(secondsUntilToken(mine, ONE_SENDER), secondsUntilToken(here.everySender, EVERY_SENDER));
			if (wait > 0) return wait;
			mine.tokens -= 1;
			here.everySender.tokens -= 1;
			return undefined;
		},
	};
}
