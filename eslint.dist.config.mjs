import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

// What n8n's package scanner checks: the compiled code that ships, with the n8n Cloud rules.
export default [
	{ ignores: ['**/*.d.ts', '**/*.map'] },
	{
		files: ['dist/**/*.js'],
		plugins: { '@n8n/community-nodes': n8nCommunityNodesPlugin },
		rules: {
			'@n8n/community-nodes/no-restricted-globals': 'error',
			'@n8n/community-nodes/no-restricted-imports': 'error',
		},
	},
];
