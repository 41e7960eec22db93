import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

// The trigger's settings, read and checked once per callback into one typed object.

export const DEFAULT_SECRET_HEADER = 'X-Callback-Secret';
const ALL_EVENTS = ['succeeded', 'failed'];

export interface TriggerSettings {
	/** Task ends that start the workflow: 'succeeded', 'failed'. */
	events: string[];
	includeServiceDetails: boolean;
	/** Set when callbacks must carry a secret: in `header` (lower case) if it is sent, else in the query parameter "secret". */
	secret?: { value: string; header?: string };
}

export function triggerSettings(ctx: IWebhookFunctions): TriggerSettings {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const events = ctx.getNodeParameter('events', ALL_EVENTS);
	const settings: TriggerSettings = {
		events: Array.isArray(events) ? events.map(String) : ALL_EVENTS,
		includeServiceDetails: options.includeServiceDetails === true,
	};
	const secret = String(options.secret ?? '');
	if (secret !== '') {
		const header = String(options.headerName ?? DEFAULT_SECRET_HEADER).trim().toLowerCase();
		settings.secret = { value: secret, ...(header ? { header } : {}) };
	}
	return settings;
}
