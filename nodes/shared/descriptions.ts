import type { INodeProperties } from 'n8n-workflow';

// UI properties both nodes show.

export const includeServiceDetails: INodeProperties = {
	displayName: 'Include Service Details',
	name: 'includeServiceDetails',
	type: 'boolean',
	default: false,
	description: "Whether to add the service's own status word, every result URL and its raw answer (status, imageUrls, response)",
};

/** An options collection whose entries are sorted by name, as n8n's UX guidelines ask. */
export function optionsCollection(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [...options].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}
