/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- dev tooling, never published: n8n's rules for community node code do not apply */
import type { StandIn } from '../../stand-in/server';
import { fail, manualTrigger, visible, type Editor, type WorkflowNode } from './editor';

// n8n names a credential after its type's displayName without the standalone words API, OAuth1,
// OAuth2 and MCP: "Connect to <name>", "<name> account". Ours must come out as the service's name.

const SERVICE = 'API in One';
const WRONG_KEY = 'aio_wrong_key_e2e';

export const upscaleNode = (name = 'Image Upscale', parameters: Record<string, unknown> = {}): WorkflowNode => ({
	name,
	type: 'n8n-nodes-apiinone.imageUpscale',
	typeVersion: 1,
	position: [260, 0],
	parameters,
});

const dialog = (editor: Editor) => editor.page.getByTestId('editCredential-modal');

/** Opens a fresh Image Upscale node (no credential yet) and its "Connect to ..." button's dialog. */
async function openNewCredentialDialog(editor: Editor) {
	await editor.openWorkflow('Credential', [manualTrigger(), upscaleNode()]);
	await editor.openNode('Image Upscale');
	const connect = editor.ndv.getByTestId('node-credentials-empty-state');
	await connect.waitFor();
	const label = visible(await connect.innerText());
	if (label !== `Connect to ${SERVICE}`) fail(`the node's credential button reads "${label}"`);
	await connect.click();
	await dialog(editor).waitFor();
}

export async function credentialNamedAfterService(editor: Editor) {
	await openNewCredentialDialog(editor);
	const name = visible(await dialog(editor).getByTestId('credential-name').innerText());
	if (name !== `${SERVICE} account`) fail(`a new credential is named "${name}"`);
	await editor.dismissDialogs();

	// The credential-type search of "Add new credential".
	const add = editor.page.getByTestId('add-resource-credential');
	await editor.navigate('/home/credentials', add);
	await add.click();
	const select = editor.page.getByTestId('new-credential-type-select');
	await select.locator('input').fill(SERVICE);
	const option = editor.page.getByTestId('new-credential-type-select-option');
	await option.first().waitFor({ timeout: 10_000 }).catch(() => fail(`searching "${SERVICE}" among credential types finds nothing`));
	const offered = (await option.allInnerTexts()).map(visible);
	if (!offered.some((text) => text.startsWith(SERVICE))) fail(`searching "${SERVICE}" among credential types offers ${JSON.stringify(offered)}`);
	await editor.dismissDialogs();
}

/** The dialog's own test: a wrong key fails with our message, the right key passes; then it is saved. */
export async function credentialTestMessages(editor: Editor, standIn: StandIn) {
	await openNewCredentialDialog(editor);
	const form = dialog(editor);
	await form.getByTestId('parameter-input-apiKey').locator('input').fill(WRONG_KEY);
	await form.getByTestId('parameter-input-baseUrl').locator('input').fill(standIn.url);
	await form.getByTestId('credential-save-button').click();
	await form.getByText('Couldn’t connect with these settings').waitFor();
	await form.getByText('More details').click();
	await form.getByText(/Invalid API key: check the key under API Keys/).waitFor({ timeout: 10_000 }).catch(async () => {
		fail(`a wrong key shows no invalid-key message: ${visible(await form.getByTestId('node-credentials-config-container').innerText())}`);
	});

	await form.getByTestId('parameter-input-apiKey').locator('input').fill(standIn.key);
	await form.getByRole('button', { name: 'Retry' }).click();
	const success = form.getByTestId('credentials-config-container-test-success');
	await success.filter({ hasText: 'Connection tested successfully' }).waitFor({ timeout: 20_000 }).catch(async () => {
		fail(`the right key did not pass: ${visible(await form.getByTestId('node-credentials-config-container').innerText())}`);
	});
	await editor.shot('credential-dialog.png');
	await form.getByTestId('credential-save-button').click();
	await form.waitFor({ state: 'detached' });
	const chosen = visible(await editor.ndv.getByTestId('node-credentials-select').innerText().catch(() => ''));
	const value = visible(await editor.ndv.getByTestId('node-credentials-select').locator('input').inputValue().catch(() => ''));
	if (![chosen, value].includes(`${SERVICE} account`)) fail(`after saving, the node's credential shows "${chosen || value}"`);
	await editor.closeNode();
}
