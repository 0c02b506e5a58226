/**
 * The red "required" marks against n8n's own pre-run check (NodeHelpers.getNodeParametersIssues on the
 * parameters as n8n's Workflow fills them in): a run is never refused for a field the evaluated values do
 * not use, whichever parameters hold expressions. Prompt and Generation ID (shown under the literal
 * Operation) carry the mark; the Start/End Frame fields (shown under a source that may be an expression)
 * do not, and the node asks for them when it runs.
 */
import type { INode, INodeParameters, INodeProperties } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { LtxVideo } from '../../nodes/LtxVideo/LtxVideo.node';

const description = new LtxVideo().description;
const node = (parameters: INodeParameters): INode => ({
	id: 'ltx',
	name: 'LTX Video',
	type: 'n8n-nodes-leonardo-ltx.ltxVideo',
	typeVersion: 1,
	position: [0, 0],
	parameters,
});
/** As n8n's Workflow constructor does it: defaults filled, hidden values dropped. */
const filled = (parameters: INodeParameters) =>
	NodeHelpers.getNodeParameters(description.properties, parameters, true, false, node(parameters), description) ?? {};
const issues = (parameters: INodeParameters) => {
	const values = filled(parameters);
	return Object.keys(NodeHelpers.getNodeParametersIssues(description.properties, node(values), description)?.parameters ?? {}).sort();
};
const shown = (parameters: INodeParameters): INodeProperties[] => {
	const values = filled(parameters);
	return description.properties.filter((property) => NodeHelpers.displayParameter(values, property, node(values), description));
};
const shownNames = (parameters: INodeParameters) => shown(parameters).map((property) => property.name);

/** Every text field a user can leave empty, empty (as a saved workflow holds them). */
const EMPTY = { prompt: '', generationId: '', startFrameImageId: '', endFrameImageId: '', startFrameBinaryProperty: '', endFrameBinaryProperty: '', startFrameUrl: '', endFrameUrl: '' };
const OPERATIONS = ['generate', 'get', 'getAll', 'delete'];
const SOURCES = ['none', 'binary', 'imageId', 'url'];
const EXPRESSION = '={{ $json.anything }}';
const FRAME_FIELDS = ['startFrameBinaryProperty', 'startFrameImageId', 'startFrameUrl', 'endFrameBinaryProperty', 'endFrameImageId', 'endFrameUrl'];

describe('literal values: n8n asks for Prompt and Generation ID, and shows the chosen frame fields', () => {
	test.each(OPERATIONS.flatMap((operation) => SOURCES.flatMap((startFrame) => SOURCES.map((endFrame) => [operation, startFrame, endFrame]))))(
		'%s, start %s, end %s',
		(operation, startFrame, endFrame) => {
			const expected: string[] = [];
			const frameFields: string[] = [];
			if (operation === 'generate') {
				expected.push('prompt');
				if (startFrame === 'binary') frameFields.push('startFrameBinaryProperty');
				if (startFrame === 'imageId') frameFields.push('startFrameImageId');
				if (startFrame === 'url') frameFields.push('startFrameUrl');
				if (startFrame !== 'none' && endFrame === 'binary') frameFields.push('endFrameBinaryProperty');
				if (startFrame !== 'none' && endFrame === 'imageId') frameFields.push('endFrameImageId');
				if (startFrame !== 'none' && endFrame === 'url') frameFields.push('endFrameUrl');
			} else if (operation !== 'getAll') {
				expected.push('generationId');
			}
			expect(issues({ resource: 'video', operation, startFrame, endFrame, ...EMPTY })).toEqual(expected.sort());
			const fields = shown({ resource: 'video', operation, startFrame, endFrame });
			expect(fields.filter((property) => property.required).map((property) => property.name).sort()).toEqual(expected.sort());
			const frameFieldsShown = fields.map((property) => property.name).filter((name) => FRAME_FIELDS.includes(name));
			expect(frameFieldsShown.sort()).toEqual(frameFields.sort());
		},
	);
});

describe('any parameter an expression: n8n refuses nothing the node checks itself', () => {
	const cases: Array<[string, INodeParameters]> = [
		['start frame', { operation: 'generate', startFrame: EXPRESSION }],
		['end frame', { operation: 'generate', startFrame: 'binary', endFrame: EXPRESSION }],
		['start and end frame', { operation: 'generate', startFrame: EXPRESSION, endFrame: EXPRESSION }],
		['model', { operation: 'generate', model: EXPRESSION }],
		['wait for completion', { operation: 'generate', waitForCompletion: EXPRESSION }],
	];
	test.each(cases)('%s', (_name, parameters) => {
		// What a literal shows as required the user fills (Prompt of a literal Generate, the binary field of a
		// literal binary start frame). Everything else stays empty.
		const filledIn = {
			...(parameters.operation === 'generate' ? { prompt: 'A paper boat' } : {}),
			...(parameters.startFrame === 'binary' ? { startFrameBinaryProperty: 'data' } : {}),
		};
		expect(issues({ resource: 'video', ...parameters, ...EMPTY, ...filledIn })).toEqual([]);
	});

	test('each frame field still appears once, without the red mark, so the user can fill it', () => {
		const names = shownNames({ resource: 'video', operation: 'generate', startFrame: EXPRESSION, endFrame: EXPRESSION });
		for (const name of ['startFrameBinaryProperty', 'startFrameImageId', 'startFrameUrl', 'endFrameBinaryProperty', 'endFrameImageId', 'endFrameUrl', 'prompt']) {
			expect(names.filter((shownName) => shownName === name)).toHaveLength(1);
		}
		expect(shown({ resource: 'video', operation: 'generate', startFrame: EXPRESSION, endFrame: EXPRESSION }).filter((property) => FRAME_FIELDS.includes(property.name) && property.required)).toEqual([]);
	});
});

describe('every mix of literals and expressions: each field the values may use is there exactly once', () => {
	const FRAMES = [...SOURCES, EXPRESSION];
	const may = (value: string, wanted: string[]) => value === EXPRESSION || wanted.includes(value);
	const combos = OPERATIONS.flatMap((operation) => FRAMES.flatMap((startFrame) => FRAMES.map((endFrame) => [operation, startFrame, endFrame])));
	test.each(combos)('operation %s, start %s, end %s', (operation, startFrame, endFrame) => {
		const names = shownNames({ resource: 'video', operation, startFrame, endFrame });
		const count = (name: string) => names.filter((shownName) => shownName === name).length;
		const generate = may(operation, ['generate']);
		const framed = generate && may(startFrame, ['binary', 'imageId', 'url']);
		const expected: Record<string, boolean> = {
			prompt: generate,
			startFrameBinaryProperty: generate && may(startFrame, ['binary']),
			startFrameImageId: generate && may(startFrame, ['imageId']),
			endFrameBinaryProperty: framed && may(endFrame, ['binary']),
			endFrameImageId: framed && may(endFrame, ['imageId']),
			startFrameUrl: generate && may(startFrame, ['url']),
			endFrameUrl: framed && may(endFrame, ['url']),
		};
		for (const [name, available] of Object.entries(expected)) expect([name, count(name)]).toEqual([name, available ? 1 : 0]);
		expect(count('generationId')).toBe(may(operation, ['get', 'delete']) ? 1 : 0);
	});
});

describe('fields that follow other fields', () => {
	const durationFields = (parameters: INodeParameters) => shown({ resource: 'video', operation: 'generate', ...parameters }).filter((p) => p.name === 'duration');

	test('a literal model shows only its own Duration list', () => {
		for (const [model, seconds] of [['ltxv-2.3-pro', [6, 8, 10]], ['ltxv-2.3-fast', [6, 8, 10, 12, 14, 16, 18, 20]]] as const) {
			const fields = durationFields({ model });
			expect(fields).toHaveLength(1);
			expect(fields[0].options!.map((option) => (option as { value: number }).value)).toEqual(seconds);
		}
	});

	test('a model from an expression shows one Duration list: every length, checked per model when the node runs', () => {
		const fields = durationFields({ model: EXPRESSION });
		expect(fields.map((field) => field.options!.map((option) => (option as { value: number }).value))).toEqual([[6, 8, 10, 12, 14, 16, 18, 20]]);
	});

	test('Aspect Ratio: "source" is offered with a start frame, and while Start Frame is an expression', () => {
		const aspectValues = (startFrame: string) =>
			shown({ resource: 'video', operation: 'generate', startFrame })
				.filter((property) => property.name === 'aspectRatio')
				.map((property) => property.options!.map((option) => (option as { value: string }).value));
		expect(aspectValues('none')).toEqual([['16:9', '9:16']]);
		expect(aspectValues('binary')).toEqual([['16:9', '9:16', 'source']]);
		expect(aspectValues(EXPRESSION)).toEqual([['16:9', '9:16', 'source']]);
	});

	test('end frame fields are hidden until a start frame is chosen', () => {
		for (const name of ['endFrame', 'endFrameBinaryProperty', 'endFrameImageId', 'endFrameImageType', 'endFrameUrl']) {
			expect(shownNames({ resource: 'video', operation: 'generate', startFrame: 'none', endFrame: 'binary' })).not.toContain(name);
		}
		expect(shownNames({ resource: 'video', operation: 'generate', startFrame: 'imageId', endFrame: 'imageId' })).toEqual(
			expect.arrayContaining(['endFrame', 'endFrameImageId', 'endFrameImageType']),
		);
	});
});
