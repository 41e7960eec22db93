import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

/** Answers the sender of a webhook call now; the returned value tells n8n not to answer again. */
export function answer(ctx: IWebhookFunctions, status: number, message: string, headers: IDataObject = {}): IWebhookResponseData {
	const body = JSON.stringify({ message });
	const res = ctx.getResponseObject();
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(body),
		...headers,
	});
	res.end(body);
	return { noWebhookResponse: true };
}
