/**
 * The validation-only part: requests built so that nothing can be created. Every parameter probe
 * carries an anchor, a start frame that points at an init image that was never uploaded (a fresh
 * random UUID): no video can be made from it, so the answer is a refusal either way, and what the
 * refusal names tells whether the probed rule passed. The anchor alone goes first (the canary);
 * if anything is ever answered 2xx, the probe deletes what was created and sends no further probe.
 */
import { randomUUID } from 'node:crypto';

import type { ApiClient, Answer, RedactText } from './http.ts';
import { namesField, readErrorBody, type ErrorReading } from './errors.ts';
import { type ProbeContext, VALIDATION_PROBES } from './validation-probes.ts';

export type Verdict =
	/** The refusal names the probed field or rule. */
	| 'refused'
	/** Refused for the anchor only: the probed rule passed. */
	| 'passed'
	/** Refused, but the answer cannot tell (see `validatorNamesUnknownKeys`). */
	| 'inconclusive'
	/**
	 * A combination of valid values (prompt_enhance with a frame, a size at a tier, a length at a tier)
	 * that was not refused next to the anchor. Weaker than "passed": a rule checked only once the
	 * frame is known to exist would not show here; only a refusal is conclusive for these.
	 */
	| 'not-refused'
	/** 2xx: something was created (then deleted at once). */
	| 'created'
	| 'no-answer'
	| 'other-status';

export interface ValidationResult {
	id: string;
	purpose: string;
	field: string;
	status: number;
	verdict: Verdict;
	reading: ErrorReading;
	namesField: boolean;
	namesAnchor: boolean;
	/** The answer as received (redacted later with everything else). */
	body: unknown;
	/** What the node's own error parser (nodes/shared/errors.ts) makes of the answer, for a refusal naming a field. */
	nodeParser?: NodeParserReading;
	deleted?: { generationId?: string; status: number };
}

export interface NodeParserReading {
	/** What the node's parser reads from the whole answer (it reads the first issue only). */
	message?: string;
	code?: string;
	field?: string;
	findsField: boolean;
	/** Whether it finds the field in the issue that names it, taken alone in the same shape. */
	findsFieldInItsIssue: boolean;
	issues: number;
}

/**
 * The node's own errors module (nodes/shared/errors.ts): its parser is checked against real answers, and
 * its redaction is the probe's. The CLI loads it from dist/ (the probe runs with Node's type stripping,
 * which cannot load the TypeScript source: InvalidInputError has a constructor parameter property).
 */
export interface NodeErrorParser {
	parseApiErrorBody(body: unknown): { message: string; code?: string; field?: string } | undefined;
	validationErrorNames(parsed: { message: string; code?: string; field?: string } | undefined, field: string): boolean;
	redactSecrets: RedactText;
}

function mentionsAnchor(reading: ErrorReading, context: ProbeContext): boolean {
	return (
		namesField(reading, 'start_frame') ||
		namesField(reading, 'guidances') ||
		reading.messages.some((message) => message.includes(context.anchorId) || /init.?image|image id/i.test(message))
	);
}

function judge(answer: Answer, names: { field: boolean; anchor: boolean }): Verdict {
	if (answer.status === 0) return 'no-answer';
	if (answer.status >= 200 && answer.status < 300) return 'created';
	if (answer.status !== 400 && answer.status !== 422) return 'other-status';
	if (names.field) return 'refused';
	return names.anchor ? 'passed' : 'inconclusive';
}

export interface ValidationRun {
	anchorId: string;
	results: ValidationResult[];
	/** Whether an unknown key was named in its refusal: only then does "refused for the anchor only" mean "passed" for a key. */
	validatorNamesUnknownKeys?: boolean;
	/** The same for a bad value (the value control). */
	validatorNamesBadValues?: boolean;
	/** Why the run stopped early, if it did. */
	stoppedBecause?: string;
}

/** Sends the probes in order; stops at the first sign that a request was not refused. */
export async function runValidationProbes(
	client: ApiClient,
	nodeParser: NodeErrorParser | undefined,
	say: (line: string) => void,
): Promise<ValidationRun> {
	const context: ProbeContext = { anchorId: randomUUID() };
	const run: ValidationRun = { anchorId: context.anchorId, results: [] };
	for (const probe of VALIDATION_PROBES) {
		const answer = await client.call('POST', '/v2/generations', probe.body(context));
		const reading = readErrorBody(answer.body);
		const names = {
			field: namesField(reading, probe.field) || reading.messages.some((message) => probe.refusedMessage?.test(message) ?? false),
			anchor: mentionsAnchor(reading, context),
		};
		const result: ValidationResult = {
			id: probe.id,
			purpose: probe.purpose,
			field: probe.field,
			status: answer.status,
			verdict: judge(answer, names),
			reading,
			namesField: names.field,
			namesAnchor: names.anchor,
			body: answer.body ?? answer.networkError,
		};
		// A rule read from the message only (refusedMessage) names no parameter the node could look for.
		if (nodeParser && answer.status >= 400 && !probe.refusedMessage) result.nodeParser = nodeParserReading(nodeParser, answer.body, probe.field);
		run.results.push(result);
		say(`  ${probe.id.padEnd(28)} HTTP ${answer.status || '---'}  ${result.verdict}`);
		if (result.verdict === 'created') {
			result.deleted = await deleteCreated(client, answer.body);
			run.stoppedBecause = `${probe.id} was answered ${answer.status}: something was created (deleted at once: HTTP ${result.deleted.status}; it may still be billed); no further probe was sent`;
			break;
		}
		if (answer.status === 401 || answer.status === 429 || answer.status === 0 || answer.status >= 500) {
			run.stoppedBecause = `${probe.id} was answered ${answer.status || answer.networkError}: stopped so nothing uncertain is sent again`;
			break;
		}
		if (probe.id === 'anchor' && result.verdict !== 'passed' && result.verdict !== 'refused') {
			run.stoppedBecause = 'the anchor alone was not refused as expected: no parameter probe was sent';
			break;
		}
	}
	const controlRefused = (kind: 'key' | 'value') => {
		const control = VALIDATION_PROBES.find((probe) => probe.control && probe.kind === kind);
		const result = run.results.find((entry) => entry.id === control?.id);
		return result === undefined ? undefined : result.verdict === 'refused';
	};
	run.validatorNamesUnknownKeys = controlRefused('key');
	run.validatorNamesBadValues = controlRefused('value');
	for (const result of run.results) {
		const kind = VALIDATION_PROBES.find((probe) => probe.id === result.id)?.kind;
		if (result.verdict !== 'passed' || kind === undefined) continue;
		const trusted = kind === 'key' ? run.validatorNamesUnknownKeys : run.validatorNamesBadValues;
		if (trusted === false) result.verdict = 'inconclusive';
		else if (kind === 'combination') result.verdict = 'not-refused';
	}
	return run;
}

/** The issues of a list-shaped answer, each re-wrapped alone in the answer's own shape. */
function singleIssueBodies(body: unknown): unknown[] {
	if (Array.isArray(body)) return body.map((issue) => [issue]);
	for (const key of ['errors', 'details'] as const) {
		const list = (body as Record<string, unknown> | undefined)?.[key];
		if (Array.isArray(list)) return list.map((issue) => ({ ...(body as object), [key]: [issue] }));
	}
	return [body];
}

function nodeParserReading(parser: NodeErrorParser, body: unknown, field: string): NodeParserReading {
	const parsed = parser.parseApiErrorBody(body);
	const issues = singleIssueBodies(body);
	const naming = issues.filter((issue) => namesField(readErrorBody(issue), field));
	return {
		message: parsed?.message,
		code: parsed?.code,
		field: parsed?.field,
		findsField: parser.validationErrorNames(parsed, field),
		findsFieldInItsIssue: naming.length > 0 && naming.some((issue) => parser.validationErrorNames(parser.parseApiErrorBody(issue), field)),
		issues: issues.length,
	};
}

async function deleteCreated(client: ApiClient, body: unknown): Promise<{ generationId?: string; status: number }> {
	const generate = (body as { generate?: { generationId?: unknown } } | undefined)?.generate;
	const id = generate?.generationId ?? (body as { generationId?: unknown } | undefined)?.generationId;
	if (typeof id !== 'string') return { status: 0 };
	const answer = await client.call('DELETE', `/v1/generations/${encodeURIComponent(id)}`);
	return { generationId: id, status: answer.status };
}
