import type {
	IAuthenticateGeneric,
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

const invalidKey = 'Invalid API key: check the key under API Keys in your API in One dashboard';
const ERROR_STATUSES_BUT_NOT_FOUND = Array.from({ length: 200 }, (_, i) => 400 + i).filter((status) => status !== 404);

export class ApiInOneApi implements ICredentialType {
	name = 'apiInOneApi';

	// n8n labels a credential by its type's displayName without the standalone words API, OAuth1, OAuth2
	// and MCP ("Connect to ...", "... account"), which would leave "in One". The invisible word joiner
	// (U+2060) glued to the brand's "API" keeps that word; the trailing " API" is dropped as usual. The
	// credential-type search (a substring match) still finds "API in One".
	displayName = '\u2060API in One API';

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

	// Reading a task that does not exist costs no credit: a 404 means the key was accepted. Every
	// other error status fails the test (n8n 1.x ignores them all; the body rules still catch an
	// envelope's 401/403 there and in HTTP 200 answers).
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/api/v1/tasks/n8n-credential-check',
			method: 'GET',
			ignoreHttpStatusErrors: { ignore: true, except: ERROR_STATUSES_BUT_NOT_FOUND },
		},
		// n8n's tester takes both kinds of rule in one list; its type wants one kind.
		rules: [
			...[401, 403].map((value) => ({ type: 'responseCode' as const, properties: { value, message: invalidKey } })),
			...[401, 403].flatMap((value) =>
				['code', 'statusCode', 'status'].map((key) => ({
					type: 'responseSuccessBody' as const,
					properties: { key, value, message: invalidKey },
				})),
			),
		] satisfies Array<IAuthenticateRuleResponseCode | IAuthenticateRuleResponseSuccessBody> as ICredentialTestRequest['rules'],
	};
}
