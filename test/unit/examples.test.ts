/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tooling, never published: n8n's rules for community node code do not apply */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INodeParameters, INodeProperties, INodeType } from 'n8n-workflow';

import { ImageUpscaleTrigger } from '../../nodes/ImageUpscaleTrigger/ImageUpscaleTrigger.node';
import { ImageUpscale } from '../../nodes/ImageUpscale/ImageUpscale.node';

// The importable workflows in examples/: well-formed, and using this package's nodes only with
// parameters those nodes really have.

interface ExampleNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	parameters: INodeParameters;
	credentials?: Record<string, { id: string; name: string }>;
}
interface Example {
	name: string;
	nodes: ExampleNode[];
	connections: Record<string, Record<string, Array<Array<{ node: string; type: string; index: number }>>>>;
}

const dir = join(__dirname, '..', '..', 'examples');
const files = readdirSync(dir).filter((file) => file.endsWith('.json'));
const examples = files.map((file) => [file, JSON.parse(readFileSync(join(dir, file), 'utf8')) as Example] as const);

const upscale = new ImageUpscale().description;
const ours: Record<string, { node: INodeType['description']; properties: INodeProperties[] }> = {
	'n8n-nodes-apiinone.imageUpscale': { node: upscale, properties: upscale.properties },
	'n8n-nodes-apiinone.imageUpscaleTool': { node: upscale, properties: upscale.properties },
	'n8n-nodes-apiinone.imageUpscaleTrigger': { node: new ImageUpscaleTrigger().description, properties: new ImageUpscaleTrigger().description.properties },
};

// Built-in nodes at versions that exist in both n8n 1.123.x and 2.41.x (checked against both).
const builtIns: Record<string, number[]> = {
	'n8n-nodes-base.manualTrigger': [1],
	'n8n-nodes-base.code': [2],
	'n8n-nodes-base.wait': [1.1],
	'n8n-nodes-base.httpRequest': [4.2],
	'n8n-nodes-base.stickyNote': [1],
	'n8n-nodes-base.noOp': [1],
	'n8n-nodes-base.redis': [1],
	'n8n-nodes-base.if': [2.2],
	'@n8n/n8n-nodes-langchain.agent': [2.2],
	'@n8n/n8n-nodes-langchain.lmChatOpenAi': [1.2],
	'@n8n/n8n-nodes-langchain.chatTrigger': [1.4],
};

/** Whether a property is shown for these parameter values (its show conditions on sibling parameters). */
function shown(property: INodeProperties, parameters: INodeParameters, all: INodeProperties[]): boolean {
	const show = property.displayOptions?.show ?? {};
	return Object.entries(show).every(([key, allowed]) => {
		if (key.startsWith('@') || key.startsWith('/')) return true;
		const value = key in parameters ? parameters[key] : all.find((p) => p.name === key && shown(p, parameters, all))?.default;
		return (allowed as unknown[]).includes(value);
	});
}

/** Parameter names (and option names inside collections) that the node does not show for these values. */
function unknownParameters(parameters: INodeParameters, properties: INodeProperties[]): string[] {
	const unknown: string[] = [];
	for (const [name, value] of Object.entries(parameters)) {
		const property = properties.find((p) => p.name === name && shown(p, parameters, properties));
		if (!property) {
			unknown.push(name);
			continue;
		}
		if (property.type === 'collection' && value && typeof value === 'object') {
			const options = (property.options ?? []) as INodeProperties[];
			for (const key of Object.keys(value)) if (!options.some((o) => o.name === key)) unknown.push(`${name}.${key}`);
		}
		if (property.type === 'options' && typeof value === 'string' && !value.startsWith('=')) {
			if (!property.options?.some((o) => 'value' in o && o.value === value)) unknown.push(`${name}=${value}`);
		}
	}
	return unknown;
}

describe.each(examples)('examples/%s', (_file, example) => {
	it('is a workflow: a name, nodes with unique names and ids, connections between existing nodes', () => {
		expect(typeof example.name).toBe('string');
		expect(Array.isArray(example.nodes)).toBe(true);
		expect(typeof example.connections).toBe('object');
		const names = example.nodes.map((node) => node.name);
		expect(new Set(names).size).toBe(names.length);
		// n8n refuses to import a workflow whose nodes share an id.
		const ids = example.nodes.map((node) => node.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (const [source, outputs] of Object.entries(example.connections)) {
			expect(names).toContain(source);
			for (const target of Object.values(outputs).flat(2)) expect(names).toContain(target.node);
		}
	});

	it('has a sticky note saying what it shows', () => {
		const notes = example.nodes.filter((node) => node.type === 'n8n-nodes-base.stickyNote');
		expect(notes.length).toBeGreaterThan(0);
		for (const note of notes) expect(String(note.parameters.content).length).toBeGreaterThan(80);
	});

	it("uses this package's nodes only with parameters they have, and the shared credential", () => {
		const mine = example.nodes.filter((node) => node.type.startsWith('n8n-nodes-apiinone.'));
		expect(mine.length).toBeGreaterThan(0);
		for (const node of mine) {
			const known = ours[node.type];
			expect(known).toBeDefined();
			expect(node.typeVersion).toBe(known.node.version);
			expect({ node: node.name, unknown: unknownParameters(node.parameters, known.properties) }).toEqual({ node: node.name, unknown: [] });
			expect(node.credentials).toEqual({ apiInOneApi: { id: '1', name: 'API in One account' } });
		}
	});

	it('uses built-in nodes at versions n8n 1.x and 2.x both have', () => {
		for (const node of example.nodes.filter((n) => !n.type.startsWith('n8n-nodes-apiinone.'))) {
			expect({ type: node.type, version: builtIns[node.type]?.includes(node.typeVersion) }).toEqual({ type: node.type, version: true });
		}
	});

	it('refers in expressions only to nodes that exist', () => {
		const names = example.nodes.map((node) => node.name);
		const referenced = [...JSON.stringify(example.nodes).matchAll(/\$\(\\?['"]([^'"\\]+)\\?['"]\)/g)].map((m) => m[1]);
		for (const name of referenced) expect(names).toContain(name);
	});
});

describe('the examples as a set', () => {
	const all = new Map(examples);
	const nodesOf = (file: string) => all.get(file)?.nodes ?? [];
	const find = (file: string, name: string) => nodesOf(file).find((node) => node.name === name)!;

	it('are the seven documented in the README', () => {
		expect(files.sort()).toEqual([
			'01-upscale-urls.json',
			'02-upscale-binary-files.json',
			'03-callback-to-trigger.json',
			'04-callback-wait-node.json',
			'05-ai-agent-tool.json',
			'06-trigger-exactly-once-queue-mode.json',
			'07-parked-batch.json',
		]);
	});

	it('keep image URLs in the Code node only, where the end-to-end suite replaces them', () => {
		for (const [file, example] of examples) {
			for (const node of example.nodes.filter((n) => n.type.startsWith('n8n-nodes-apiinone.'))) {
				expect({ file, imageUrl: String(node.parameters.imageUrl ?? '=').startsWith('=') }).toEqual({ file, imageUrl: true });
			}
		}
		expect(find('01-upscale-urls.json', 'Image URLs').parameters.jsCode).toContain("'https://example.com/images/");
		expect(find('04-callback-wait-node.json', 'Image URLs').parameters.jsCode).toContain("'https://example.com/images/");
	});

	it('wire the callbacks as documented', () => {
		expect(find('04-callback-wait-node.json', 'Submit Upscale').parameters).toMatchObject({ waitForResult: false, options: { callbackUrl: '={{ $execution.resumeUrl }}' } });
		expect(find('04-callback-wait-node.json', 'Wait for Callback').parameters).toMatchObject({ resume: 'webhook', httpMethod: 'POST', limitWaitTime: true });
		expect(find('04-callback-wait-node.json', 'Get Result').parameters).toMatchObject({ resource: 'task', operation: 'get' });
		// A parked batch outputs no files: the Task -> Get after it downloads them on the worker that resumes.
		expect(find('07-parked-batch.json', 'Upscale Images').parameters).toMatchObject({ waitForResult: true, waitMode: 'park' });
		expect(find('07-parked-batch.json', 'Download Results').parameters).toMatchObject({ resource: 'task', operation: 'get', taskId: '={{ $json.taskId }}', downloadResult: true });
		expect(all.get('07-parked-batch.json')!.connections['Upscale Images']).toEqual({ main: [[{ node: 'Download Results', type: 'main', index: 0 }]] });
		const trigger = find('03-callback-to-trigger.json', 'API in One Trigger') as ExampleNode & { webhookId: string };
		expect(find('03-callback-to-trigger.json', 'Submit Upscale').parameters.options).toEqual({ callbackUrl: `https://YOUR-N8N-HOST/webhook/${trigger.webhookId}/callback` });
		const exactlyOnce = (name: string) => find('06-trigger-exactly-once-queue-mode.json', name) as ExampleNode & { webhookId: string };
		expect(exactlyOnce('Submit Upscale').parameters.options).toEqual({ callbackUrl: `https://YOUR-N8N-HOST/webhook/${exactlyOnce('API in One Trigger').webhookId}/callback` });
		expect(exactlyOnce('API in One Trigger').webhookId).not.toBe(trigger.webhookId);
		// The trigger downloads nothing (in queue mode a file stored in a webhook process is not readable later): Task -> Get does.
		expect(find('03-callback-to-trigger.json', 'Get Result').parameters).toMatchObject({ resource: 'task', operation: 'get', taskId: '={{ $json.taskId }}' });
		expect(all.get('03-callback-to-trigger.json')!.connections['API in One Trigger']).toEqual({ main: [[{ node: 'Get Result', type: 'main', index: 0 }]] });
		// Exactly once across webhook processes: an atomic Redis increment per task id, only the first delivery goes on.
		expect(exactlyOnce('Count Deliveries').parameters).toMatchObject({ operation: 'incr', key: '=apiinone:task:{{ $json.taskId }}', expire: true });
		expect(exactlyOnce('First Delivery?').parameters.conditions).toMatchObject({
			conditions: [{ leftValue: '={{ Object.values($json)[0] }}', rightValue: 1, operator: { type: 'number', operation: 'equals' } }],
		});
		expect(exactlyOnce('Get Result').parameters).toMatchObject({
			resource: 'task',
			operation: 'get',
			taskId: "={{ $('API in One Trigger').first().json.taskId }}",
			downloadResult: true,
		});
		expect(all.get('06-trigger-exactly-once-queue-mode.json')!.connections).toMatchObject({
			'API in One Trigger': { main: [[{ node: 'Count Deliveries', type: 'main', index: 0 }]] },
			'Count Deliveries': { main: [[{ node: 'First Delivery?', type: 'main', index: 0 }]] },
			'First Delivery?': { main: [[{ node: 'Get Result', type: 'main', index: 0 }], []] },
		});
		const tool = find('05-ai-agent-tool.json', 'Image Upscale Tool');
		expect(tool.parameters.imageUrl).toMatch(/^=\{\{ \$fromAI\('image_url'/);
		// The node's own Tool Description and the tool's wait limit (60 s) apply: nothing set over them.
		expect(tool.parameters).not.toHaveProperty('toolDescription');
		expect(tool.parameters).not.toHaveProperty('descriptionType');
		expect(tool.parameters.options).toEqual({});
		expect(all.get('05-ai-agent-tool.json')!.connections['Image Upscale Tool']).toEqual({ ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] });
	});
});
