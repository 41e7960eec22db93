/**
 * The test layers, each a jest project (`npm run test:<layer>`):
 *   unit      pure functions: the parser, the wait schedule, the failure table, the examples' JSON
 *   stand-in  the local stand-in of the service, on its own
 *   engine    the nodes in n8n-core's WorkflowExecute against the stand-in, and the demo
 *   tooling   what n8n checks before verification, the publish workflow
 * The end-to-end layer (real n8n) is test/e2e, run by `npm run test:e2e`.
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] };
const layer = (name) => ({
	displayName: name,
	testEnvironment: 'node',
	testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
	transform,
	setupFiles: ['<rootDir>/test/setup-env.ts'],
});

/** @type {import('jest').Config} */
module.exports = {
	projects: ['unit', 'stand-in', 'engine', 'tooling'].map(layer),
	testTimeout: 30000,
	// The tests mostly wait on the stand-in's timers, not on the CPU: more workers than cores pay off.
	maxWorkers: 4,
};
