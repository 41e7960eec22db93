/* eslint-disable @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import type { Socket } from 'node:net';

import type { ConnectionStats } from './types';

/**
 * Counts the TCP connections clients open to the stand-in. A socket counts from its first request
 * until it closes, unless that request is the stand-in's own (it fetches the pictures it serves,
 * the inputs of its tasks, through the same server): those sockets are left out, so the figure is
 * what the node under test holds open.
 */
export class ConnectionCount implements ConnectionStats {
	peak = 0;
	total = 0;
	private readonly clients = new Set<Socket>();
	private readonly seen = new WeakSet<Socket>();

	get open(): number {
		return this.clients.size;
	}

	/** Called on every request; `own` says it is one of the stand-in's own fetches. */
	request(socket: Socket, own: boolean): void {
		if (this.seen.has(socket)) return;
		this.seen.add(socket);
		if (own || socket.destroyed) return;
		this.clients.add(socket);
		this.total++;
		this.peak = Math.max(this.peak, this.clients.size);
		socket.once('close', () => this.clients.delete(socket));
	}

	resetPeak(): void {
		this.peak = this.clients.size;
		this.total = 0;
	}
}
