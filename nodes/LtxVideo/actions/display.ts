/**
 * Display rules that hold when parameters are expressions (n8n's NodeHelpers, checked in
 * test/unit/required-fields.test.ts):
 * - n8n shows a field whenever a parameter in its `displayOptions.show` holds an expression (it cannot
 *   evaluate it there; it stops reading `show` at the first one), and before a run it refuses every shown,
 *   `required`, empty field. A required field under an expression-driven parameter would block runs that
 *   never use it.
 * - For a `noDataExpression` parameter (Resource, Operation) n8n strips the leading "=" of a saved
 *   expression: the field then holds the expression's text, e.g. "{{ $json.op }}", and every field shown
 *   only for a literal operation would be dropped before the node runs. The router evaluates that text.
 */
import type { DisplayCondition, IDisplayOptions, INodeProperties, NodeParameterValue } from 'n8n-workflow';

type Rule = Array<NodeParameterValue | DisplayCondition>;

// `regex`, not `startsWith`/`includes`: n8n-workflow 1.x (n8n 1.123) calls those string methods on any
// value, so an unset or numeric parameter throws "Cannot read properties of undefined (reading
// 'startsWith')" before every run; its `regex` checks for a string first, as 2.x does for all three.
const IS_EXPRESSION: DisplayCondition = { _cnd: { regex: '^=' } };
/** What n8n leaves of an expression in a `noDataExpression` parameter. */
export const EXPRESSION_TEXT: DisplayCondition = { _cnd: { regex: '\\{\\{' } };

/** Whether a Resource/Operation value is the text n8n left of an expression. */
export const isExpressionText = (value: unknown): value is string => typeof value === 'string' && value.includes('{{');

/** Shown for this operation, and while Resource or Operation is an expression. */
export const operationDisplay = (operation: string): IDisplayOptions => ({
	show: { resource: ['video', EXPRESSION_TEXT], operation: [operation, EXPRESSION_TEXT] },
});

const isCondition = (entry: unknown): entry is DisplayCondition => typeof entry === 'object' && entry !== null;
const literalsOf = (rule: Rule) => rule.filter((entry) => !isCondition(entry));
const allowsExpressionText = (rule: Rule) => rule.some((entry) => JSON.stringify(entry) === JSON.stringify(EXPRESSION_TEXT));

/** Every literal value a parameter can take, read from the fields of that name. */
function literalValues(properties: INodeProperties[], name: string): NodeParameterValue[] {
	const values = new Set<NodeParameterValue>();
	for (const property of properties.filter((candidate) => candidate.name === name)) {
		if (property.type === 'boolean') [true, false].forEach((value) => values.add(value));
		for (const option of property.options ?? []) {
			if ('value' in option) values.add(option.value as NodeParameterValue);
		}
	}
	if (!values.size) throw new Error(`requiredOnlyWhenLiteral: "${name}" is not an options or boolean field`);
	return [...values];
}

/**
 * One required field becomes fields of one name that n8n never shows together:
 * - the required one, shown only while every parameter it depends on holds a literal value that shows it
 *   (hide rules only, which an expression cannot short-circuit): the red mark stays there;
 * - an optional twin shown while one of those parameters is an expression (its show rules, hidden again
 *   when all of them are literal matches);
 * - for each parameter whose expression n8n turns into text, a twin for "this one is such a text"
 *   (the earlier ones literal), so the value survives and the node's run-time check guards it.
 */
function splitRequired(field: INodeProperties, properties: INodeProperties[]): INodeProperties[] {
	const show = (field.displayOptions?.show ?? {}) as Record<string, Rule>;
	// Keys that may hold expression text go first: n8n stops at the first expression, so they must be read before it.
	const keys = Object.keys(show).sort((a, b) => Number(allowsExpressionText(show[b])) - Number(allowsExpressionText(show[a])));
	if (!keys.length || field.displayOptions?.hide) throw new Error(`requiredOnlyWhenLiteral: "${field.name}" needs show rules only`);

	const requiredHide: Record<string, Rule> = {};
	for (const key of keys) {
		const shown = literalsOf(show[key]);
		requiredHide[key] = [IS_EXPRESSION, EXPRESSION_TEXT, ...literalValues(properties, key).filter((value) => !shown.includes(value))];
	}
	const literalShow = Object.fromEntries(keys.map((key) => [key, literalsOf(show[key])]));
	const textKeys = keys.filter((key) => allowsExpressionText(show[key]));

	const optional: INodeProperties = { ...field };
	delete optional.required;
	return [
		{ ...field, displayOptions: { hide: requiredHide } },
		{ ...optional, displayOptions: { show: literalShow, hide: literalShow } },
		...textKeys.map((textKey, position) => ({
			...optional,
			displayOptions: {
				show: Object.fromEntries(
					keys.map((key) => [key, key === textKey ? [EXPRESSION_TEXT] : textKeys.slice(0, position).includes(key) ? literalShow[key] : show[key]]),
				),
			},
		})),
	];
}

/** Applies the split to every `required` field of a node's property list (the list itself names the values). */
export function requiredOnlyWhenLiteral(properties: INodeProperties[]): INodeProperties[] {
	return properties.flatMap((property) => (property.required ? splitRequired(property, properties) : [property]));
}
