/** jest globalTeardown of the E2E and queue runs: stops the local registry of installed-package.ts. */
export { globalTeardown as default } from './installed-package.ts';
