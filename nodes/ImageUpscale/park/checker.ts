import type { IExecuteFunctions } from 'n8n-workflow';

import { clock } from '../../shared/clock';
import { postToOwnWebhook } from '../../shared/transport';

/** Until n8n has saved the execution as waiting it answers 409 "is running already": ask again this soon. */
const UNTIL_PARKED_MS = 2000;
/** n8n's answer once the execution is over (resumed and ended, failed, or deleted). */
const ENDED = /has finished|does not exist/;

/**
 * Asks the parked batch's own webhook to check its tasks every `everyMs`, from the process that
 * parked it, which can reach n8n when the service cannot (n8n on localhost) and backs up lost
 * callbacks. The first check comes as soon as n8n has saved the execution as waiting: callbacks
 * that came during the creates got 409 and are not sent again. It stops once n8n says the
 * execution is over, or at `untilMs`. It dies with the process: callbacks, or any POST to the URL,
 * then end the batch.
 */
export function startChecker(ctx: IExecuteFunctions, url: string, at: { everyMs: number; untilMs: number }) {
	const check = async () => {
		let parked = false;
		while (clock.now() < at.untilMs) {
			await clock.sleep(parked ? at.everyMs : Math.min(at.everyMs, UNTIL_PARKED_MS));
			const { status, message } = await postToOwnWebhook(ctx, url, { check: true });
			if (ENDED.test(message)) return;
			if (status >= 200 && status < 300) parked = true;
		}
	};
	check().catch((error: Error) => ctx.logger.warn(`Image Upscale: the parked batch's checks stopped: ${error.message}`));
}
