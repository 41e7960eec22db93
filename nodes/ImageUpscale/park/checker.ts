import type { IExecuteFunctions } from 'n8n-workflow';

import { clock } from '../../shared/clock';
import { postToOwnWebhook } from '../../shared/transport';

/**
 * Asks the parked batch's own webhook to check its tasks every `everyMs`, from the process that
 * parked it, which can reach n8n when the service cannot (n8n on localhost) and backs up lost
 * callbacks. It stops once the execution has ended (n8n answers 404 or 409 after a 2xx), or at
 * `untilMs`. It dies with the process: callbacks, or any POST to the URL, then end the batch.
 */
export function startChecker(ctx: IExecuteFunctions, url: string, at: { everyMs: number; untilMs: number }) {
	const check = async () => {
		let waitingSeen = false;
		while (clock.now() < at.untilMs) {
			await clock.sleep(at.everyMs);
			const status = await postToOwnWebhook(ctx, url, { check: true });
			// Before n8n has saved the execution as waiting, it answers 409 "running": try again.
			if (status >= 200 && status < 300) waitingSeen = true;
			else if (waitingSeen && (status === 404 || status === 409)) return;
		}
	};
	check().catch((error: Error) => ctx.logger.warn(`Image Upscale: the parked batch's checks stopped: ${error.message}`));
}
