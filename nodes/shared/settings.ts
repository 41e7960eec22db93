import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

// Every setting of an item is read and checked here, once, into one typed object: nothing
// downstream reads the options bag or a parameter's UI name.

export const DEFAULT_CONCURRENCY = 10;
export const MAX_CONCURRENCY = 100;
export const DEFAULT_WAIT_LIMIT_SECONDS = 300;
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

/** The settings of one item of the action node (Upscale or Task -> Get). */
export function itemSettings(ctx: IExecuteFunctions, itemIndex: number, waitByDefault: boolean): ItemSettings {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const waits = ctx.getNodeParameter('waitForResult', itemIndex, waitByDefault) === true;
	const downloads = ctx.getNodeParameter('downloadResult', itemIndex, true) === true;
	const asTool = isToolCall(ctx);
	const settings: ItemSettings = { includeServiceDetails: options.includeServiceDetails === true && !asTool, asTool };
	if (waits) {
		const seconds = positiveNumber(ctx, options.waitLimitSeconds ?? DEFAULT_WAIT_LIMIT_SECONDS, 'Wait Limit (Seconds)', itemIndex);
		settings.wait = { limitMs: Math.round(seconds * 1000), returnRunning: options.onWaitLimit === 'returnRunning' };
	}
	if (downloads && !asTool) settings.download = downloadSettings(ctx, options, itemIndex);
	return settings;
}

/** How many items run at once: one setting for the whole run, read from the first item. */
export function concurrency(ctx: IExecuteFunctions): number {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const value = positiveNumber(ctx, options.concurrency ?? DEFAULT_CONCURRENCY, 'Concurrency');
	if (!Number.isInteger(value) || value > MAX_CONCURRENCY) fail(ctx, `Concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, not ${value}`);
	return value;
}
