// The probes' workflow (docs/design-parked-batches.md): one place for both probes.

export const PARK_ID = '11111111-2222-4333-8444-555555555555';
/** Webhook -> Split Out -> the parking probe node -> a pass-through probe node. */
export function parkWorkflow(id: string, name: string, webhookId: string, path: string, park: Record<string, unknown>) {
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: 'a0000000-0000-4000-8000-000000000001', name: 'Hook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId, parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} } },
			{ id: 'a0000000-0000-4000-8000-000000000002', name: 'Split', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.items', options: {} } },
			{ id: PARK_ID, name: 'Park', type: 'n8n-nodes-parkprobe.parkProbe', typeVersion: 1, position: [400, 0], parameters: park },
			{ id: 'a0000000-0000-4000-8000-000000000004', name: 'After', type: 'n8n-nodes-parkprobe.parkProbe', typeVersion: 1, position: [600, 0], parameters: { passOnly: true, parkedName: 'Park' } },
		],
		connections: {
			Hook: { main: [[{ node: 'Split', type: 'main', index: 0 }]] },
			Split: { main: [[{ node: 'Park', type: 'main', index: 0 }]] },
			Park: { main: [[{ node: 'After', type: 'main', index: 0 }]] },
		},
	};
}
