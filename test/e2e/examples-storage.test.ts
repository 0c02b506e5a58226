/**
 * The examples that put the MP4 somewhere other than n8n's disk, in a real n8n with its defaults:
 * - 07 (form → LTX Video → n8n's S3 node) runs end to end against a local S3-compatible server (s3rver,
 *   which checks the request signatures): the MP4 arrives in the bucket byte for byte.
 * - 08 and 09 (Google Sheets → LTX Video → Google Drive / YouTube) need Google accounts, so they are only
 *   imported as they are; the running n8n then shows that every node type and version of every example
 *   exists in it, and that the LTX Video nodes are complete and use only parameters the node has.
 */
import type { INode, INodeParameters, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { adaptForCli, loadExamples, type Workflow } from './examples.ts';
import { createBodies, createWorld, type E2eWorld, executeOrThrow, outputOf } from './fixtures.ts';
import { N8N_VERSION, type RestSession } from './n8n-instance.ts';
import { NODE_TYPE } from './project.ts';
import { type S3Storage, startS3Storage } from './s3-storage.ts';

const examples = loadExamples();
/**
 * Node versions the examples use that n8n 1.123.81 lacks (it has Form Trigger and Form up to 2.3, Read/Write
 * Files 1, AI Agent 3). 1.x runs Read/Write Files 1.1 as its 1 (the examples test passes there; it swaps the
 * form nodes out), but 1.x's editor does not know these versions: a 1.x user rebuilds the form nodes (2.3
 * keys the fields by label, not by `fieldName`).
 */
const NEWER_THAN_1X = ['@n8n/n8n-nodes-langchain.agent v3.1', 'n8n-nodes-base.form v2.5', 'n8n-nodes-base.formTrigger v2.5', 'n8n-nodes-base.readWriteFile v1.1'];
const exampleById = (id: string): Workflow => {
	const example = examples.find(({ workflow }) => workflow.id === id);
	if (!example) throw new Error(`no example with the ID ${id}`);
	return example.workflow;
};
const S3_EXAMPLE = exampleById('ltxExampleS3Up01');
const GOOGLE_EXAMPLES = [exampleById('ltxExampleDrive1'), exampleById('ltxExampleYtube1')];
const uploadNode = S3_EXAMPLE.nodes.find((node) => node.type === 'n8n-nodes-base.s3')!;
const BUCKET = uploadNode.parameters.bucketName as string;
const PROMPT = 'A hummingbird hovering over a red flower, slow motion';

let world: E2eWorld;
let storage: S3Storage;

beforeAll(async () => {
	world = await createWorld({ emulatorDelayMs: 500 });
	storage = await startS3Storage([BUCKET]);
	// The example's S3 credential, filled in as its sticky note says for MinIO (endpoint, keys, path style).
	const s3Credential = uploadNode.credentials!.s3;
	await world.n8n.importCredentials([{ ...s3Credential, type: 's3', data: storage.credentialData }]);
	await world.n8n.importWorkflows([adaptForCli(S3_EXAMPLE, { triggerOutput: { prompt: PROMPT } }), ...GOOGLE_EXAMPLES]);
}, 300_000); // n8n boots on a loaded 2-core machine can take minutes.

afterAll(async () => {
	await world?.dispose();
	await storage?.stop();
});

test('07 form → S3: the MP4 lands in the bucket as <generationId>.mp4, byte for byte the video Leonardo made', async () => {
	const result = await executeOrThrow(world.n8n, S3_EXAMPLE.id);

	const [video] = outputOf(result, 'Generate video');
	expect(video.json).toMatchObject({ status: 'COMPLETE', prompt: PROMPT, model: 'ltxv-2.3-fast' });
	expect(outputOf(result, 'Upload MP4 to S3')[0].json).toEqual({ success: true });
	const key = `${video.json.generationId as string}.mp4`;
	expect(await storage.listKeys(BUCKET)).toEqual([key]);
	const stored = await storage.getObject(BUCKET, key);
	const made = Buffer.from(await (await fetch(video.json.videoUrl as string)).arrayBuffer());
	expect(made.subarray(4, 8).toString('latin1')).toBe('ftyp');
	expect(stored?.length).toBe(made.length);
	expect(stored?.equals(made)).toBe(true);
	expect(createBodies(await world.emulator.requests())).toHaveLength(1);
});

describe('in the running n8n', () => {
	let session: RestSession;
	let nodeTypes: INodeTypeDescription[];

	beforeAll(async () => {
		await world.n8n.start();
		session = await world.n8n.setupOwner();
		nodeTypes = await session.getFile<INodeTypeDescription[]>('/types/nodes.json');
	}, 300_000);

	const versionsOf = (type: string) =>
		nodeTypes.filter((description) => description.name === type).flatMap((description) => [description.version].flat());

	test('08 and 09 (Google) are stored as imported', async () => {
		for (const example of GOOGLE_EXAMPLES) {
			const stored = await session.request<Workflow>('GET', `/rest/workflows/${example.id}`);
			expect(stored.nodes.map(({ name, type, typeVersion }) => ({ name, type, typeVersion }))).toEqual(
				example.nodes.map(({ name, type, typeVersion }) => ({ name, type, typeVersion })),
			);
		}
	});

	test('every node type and version of every example exists in this n8n (1.x: all but the newer form, file and agent versions)', () => {
		const missing = examples.flatMap(({ file, workflow }) =>
			workflow.nodes.filter((node) => !versionsOf(node.type).includes(node.typeVersion)).map((node) => `${file}: ${node.type} v${node.typeVersion}`),
		);
		expect([...new Set(missing.map((entry) => entry.split(': ')[1]))].sort()).toEqual(N8N_VERSION.startsWith('1.') ? NEWER_THAN_1X : []);
		// The storage nodes (S3, Google Sheets, Drive, YouTube) and LTX Video: versions both lines have.
		expect(missing.filter((entry) => /\.(s3|googleSheets|googleDrive|youTube|ltxVideo) v/.test(entry))).toEqual([]);
	});

	test('every LTX Video node of every example is complete and uses only parameters the node has', () => {
		const description = nodeTypes.find((candidate) => candidate.name === NODE_TYPE)!;
		const optionNames = new Set(
			description.properties.filter((property) => property.name === 'options').flatMap((property) => (property.options ?? []).map((option) => (option as { name: string }).name)),
		);
		for (const { file, workflow } of examples) {
			for (const node of workflow.nodes.filter((candidate) => candidate.type === NODE_TYPE)) {
				const asNode = { ...node, parameters: node.parameters as INodeParameters } as INode;
				// As n8n's Workflow fills a node in: defaults added, values of hidden fields dropped.
				const filled = NodeHelpers.getNodeParameters(description.properties, asNode.parameters, true, false, asNode, description) ?? {};
				const issues = NodeHelpers.getNodeParametersIssues(description.properties, { ...asNode, parameters: filled }, description);
				expect({ file, node: node.name, issues: issues?.parameters ?? {} }).toEqual({ file, node: node.name, issues: {} });
				expect({ file, node: node.name, unknown: Object.keys(node.parameters).filter((name) => !(name in filled)) }).toEqual({ file, node: node.name, unknown: [] });
				const options = Object.keys((node.parameters.options ?? {}) as object).filter((name) => !optionNames.has(name));
				expect({ file, node: node.name, unknownOptions: options }).toEqual({ file, node: node.name, unknownOptions: [] });
			}
		}
	});
});

