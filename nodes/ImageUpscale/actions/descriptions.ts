import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_CHECK_EVERY_SECONDS, MIN_CHECK_EVERY_SECONDS } from '../park/park';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_RESULT_MB, DEFAULT_WAIT_LIMIT_SECONDS, MAX_CONCURRENCY } from '../run/settings';

// UI properties both operations of the action show. Options that only matter while waiting or
// downloading are shown only then (their `/` paths point at the node's top-level parameters).

const whenWaiting = { show: { '/waitForResult': [true] } };

const waitForResultOn: INodeProperties = {
	displayName: 'Wait for Result',
	name: 'waitForResult',
	type: 'boolean',
	default: true,
	description:
		'Whether to wait until the task has ended and return its result. When off, the node returns the task as it is now.',
};

// Two literal defaults: n8n's lint reads a boolean's default from the source.
export const waitForResultProperty = (defaultValue: boolean): INodeProperties => (defaultValue ? waitForResultOn : { ...waitForResultOn, default: false });

export const downloadResultProperty: INodeProperties = {
	displayName: 'Download Result',
	name: 'downloadResult',
	type: 'boolean',
	default: true,
	description: 'Whether to download the result image into a binary field of the output item',
};

export const concurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
	default: DEFAULT_CONCURRENCY,
	description: 'How many items to process at the same time. 1 processes one item after another.',
};

/** Download options, shown when `shownWhen` holds (the node's or operation's own download conditions). */
export function downloadOptions(shownWhen: Record<string, boolean[]>, hiddenWhen?: Record<string, string[]>): INodeProperties[] {
	const displayOptions = hiddenWhen ? { show: shownWhen, hide: hiddenWhen } : { show: shownWhen };
	return [
		{
			displayName: 'Max Result Size (MB)',
			name: 'maxResultSizeMb',
			type: 'number',
			typeOptions: { minValue: 0.001 },
			default: DEFAULT_MAX_RESULT_MB,
			description: 'Larger result images are refused instead of downloaded',
			displayOptions,
		},
		{
			displayName: 'Put Output File in Field',
			name: 'outputBinaryField',
			type: 'string',
			default: 'data',
			hint: 'The name of the output binary field to put the result image in',
			displayOptions,
		},
	];
}

export const waitOptions: INodeProperties[] = [
	{
		displayName: 'Wait Limit (Seconds)',
		name: 'waitLimitSeconds',
		type: 'number',
		typeOptions: { minValue: 0.001 },
		default: DEFAULT_WAIT_LIMIT_SECONDS,
		description:
			'How long to wait for a task before giving up on it. A parked batch counts it from the park. Used as an AI tool, the node waits 60 seconds unless this is set.',
		displayOptions: whenWaiting,
	},
	{
		displayName: 'When Still Running',
		name: 'onWaitLimit',
		type: 'options',
		options: [
			{ name: 'Fail the Item', value: 'error', description: 'The error names the task ID so it can be fetched later' },
			{ name: 'Return the Running Task', value: 'returnRunning', description: 'Output the task with state "running" and its ID' },
		],
		default: 'error',
		description: 'What to do with a task still running when the wait limit passes. Used as an AI tool, the node returns it unless this is set.',
		displayOptions: whenWaiting,
	},
];

export const waitModeProperty: INodeProperties = {
	displayName: 'While Waiting',
	name: 'waitMode',
	type: 'options',
	options: [
		{
			name: 'Keep the Execution Running',
			value: 'hold',
			description: 'The execution holds its worker until every task has ended, and downloads the results',
		},
		{
			name: 'Park the Execution (Frees the Worker)',
			value: 'park',
			description:
				'Needs n8n 2.x. After creating the tasks the execution waits in the database, and the callbacks of API in One resume it. Put Task -> Get with Download Result after this node for the files.',
		},
	],
	default: 'hold',
	displayOptions: { show: { waitForResult: [true] }, hide: { '@tool': [true] } },
};

const whenParked = { show: { '/waitMode': ['park'] } };

export const parkOptions: INodeProperties[] = [
	{
		displayName: 'Resume On',
		name: 'resumeOn',
		type: 'options',
		options: [
			{
				name: 'Callbacks and Checks',
				value: 'callbacksAndChecks',
				description: 'API in One calls this execution back when each task ends, and n8n checks the tasks every so often too',
			},
			{
				name: 'Checks Only',
				value: 'checks',
				description: 'Only n8n checks the tasks: for an n8n that API in One cannot reach, such as one on localhost',
			},
		],
		default: 'callbacksAndChecks',
		description: 'What ends the wait of a parked batch',
		displayOptions: whenParked,
	},
	{
		displayName: 'Check Every (Seconds)',
		name: 'checkEverySeconds',
		type: 'number',
		typeOptions: { minValue: MIN_CHECK_EVERY_SECONDS },
		default: DEFAULT_CHECK_EVERY_SECONDS,
		description: 'How often the n8n process that parked the batch asks it to check its tasks with API in One',
		displayOptions: whenParked,
	},
];
