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

/** A callback naming a task the API says does not exist: acknowledged, so it is not sent again. */
export const answerUnknownTask = (ctx: IWebhookFunctions) => answer(ctx, 200, 'Ignored: API in One does not know this task');

const RESEND = {
	unverified: { message: 'The task could not be verified with API in One; send the callback again later', retryAfterSeconds: '30' },
	running: { message: 'The task is still running according to API in One; send the callback again later', retryAfterSeconds: '10' },
};

/** A callback whose task could not be read now, or still runs by the API: its sender is asked to send it again. */
export function askToResend(ctx: IWebhookFunctions, why: keyof typeof RESEND): IWebhookResponseData {
	const { message, retryAfterSeconds } = RESEND[why];
	return answer(ctx, 503, message, { 'retry-after': retryAfterSeconds });
}
