// n8n's own lint rules for community nodes, as `n8n-node lint` (@n8n/node-cli 0.48.3, src/configs/eslint.ts)
// applies them, with n8n Cloud support on: @n8n/eslint-plugin-community-nodes `recommended` (which, unlike
// `recommendedWithoutN8nCloudSupport`, includes the cloud rules no-restricted-globals and no-restricted-imports)
// plus eslint-plugin-n8n-nodes-base's community (package.json), credentials and nodes rule sets, with the same
// rules switched off as n8n switches off. Scope: nodes/, credentials/ and package.json (what ships).
// `npm run lint` runs this with --max-warnings=0, then tools/scan-community-package.mjs (n8n's scanner rule set).
import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { globalIgnores } from 'eslint/config';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

const communityNodesRecommended = n8nCommunityNodesPlugin.configs.recommended;

export default tseslint.config(
	globalIgnores(['dist', 'node_modules', 'test', 'scripts', 'tools', 'examples', 'docs', '*.js', '*.mjs']),
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended, communityNodesRecommended],
		rules: {
			'prefer-spread': 'off',
			'no-console': 'error',
			// Same convention as tsconfig's noUnusedParameters: a leading underscore marks a parameter kept for the signature.
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
		},
	},
	{
		plugins: { 'n8n-nodes-base': n8nNodesBase },
	},
	{
		files: ['package.json'],
		extends: [communityNodesRecommended],
		rules: {
			...n8nNodesBase.configs.community.rules,
		},
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Not valid for community nodes (n8n switches these off too).
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// @n8n/community-nodes/credential-password-field checks the same, more accurately.
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Inputs and outputs are NodeConnectionTypes enums, not the string "main".
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			// Leonardo's API has real maximums (seed, timeout, concurrency), so maxValue is valid.
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
);
