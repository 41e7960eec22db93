import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_TOOL_WAIT_LIMIT_SECONDS } from '../run/settings';

// What a model sees of the node when an AI agent (or n8n's MCP Server Trigger) uses it as a tool.
// n8n adds its own "Tool Description" (whose automatic text is only "Upscale an image in Image
// Upscale") unless the node has a `toolDescription` property: these are ours, shown only as a tool.

const asTool = { '@tool': [true] };

export const UPSCALE_TOOL_DESCRIPTION =
	'Upscales one image to a higher resolution (2x by default) with API in One. ' +
	'Give it image_url, the public http(s) URL of a PNG, JPEG or WebP image. ' +
	'Costs 1 credit (about $0.01) per call. ' +
	`Usually takes 5 to 30 seconds; it waits at most ${DEFAULT_TOOL_WAIT_LIMIT_SECONDS} seconds. ` +
	'Returns JSON with imageUrl (the link to the upscaled image), taskId, state (succeeded, running or failed) and a one-line summary. ' +
	'If state is running, the task goes on: ask for it later by its taskId, and do not call this tool again for the same image (that pays again).';

export const GET_TOOL_DESCRIPTION =
	'Looks up an API in One image upscale task by its taskId (from an earlier upscale that was still running). Free. ' +
	'Returns JSON with state (succeeded, running or failed), imageUrl when it succeeded, error when it failed, and a one-line summary.';

export const toolProperties: INodeProperties[] = [
	{
		displayName: 'Tool Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 4 },
		default: UPSCALE_TOOL_DESCRIPTION,
		description: 'What the model reads about this tool: what it does, what it costs, how long it takes and what it returns',
		displayOptions: { show: { ...asTool, resource: ['image'] } },
	},
	{
		displayName: 'Tool Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 4 },
		default: GET_TOOL_DESCRIPTION,
		description: 'What the model reads about this tool: what it does and what it returns',
		displayOptions: { show: { ...asTool, resource: ['task'] } },
	},
];

/** As a tool, the model fills Image URL unless the user set it: one well-described argument. */
export const FROM_AI_IMAGE_URL = "={{ $fromAI('image_url', 'The public http(s) URL of the image to upscale (PNG, JPEG or WebP)', 'string') }}";
