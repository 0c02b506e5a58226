/**
 * End-to-end tests in a real n8n (npm run test:e2e) and the browser test of the node panel
 * (npm run test:browser, LTX_E2E_SUITE=browser). Both need scripts/n8n-runtime.sh sourced first:
 * run them through the npm scripts.
 */
const browserSuite = process.env.LTX_E2E_SUITE === 'browser';

module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: [browserSuite ? '**/*.browser.test.ts' : '**/*.test.ts'],
	testPathIgnorePatterns: browserSuite ? ['/node_modules/'] : ['/node_modules/', '\\.browser\\.test\\.ts$'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: false }],
	},
	// Packs the package and installs it through n8n's own installer from a local registry, once per run.
	globalSetup: '<rootDir>/test/e2e/installed-package.ts',
	globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
	// One n8n at a time: each needs about 700 MB and most of a core while it starts.
	maxWorkers: 1,
	testTimeout: 180_000,
	slowTestThreshold: 60,
};
