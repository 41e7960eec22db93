import type { INodeExecutionData } from 'n8n-workflow';

import type { NodeError } from '../../shared/errors';
import { redactor, type Redact } from '../../shared/redact';

/**
 * An image URL may carry `user:password@`: it is sent as given, but the password never reaches an
 * output or an error, whatever the service echoes. Undefined when the URL has no password.
 */
export function urlPasswordHider(url: string) {
	let password = '';
	try {
		password = decodeURIComponent(new URL(url).password);
	} catch {
		return undefined; // not a URL the node sends
	}
	if (!password) return undefined;
	const hide: Redact = redactor(password, '***');
	return {
		item: (item: INodeExecutionData): INodeExecutionData => ({ ...item, json: hide(item.json) }),
		error: (error: NodeError): NodeError => {
			for (const key of ['message', 'description', 'stack'] as const) {
				if (typeof error[key] === 'string') error[key] = hide(error[key]);
			}
			error.context = hide(error.context);
			if (Array.isArray(error.messages)) error.messages = hide(error.messages);
			return error;
		},
	};
}
