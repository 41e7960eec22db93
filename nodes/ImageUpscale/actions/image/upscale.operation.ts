import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { includeServiceDetails, optionsCollection } from '../../../shared/descriptions';
import { asNodeError, operationError } from '../../../shared/errors';
import { unreachableBy, unreachableHint } from '../../../shared/reachability';
import { withoutUrlPassword } from '../../../shared/redact';
import { isHttpUrl } from '../../../shared/task';
import { createTask } from '../../../shared/transport';
import { parkBatch, parkSettings } from '../../park/park';
import type { Batch } from '../../run/batch';
import { urlPasswordHider } from '../../run/hideUrlPassword';
import { DEFAULT_MODEL, DEFAULT_ROUTE, upscaleSettings, type UpscaleSettings } from '../../run/settings';
import { settle, type ItemRun } from '../../run/settle';
import { FROM_AI_IMAGE_URL } from '../tool';
import {
	concurrencyOption,
	downloadOptions,
	downloadResultProperty,
	parkOptions,
	waitForResultProperty,
	waitModeProperty,
	waitOptions,
} from '../descriptions';

const MAX_INPUT_BYTES = 20 * 1024 * 1024;

const properties: INodeProperties[] = [
	{
		displayName: 'Image Source',
		name: 'imageSource',
		type: 'options',
		options: [
			{ name: 'URL', value: 'url', description: 'A public http(s) URL of the image' },
			{ name: 'Binary File', value: 'binary', description: 'An image file from a binary field of the input item' },
		],
		default: 'url',
		// An AI agent cannot hand the tool a file: as a tool, the node takes URLs only.
		displayOptions: { hide: { '@tool': [true] } },
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/photo.jpg',
		displayOptions: { hide: { imageSource: ['binary'], '@tool': [true] } },
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		default: FROM_AI_IMAGE_URL,
		required: true,
		description: 'Filled by the model by default: the image_url argument of the tool',
		// As a tool the node has no Image Source: the URL comes from the model unless set here.
		displayOptions: { show: { '@tool': [true] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field holding the image (at most 20 MB)',
		displayOptions: { show: { imageSource: ['binary'] } },
	},
	waitForResultProperty(true),
	waitModeProperty,
	{ ...downloadResultProperty, displayOptions: { show: { waitForResult: [true] }, hide: { '@tool': [true], waitMode: ['park'] } } },
	optionsCollection([
		{
			displayName: 'Extra Body Fields',
			name: 'extraBody',
			type: 'json',
			default: '{}',
			description: 'More fields for the create request as a JSON object, for models that take them, e.g. {"scale": 4}. Model, image and callback_url are set by the node and refused here.',
		},
		{
			displayName: 'Callback URL',
			name: 'callbackUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $execution.resumeUrl }}',
			description:
				"The service POSTs to this URL when the task ends: a Wait node's resume URL, or the API in One Trigger's production URL",
			displayOptions: { hide: { '/waitMode': ['park'] } },
		},
		concurrencyOption,
		includeServiceDetails,
		...downloadOptions({ '/waitForResult': [true], '/downloadResult': [true] }, { '/waitMode': ['park'] }),
		...waitOptions,
		...parkOptions,
		{
			displayName: 'Model',
			name: 'model',
			type: 'string',
			default: DEFAULT_MODEL,
			description: 'Model ID of the API in One platform',
		},
		{
			displayName: 'Route',
			name: 'route',
			type: 'string',
			default: DEFAULT_ROUTE,
			description: 'Path of the create request, for other tools of the platform, e.g. /api/v1/images/tools/remove-bg',
		},
	]),
];

export const description = updateDisplayOptions({ show: { resource: ['image'], operation: ['upscale'] } }, properties);

interface ImageInput {
	image: string;
	name?: string;
}

async function readImage(ctx: IExecuteFunctions, itemIndex: number, asTool: boolean): Promise<ImageInput> {
	const fail = (message: string, hint?: string) => new NodeOperationError(ctx.getNode(), message, { itemIndex, description: hint });
	if (!asTool && ctx.getNodeParameter('imageSource', itemIndex, 'url') === 'binary') {
		const field = String(ctx.getNodeParameter('binaryPropertyName', itemIndex));
		const meta = ctx.helpers.assertBinaryData(itemIndex, field);
		if (!meta.mimeType?.startsWith('image/')) {
			throw fail(`The file in field "${field}" is not an image (${meta.mimeType || 'unknown type'})`);
		}
		const tooLarge = (bytes: number) =>
			fail(`The image in field "${field}" is ${(bytes / 1024 / 1024).toFixed(1)} MB, over the 20 MB limit`, 'Send large images by URL instead.');
		if (Number(meta.bytes) > MAX_INPUT_BYTES) throw tooLarge(Number(meta.bytes)); // known without reading the file
		const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, field);
		if (buffer.length > MAX_INPUT_BYTES) throw tooLarge(buffer.length);
		if (buffer.length === 0) throw fail(`The image in field "${field}" is empty (0 bytes)`);
		return { image: `data:${meta.mimeType};base64,${buffer.toString('base64')}`, name: meta.fileName };
	}
	const url = ctx.getNodeParameter('imageUrl', itemIndex);
	if (typeof url !== 'string') throw fail(`The Image URL must be text, not ${Array.isArray(url) ? 'a list' : typeof url}`);
	const trimmed = url.trim();
	if (trimmed === '') throw fail('The Image URL is empty');
	if (!isHttpUrl(trimmed)) throw fail(`The Image URL is not an http(s) URL: "${withoutUrlPassword(trimmed).slice(0, 60)}"`);
	return { image: trimmed, name: trimmed };
}

/** A callback the service could never deliver gets a hint in the execution, once per run. */
function checkReachable(url: string | undefined, run: ItemRun) {
	const kind = url && unreachableBy(url);
	if (kind) run.batch.hints.add(unreachableHint('The Callback URL', url, kind));
}

export async function execute(this: IExecuteFunctions, run: ItemRun): Promise<INodeExecutionData> {
	const settings = upscaleSettings(this, run.itemIndex);
	const input = await readImage(this, run.itemIndex, settings.asTool);
	const hider = urlPasswordHider(input.image);
	if (!hider) return await upscale(this, run, settings, input);
	try {
		return hider.item(await upscale(this, run, settings, input));
	} catch (error) {
		throw hider.error(asNodeError(this.getNode(), error, run.itemIndex));
	}
}

async function upscale(ctx: IExecuteFunctions, run: ItemRun, settings: UpscaleSettings, input: ImageInput): Promise<INodeExecutionData> {
	const { itemIndex, batch } = run;
	const { model } = settings;
	const callbackUrl = batch.park ? batch.park.callbackUrl : settings.callbackUrl;
	if (!batch.park) checkReachable(callbackUrl, run);
	const body: IDataObject = { ...settings.extraBody, model, image: input.image, ...(callbackUrl ? { callback_url: callbackUrl } : {}) };

	// Not tied to the item's signal: a create in flight is let finish, so the task it makes is known.
	const task = await createTask(ctx, settings.route, body, { itemIndex, gate: batch.gate });
	if (task.taskId) batch.created.set(itemIndex, task.taskId);
	else if (task.state === 'running') {
		throw operationError(ctx.getNode(), 'The service accepted the image but sent no task ID to follow', {
			itemIndex,
			description: 'The task may exist: check the tasks in your API in One account before you run this item again.',
		});
	}
	// Parking, the batch waits for the task after the park (park/resume.ts); one that has ended with no ID is output now.
	if (batch.park && task.taskId) return { json: { taskId: task.taskId, state: 'parked' }, pairedItem: { item: itemIndex } };
	const waits = batch.park ? { ...settings, wait: undefined, download: undefined } : settings;
	return await settle(ctx, run, task, { settings: waits, failedIsError: true, model, inputName: input.name });
}

/** Parks the execution while the service works, when While Waiting says so. */
export async function runBatch(this: IExecuteFunctions, batch: Batch, runItems: () => Promise<INodeExecutionData[]>): Promise<INodeExecutionData[]> {
	const park = parkSettings(this);
	return park ? await parkBatch(this, batch, park, runItems) : await runItems();
}
