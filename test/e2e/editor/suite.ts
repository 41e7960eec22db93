import { startStandIn, type StandIn } from '../../stand-in/server';
import { installN8n, type Suite, type SuiteContext } from '../harness';
import { N8n } from '../n8n';
import { CHROMIUM, ensureChromium, openBrowser, type Browser } from './browser';
import { credentialNamedAfterService, credentialTestMessages } from './credential.checks';
import { Editor } from './editor';
import { agentToolOffered, nodesPanelFindsBoth, toolModeOffersUrlOnly } from './panel.checks';
import { optionsSortedAndReadable, parameterPanels, uselessOptionsHidden } from './parameters.checks';
import { runShowsUpscaledImage, triggerShowsWebhookUrls } from './run.checks';

/**
 * What users see: n8n 2.41.1's editor in Debian's Chromium, with the packed package installed.
 * The checks run in this order on one fresh n8n (the credential checks need a node without one).
 */
const CHECKS: Array<[string, (editor: Editor, standIn: StandIn) => Promise<void>]> = [
	['nodes panel: "upscale", "API in One" and "Image Upscale" find Image Upscale, whose panel offers its actions and the API in One Trigger', nodesPanelFindsBoth],
	['credential: "Connect to API in One", named "API in One account", its type found by "API in One"', credentialNamedAfterService],
	["credential dialog's test: a wrong key shows the invalid-key message, the right key passes", credentialTestMessages],
	['parameters: Upscale with Image Source URL and Binary File, and Task -> Get, show their own fields and canvas subtitle', parameterPanels],
	['options: those about waiting or downloading are offered only where they do something', uselessOptionsHidden],
	['options: listed in alphabetical order, no label cut off', optionsSortedAndReadable],
	["run example 01 from the editor: the output's binary view shows the upscaled image at 2x", runShowsUpscaledImage],
	["trigger: added from Image Upscale's panel, it shows its test and production webhook URLs", triggerShowsWebhookUrls],
	["AI Agent: the Tool connector offers Image Upscale Tool and connects it", agentToolOffered],
	['AI Agent tool: its own Tool Description, Image URL from $fromAI(), and Image Source offers only what an agent can supply (no Binary File)', toolModeOffersUrlOnly],
];

export function editorSuite(): Suite {
	return {
		name: 'editor',
		async run(ctx: SuiteContext) {
			ensureChromium(ctx.log);
			const n8n = new N8n(installN8n(2));
			const standIn = await startStandIn({ processingMs: 800, jitter: 0.2, maxRunning: 10 });
			let browser: Browser | undefined;
			try {
				browser = await openBrowser();
				ctx.log(`\n== n8n ${n8n.install.version}'s editor in ${CHROMIUM}`);
				const started = Date.now();
				await n8n.installPackage(ctx.tarball);
				await n8n.start();
				await n8n.setUpOwner();
				ctx.log(`  (package installed, n8n started and its owner set up in ${((Date.now() - started) / 1000).toFixed(0)} s)`);
				const editor = new Editor(browser.page, n8n);
				if (!(await ctx.check('sign in to the editor', () => editor.signIn()))) return;
				for (const [name, body] of CHECKS) await ctx.check(name, () => body(editor, standIn));
				const hosts = [...new Set(browser.blocked.map((url) => new URL(url).host))];
				ctx.log(`  (blocked ${browser.blocked.length} requests off this machine${hosts.length ? `: ${hosts.join(', ')}` : ''})`);
			} finally {
				await browser?.close();
				await n8n.stop();
				await standIn.close();
				n8n.cleanup();
			}
		},
	};
}
