import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import { redactor, type Redact } from '../redact';

export const CREDENTIAL = 'apiInOneApi';

export type ApiContext = IExecuteFunctions | IWebhookFunctions;

export interface Account {
	baseUrl: string;
	/** Removes the API key from anything the service sent. */
	redact: Redact;
}

const accounts = new WeakMap<object, Promise<Account>>();

/** The credential, read once per execution context rather than once per request. */
export function account(ctx: ApiContext): Promise<Account> {
	let found = accounts.get(ctx);
	if (!found) {
		found = ctx.getCredentials(CREDENTIAL).then((credentials) => ({
			baseUrl: String(credentials.baseUrl || 'https://apiin.one').replace(/\/+$/, ''),
			redact: redactor(String(credentials.apiKey ?? '')),
		}));
		accounts.set(ctx, found);
	}
	return found;
}

export function cancelSignal(ctx: ApiContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal?.() : undefined;
}
