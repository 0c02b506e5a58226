/**
 * A running n8n 2.41.1 server (`n8n start`) with this package installed as a community package: what it
 * loaded from package.json#n8n (node, AI-tool variant, codex, icons, credential type), and the credential
 * test as the editor runs it ("Test" in the credential dialog) through n8n's REST API, against the emulator.
 */
import { createWorld, type E2eWorld } from './fixtures.ts';
import { N8N_VERSION, type RestSession } from './n8n-instance.ts';
import { CREDENTIAL_TYPE, EXAMPLE_CREDENTIAL, NODE_TYPE } from './project.ts';

interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

let world: E2eWorld;
let session: RestSession;

beforeAll(async () => {
	world = await createWorld();
	await world.n8n.start();
	session = await world.n8n.setupOwner();
}, 300_000); // n8n boots on a loaded 2-core machine can take minutes.

afterAll(async () => await world?.dispose());

beforeEach(async () => await world.emulator.reset());

/** What the editor sends: the stored credential (secrets redacted, n8n restores them) with the user's edits. */
async function testCredential(edits: Record<string, unknown> = {}): Promise<CredentialTestResult> {
	const stored = await session.request<StoredCredential>('GET', `/rest/credentials/${EXAMPLE_CREDENTIAL.id}?includeData=true`);
	expect(stored.data.apiKey).not.toBe(world.emulator.apiKey);
	return await session.request<CredentialTestResult>('POST', '/rest/credentials/test', {
		credentials: { id: stored.id, name: stored.name, type: stored.type, data: { ...stored.data, ...edits } },
	});
}

interface NodeTypeDescription {
	name: string;
	displayName: string;
	version: number;
	credentials?: Array<{ name: string; required?: boolean }>;
	codex?: { categories?: string[]; alias?: string[]; resources?: Record<string, unknown> };
	iconUrl?: { light: string; dark: string };
	outputs: unknown;
	properties: Array<{ name: string }>;
}

test('n8n loads the node, its AI-tool variant, the codex and both icons from the package', async () => {
	const nodeTypes = await session.getFile<NodeTypeDescription[]>('/types/nodes.json');
	const node = nodeTypes.find((type) => type.name === NODE_TYPE);
	expect(node).toMatchObject({
		displayName: 'LTX Video',
		version: 1,
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		codex: { categories: expect.arrayContaining(['AI']), alias: expect.arrayContaining(['LTX']) },
	});
	expect(node!.properties.map((property) => property.name)).toEqual(expect.arrayContaining(['resource', 'operation', 'model', 'prompt', 'duration']));
	// usableAsTool: n8n derives an AI Agent tool from the node.
	expect(nodeTypes.find((type) => type.name === `${NODE_TYPE}Tool`)?.outputs).toEqual(['ai_tool']);

	const { light, dark } = node!.iconUrl!;
	expect(light).not.toBe(dark);
	for (const icon of [light, dark]) {
		const response = await fetch(`${world.n8n.url}/${icon}`);
		expect({ icon, status: response.status, type: response.headers.get('content-type') }).toEqual({ icon, status: 200, type: 'image/svg+xml' });
		expect(await response.text()).toMatch(/<svg[\s>]/);
	}
});

test('n8n loads the credential type with its fields, icon and test request', async () => {
	const credentialTypes = await session.getFile<Array<{ name: string; displayName: string; properties: Array<{ name: string }>; iconUrl?: unknown; test?: unknown }>>(
		'/types/credentials.json',
	);
	const credential = credentialTypes.find((type) => type.name === CREDENTIAL_TYPE);
	expect(credential).toMatchObject({ displayName: 'Leonardo.AI API', iconUrl: expect.anything(), test: { request: { url: '/v1/me', method: 'GET' } } });
	expect(credential!.properties.map((property) => property.name)).toEqual(expect.arrayContaining(['apiKey', 'baseUrl']));
});

test('the stored key passes the credential test: GET /v1/me with the Bearer key', async () => {
	await expect(testCredential()).resolves.toEqual({ status: 'OK', message: expect.any(String) });

	const [me] = (await world.emulator.requests()).filter((request) => request.route === 'me');
	expect(me).toMatchObject({ method: 'GET', path: '/api/rest/v1/me', status: 200 });
	expect(me.headers.authorization).toBe(`Bearer ${world.emulator.apiKey}`);
});

test('a wrong key fails the credential test with a message that says the key was refused', async () => {
	const unknownKey = '00000000-0000-4000-8000-000000000000';
	const result = await testCredential({ apiKey: unknownKey });

	expect(result.status).toBe('Error');
	// The credential's test rule for 401 replaces n8n's bare "Unauthorized" with what to do. n8n 1.x answers a
	// 401 with its own sentence before it reads the rules (README, Compatibility).
	expect(result.message).toMatch(
		N8N_VERSION.startsWith('1.') ? /^Authorization failed - please check your credentials$/ : /Leonardo did not accept this API key\. Copy a Production API key/,
	);
	const [me] = (await world.emulator.requests()).filter((request) => request.route === 'me');
	expect(me.status).toBe(401);
});

test('a base URL where nothing listens fails the credential test instead of hanging', async () => {
	const result = await testCredential({ baseUrl: 'http://127.0.0.1:9/api/rest' });

	expect(result.status).toBe('Error');
	expect(result.message).toMatch(/ECONNREFUSED|connect|refused/i);
});
