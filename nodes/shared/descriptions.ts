import type { INodeProperties } from 'n8n-workflow';

// UI properties more than one operation or node shows.

export const DEFAULT_CONCURRENCY = 10;
export const DEFAULT_WAIT_LIMIT_SECONDS = 300;
export const DEFAULT_MAX_RESULT_MB = 100;

export const waitForResult = (defaultValue: boolean): INodeProperties => ({
	displayName: 'Wait for Result',
	name: 'waitForResult',
	type: 'boolean',
	default: defaultValue,
	description:
		'Whether to wait until the task has ended and return its result. When off, the node returns the task as it is now.',
});

export const downloadResult: INodeProperties = {
	displayName: 'Download Result',
	name: 'downloadResult',
	type: 'boolean',
	default: true,
	description: 'Whether to download the result image into a binary field of the output item',
};

export const outputBinaryField: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'outputBinaryField',
	type: 'string',
	default: 'data',
	hint: 'The name of the output binary field to put the result image in',
};

export const maxResultSizeMb: INodeProperties = {
	displayName: 'Max Result Size (MB)',
	name: 'maxResultSizeMb',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: DEFAULT_MAX_RESULT_MB,
	description: 'Larger result images are refused instead of downloaded',
};

export const concurrency: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 100 },
	default: DEFAULT_CONCURRENCY,
	description: 'How many items to process at the same time. 1 processes one item after another.',
};

export const waitLimitSeconds: INodeProperties = {
	displayName: 'Wait Limit (Seconds)',
	name: 'waitLimitSeconds',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: DEFAULT_WAIT_LIMIT_SECONDS,
	description: 'How long to wait for a task before giving up on it',
};

export const onWaitLimit: INodeProperties = {
	displayName: 'When Still Running at the Limit',
	name: 'onWaitLimit',
	type: 'options',
	options: [
		{ name: 'Fail the Item', value: 'error', description: 'The error names the task ID so it can be fetched later' },
		{ name: 'Return the Running Task', value: 'returnRunning', description: 'Output the task with state "running" and its ID' },
	],
	default: 'error',
};

/** The options both operations of the action node share. */
export const waitAndDownloadOptions: INodeProperties[] = [
	concurrency,
	maxResultSizeMb,
	outputBinaryField,
	onWaitLimit,
	waitLimitSeconds,
];
