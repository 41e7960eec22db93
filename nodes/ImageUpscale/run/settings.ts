import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isHttpUrl } from '../../shared/task';

// Every setting of an item is read and checked here, once, into one typed object: nothing
// downstream reads the options bag or a parameter's UI name.

export const DEFAULT_MODEL = 'image-upscale';
export const DEFAULT_ROUTE = '/api/v1/images/tools/upscale';
export const DEFAULT_CONCURRENCY = 10;
export const MAX_CONCURRENCY = 100;
export const DEFAULT_WAIT_LIMIT_SECONDS = 300;
/** A tool call must not hold an agent for minutes: as a tool, the wait limit unless the user set one. */
export const DEFAULT_TOOL_WAIT_LIMIT_SECONDS = 60;
export const DEFAULT_MAX_RESULT_MB = 100;

export interface WaitSettings {
	limitMs: number;
	/** Output the task still running at the limit, instead of failing the item. */
	returnRunning: boolean;
}

export interface DownloadSettings {
	maxBytes: number;
	/** The output binary field. */
	field: string;
}

export interface ItemSettings {
	/** Set when the item waits for its task to end. */
	wait?: WaitSettings;
	/** Set when the item downloads the result. */
	download?: DownloadSettings;
	includeServiceDetails: boolean;
	/** Called by an AI agent as a tool: the agent gets URLs and a summary, never a file. */
	asTool: boolean;
}

export interface UpscaleSettings extends ItemSettings {
	model: string;
	/** The create request's path, starting with one "/". */
	route: string;
	/** More fields for the create request, under the node's own. */
	extraBody: IDataObject;
	callbackUrl?: string;
}

function fail(ctx: IExecuteFunctions, message: string, itemIndex?: number): never {
	throw new NodeOperationError(ctx.getNode(), message, itemIndex === undefined ? {} : { itemIndex });
}

const shown = (value: unknown) => (typeof value === 'string' ? `"${value.slice(0, 40)}"` : JSON.stringify(value) ?? String(value));

/** A number above 0; text holding one (an expression's result) counts. Anything else names the setting. */
export function positiveNumber(ctx: IExecuteFunctions, value: unknown, setting: string, itemIndex?: number): number {
	const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
	if (!Number.isFinite(number) || number <= 0) fail(ctx, `${setting} must be a positive number, not ${shown(value)}`, itemIndex);
	return number;
}

function fieldName(ctx: IExecuteFunctions, value: unknown, itemIndex?: number): string {
	if (typeof value !== 'string' || value.trim() === '') fail(ctx, `Put Output File in Field must be a field name, not ${shown(value)}`, itemIndex);
	return value.trim();
}

function downloadSettings(ctx: IExecuteFunctions, options: IDataObject, itemIndex: number): DownloadSettings {
	const megabytes = positiveNumber(ctx, options.maxResultSizeMb ?? DEFAULT_MAX_RESULT_MB, 'Max Result Size (MB)', itemIndex);
	return { maxBytes: Math.floor(megabytes * 1024 * 1024), field: fieldName(ctx, options.outputBinaryField ?? 'data', itemIndex) };
}

/** Whether an AI agent runs the node as a tool (n8n 2.x says so; 1.x runs the "...Tool" node type). */
export const isToolCall = (ctx: IExecuteFunctions): boolean => ctx.isToolExecution?.() === true || ctx.getNode().type.endsWith('Tool');

/**
 * The wait limit and what happens at it. As a tool, unless the user set them: 60 seconds, then the
 * running task is the answer (its ID and "ask again later"), not an error.
 */
export function waitSettings(ctx: IExecuteFunctions, options: IDataObject, itemIndex: number | undefined, asTool: boolean): WaitSettings {
	const byDefault = asTool ? DEFAULT_TOOL_WAIT_LIMIT_SECONDS : DEFAULT_WAIT_LIMIT_SECONDS;
	const seconds = positiveNumber(ctx, options.waitLimitSeconds ?? byDefault, 'Wait Limit (Seconds)', itemIndex);
	const onLimit = options.onWaitLimit ?? (asTool ? 'returnRunning' : 'error');
	return { limitMs: Math.round(seconds * 1000), returnRunning: onLimit === 'returnRunning' };
}

const optionsOf = (ctx: IExecuteFunctions, itemIndex: number) => ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;

function itemSettings(ctx: IExecuteFunctions, itemIndex: number, options: IDataObject, waits: boolean, downloads: boolean): ItemSettings {
	const asTool = isToolCall(ctx);
	const settings: ItemSettings = { includeServiceDetails: options.includeServiceDetails === true && !asTool, asTool };
	if (waits) settings.wait = waitSettings(ctx, options, itemIndex, asTool);
	if (downloads && !asTool) settings.download = downloadSettings(ctx, options, itemIndex);
	return settings;
}

const isOn = (ctx: IExecuteFunctions, name: string, itemIndex: number, byDefault: boolean) => ctx.getNodeParameter(name, itemIndex, byDefault) === true;

/** Task -> Get: downloads a succeeded task's result whether or not it waited for it. */
export function taskGetSettings(ctx: IExecuteFunctions, itemIndex: number): ItemSettings {
	const waits = isOn(ctx, 'waitForResult', itemIndex, false);
	return itemSettings(ctx, itemIndex, optionsOf(ctx, itemIndex), waits, isOn(ctx, 'downloadResult', itemIndex, true));
}

/** Image -> Upscale: a result is downloaded only by an item that waits for it. */
export function upscaleSettings(ctx: IExecuteFunctions, itemIndex: number): UpscaleSettings {
	const options = optionsOf(ctx, itemIndex);
	const waits = isOn(ctx, 'waitForResult', itemIndex, true);
	return {
		...itemSettings(ctx, itemIndex, options, waits, waits && isOn(ctx, 'downloadResult', itemIndex, true)),
		model: String(options.model || DEFAULT_MODEL),
		route: `/${String(options.route || DEFAULT_ROUTE).replace(/^\/+/, '')}`,
		extraBody: extraBodyOf(ctx, options.extraBody, itemIndex),
		callbackUrl: callbackUrlOf(ctx, options.callbackUrl, itemIndex),
	};
}

/** Set by the node's own options (Model, the image, Callback URL), or keys that could reach a prototype. */
const RESERVED_BODY_FIELDS = ['model', 'image', 'callback_url', '__proto__', 'constructor', 'prototype'];

function extraBodyOf(ctx: IExecuteFunctions, value: unknown, itemIndex: number): IDataObject {
	let extra: unknown = value ?? {};
	if (typeof extra === 'string') {
		try {
			extra = extra.trim() === '' ? {} : JSON.parse(extra);
		} catch {
			fail(ctx, 'Extra Body Fields is not valid JSON', itemIndex);
		}
	}
	if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) fail(ctx, 'Extra Body Fields must be a JSON object', itemIndex);
	const reserved = Object.keys(extra).find((key) => RESERVED_BODY_FIELDS.includes(key));
	if (reserved) fail(ctx, `Extra Body Fields cannot set "${reserved}"`, itemIndex);
	return extra as IDataObject;
}

function callbackUrlOf(ctx: IExecuteFunctions, value: unknown, itemIndex: number): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value !== 'string' || !isHttpUrl(value)) fail(ctx, 'The Callback URL must be an http(s) URL', itemIndex);
	return value.trim();
}

/** How many items run at once: one setting for the whole run, read from the first item. */
export function runConcurrency(ctx: IExecuteFunctions): number {
	const options = optionsOf(ctx, 0);
	const value = positiveNumber(ctx, options.concurrency ?? DEFAULT_CONCURRENCY, 'Concurrency');
	if (!Number.isInteger(value) || value > MAX_CONCURRENCY) fail(ctx, `Concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, not ${value}`);
	return value;
}
