import { LtxVideo } from '../../nodes/LtxVideo/LtxVideo.node';
import { ASPECT_RATIOS, MODELS, RESOLUTIONS } from '../../nodes/shared/capabilities';

/** The panel must offer exactly what the capability table allows (one source of truth). */
describe('capability table drives the panel', () => {
	const properties = new LtxVideo().description.properties;
	const named = (name: string) => properties.filter((property) => property.name === name);

	test('models: Pro 6/8/10 s and Fast 6–20 s in 2 s steps, default 8', () => {
		expect(MODELS['ltxv-2.3-pro'].durations).toEqual([6, 8, 10]);
		expect(MODELS['ltxv-2.3-fast'].durations).toEqual([6, 8, 10, 12, 14, 16, 18, 20]);
		expect(MODELS['ltxv-2.3-pro'].defaultDuration).toBe(8);
		expect(MODELS['ltxv-2.3-fast'].defaultDuration).toBe(8);
	});

	const durationValues = (property: (typeof properties)[number]) => property.options!.map((option) => (option as { value: number }).value);
	const durationHiddenFor = (model: unknown) => named('duration').find((property) => JSON.stringify(property.displayOptions?.hide?.model) === JSON.stringify(model));

	test('a model that cannot make every length (Pro) has its own Duration list, shown only for that model', () => {
		// Shown only while Model is this literal slug (hidden for the other model and for an expression).
		const pro = durationHiddenFor([{ _cnd: { not: 'ltxv-2.3-pro' } }]);
		expect(durationValues(pro!)).toEqual(MODELS['ltxv-2.3-pro'].durations);
		expect(pro!.default).toBe(MODELS['ltxv-2.3-pro'].defaultDuration);
	});

	test('otherwise (Fast, or Model as an expression) the Duration list of every length applies: two fields in all', () => {
		const every = durationHiddenFor(['ltxv-2.3-pro']);
		expect(durationValues(every!)).toEqual(MODELS['ltxv-2.3-fast'].durations);
		expect(every!.default).toBe(MODELS['ltxv-2.3-fast'].defaultDuration);
		expect(named('duration')).toHaveLength(2);
	});

	test('the canvas subtitle is a sentence for every operation and model (the browser test sees it in n8n)', () => {
		const { subtitle } = new LtxVideo().description;
		// The expression is plain JavaScript between {{ and }}; evaluated here for each parameter set.
		const body = /^=\{\{(.*)\}\}$/s.exec(subtitle ?? '')![1];
		const subtitleFor = (parameter: Record<string, string>) => new Function('$parameter', `return (${body});`)(parameter) as string;
		for (const model of Object.values(MODELS)) {
			expect(subtitleFor({ operation: 'generate', model: model.slug })).toBe(`Generate a video with ${model.displayName}`);
		}
		expect(subtitleFor({ operation: 'generate', model: '={{ $json.model }}' })).toBe('Generate a video with LTX 2.3');
		const operation = properties.find((property) => property.name === 'operation')!;
		for (const option of operation.options as Array<{ value: string; action: string }>) {
			if (option.value !== 'generate') expect(subtitleFor({ operation: option.value })).toBe(option.action);
		}
	});

	test('aspect "source" is offered only with a start frame', () => {
		const [withoutFrame, withFrame] = named('aspectRatio');
		const values = (property: typeof withoutFrame) => property.options!.map((option) => (option as { value: string }).value);
		expect(withoutFrame.displayOptions?.hide?.startFrame).toEqual([{ _cnd: { not: 'none' } }]);
		expect(values(withoutFrame)).toEqual(['16:9', '9:16']);
		expect(withFrame.displayOptions?.hide?.startFrame).toEqual(['none']);
		expect(values(withFrame)).toEqual(['16:9', '9:16', 'source']);
	});

	// Which frame fields n8n shows for each Start/End Frame value (and expression): test/unit/required-fields.test.ts.
	test('end frame fields are hidden until a start frame is chosen', () => {
		expect(named('endFrame')[0].displayOptions?.show?.startFrame).toEqual(['binary', 'imageId', 'url']);
		expect(named('endFrameImageType')[0].displayOptions?.hide?.startFrame).toEqual(['none']);
	});

	test('resolution options come from the table with documented pixel sizes', () => {
		const [resolution] = named('resolution');
		expect(resolution.options!.map((option) => (option as { value: string }).value)).toEqual(Object.keys(RESOLUTIONS));
		expect(ASPECT_RATIOS['16:9'].size('RESOLUTION_1080')).toEqual({ width: 1920, height: 1080 });
		expect(ASPECT_RATIOS['9:16'].size('RESOLUTION_1080')).toEqual({ width: 1080, height: 1920 });
		expect(ASPECT_RATIOS['16:9'].size('RESOLUTION_1440')).toEqual({ width: 2560, height: 1440 });
		expect(ASPECT_RATIOS['9:16'].size('RESOLUTION_2160')).toEqual({ width: 2160, height: 3840 });
		expect(ASPECT_RATIOS.source.size('RESOLUTION_2160')).toEqual({ width: 0, height: 0 });
	});

	test('contract defaults', () => {
		const defaults = Object.fromEntries(
			['resource', 'model', 'resolution', 'generateAudio', 'promptEnhance', 'startFrame', 'waitForCompletion'].map((name) => [name, named(name)[0].default]),
		);
		expect(defaults).toEqual({
			resource: 'video',
			model: 'ltxv-2.3-pro',
			resolution: 'RESOLUTION_1080',
			generateAudio: true,
			promptEnhance: 'AUTO',
			startFrame: 'none',
			waitForCompletion: true,
		});
		expect(named('endFrameBinaryProperty')[0].default).toBe('endFrame');
		expect(named('startFrameBinaryProperty')[0].default).toBe('data');
		expect(named('startFrameImageType')[0].default).toBe('GENERATED');
	});
});
