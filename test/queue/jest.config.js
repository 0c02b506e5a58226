/**
 * Queue-mode end-to-end tests (npm run test:queue): n8n main + worker with Redis and PostgreSQL.
 * Needs the services scripts/test-queue.sh starts: run them through that script.
 * Files are named *.spec.ts so that the unit run (jest.config.js: **\/*.test.ts) never picks them up.
 */
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/queue'],
	testMatch: ['**/*.spec.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json', diagnostics: false }],
	},
	// Main and worker get the package as n8n's own installer made it (packed, from a local registry).
	globalSetup: '<rootDir>/test/e2e/installed-package.ts',
	globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
	// One cluster at a time: main + worker need about 1.5 GB and most of both cores while they start.
	maxWorkers: 1,
	testTimeout: 180_000,
	slowTestThreshold: 60,
};
