import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

const invalidKey = 'Invalid API key: check the key under API Keys in your API in One dashboard';

export class ApiInOneApi implements ICredentialType {
	name = 'apiInOneApi';

	displayName = 'API in One API';

	icon: Icon = { light: 'file:../icons/apiinone.svg', dark: 'file:../icons/apiinone.dark.svg' };

	documentationUrl = 'https://apiin.one/docs';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'e.g. aio_xxxxxxxxxxxxxxxx',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://apiin.one',
			description: 'Change only to reach a proxy or a self-hosted gateway of the service',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	// Reading a task that does not exist costs no credit: a 404 means the key was accepted.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/api/v1/tasks/n8n-credential-check',
			method: 'GET',
			ignoreHttpStatusErrors: true,
		},
		rules: [401, 403].flatMap((value) =>
			['code', 'statusCode', 'status'].map((key) => ({
				type: 'responseSuccessBody' as const,
				properties: { key, value, message: invalidKey },
			})),
		),
	};
}
