/**
 * The benchmark's workflows: Manual Trigger → a Set node with the prompts → Split Out (one item per
 * prompt) → [Read/Write Files: the start frame image, once per item] → LTX Video Generate. Only core
 * n8n nodes besides ours, and no Code node, so nothing but the node under test does work per item.
 */
import { NODE_TYPE } from '../test/e2e/project.ts';

export const LTX_NODE_NAME = 'LTX Video';

export interface BenchCredential {
	id: string;
	name: string;
}

export interface BenchWorkflow {
	id: string;
	name: string;
	[key: string]: unknown;
}

const node = (index: number, name: string, type: string, typeVersion: number, parameters: object, extra: object = {}) => ({
	id: `b3c4e5f6-0000-4000-8000-${String(index).padStart(12, '0')}`,
	name,
	type,
	typeVersion,
	position: [index * 220, 0],
	parameters,
	...extra,
});

const link = (to: string) => ({ main: [[{ node: to, type: 'main', index: 0 }]] });

export interface GenerateWorkflowExtras {
	/**
	 * An image file read by a Read/Write Files node for every item, so each item carries its own copy of
	 * the same bytes in the binary field `data`: the LTX node's Start Frame (source Binary).
	 */
	startFrameFile?: string;
	/** One Start Frame link per prompt (source URL), carried by the item as `photo`. */
	startFrameUrls?: string[];
}

/** `options` is the LTX node's Options collection, e.g. `{ maxConcurrency: 20 }` (`{}` = defaults). */
export function generateWorkflow(
	id: string,
	prompts: string[],
	options: Record<string, unknown>,
	credential: BenchCredential,
	{ startFrameFile, startFrameUrls }: GenerateWorkflowExtras = {},
): BenchWorkflow {
	const frameNode = 'Read start frame';
	return {
		id,
		name: `LTX bench ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		tags: [],
		nodes: [
			node(0, 'Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			node(1, 'Prompts', 'n8n-nodes-base.set', 3.4, {
				mode: 'raw',
				jsonOutput: JSON.stringify({ prompts: prompts.map((prompt, index) => ({ prompt, ...(startFrameUrls ? { photo: startFrameUrls[index] } : {}) })) }),
				options: {},
			}),
			node(2, 'One item per prompt', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'prompts', options: {} }),
			...(startFrameFile ? [node(3, frameNode, 'n8n-nodes-base.readWriteFile', 1.1, { fileSelector: startFrameFile, options: {} })] : []),
			node(
				4,
				LTX_NODE_NAME,
				NODE_TYPE,
				1,
				{
					resource: 'video',
					operation: 'generate',
					model: 'ltxv-2.3-fast',
					// The file reader's items hold the file's metadata, not the prompt: taken from the paired item.
					prompt: startFrameFile ? "={{ $('One item per prompt').item.json.prompt }}" : '={{ $json.prompt }}',
					duration: 6,
					...(startFrameFile ? { startFrame: 'binary', startFrameBinaryProperty: 'data' } : {}),
					...(startFrameUrls ? { startFrame: 'url', startFrameUrl: '={{ $json.photo }}' } : {}),
					options,
				},
				{ credentials: { leonardoAiApi: credential } },
			),
		],
		connections: {
			Start: link('Prompts'),
			Prompts: link('One item per prompt'),
			'One item per prompt': link(startFrameFile ? frameNode : LTX_NODE_NAME),
			...(startFrameFile ? { [frameNode]: link(LTX_NODE_NAME) } : {}),
		},
	};
}
