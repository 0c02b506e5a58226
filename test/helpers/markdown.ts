/** Reading the project's Markdown as GitHub renders it: heading anchors, links, sections and tables. */

/** GitHub's anchor for a Markdown heading (before the `-1`, `-2` it appends to repeats). */
export const githubAnchor = (heading: string) =>
	heading
		.trim()
		.toLowerCase()
		.replace(/[^\w\- ]/g, '')
		.replace(/ /g, '-');

/** The text outside fenced code blocks, line for line (code lines become empty). */
function withoutCodeBlocks(markdown: string): string[] {
	let fenced = false;
	return markdown.split('\n').map((line) => {
		if (/^\s*```/.test(line)) {
			fenced = !fenced;
			return '';
		}
		return fenced ? '' : line;
	});
}

/** Every anchor a document's headings get on GitHub, repeats numbered as GitHub numbers them. */
export function headingAnchors(markdown: string): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	for (const line of withoutCodeBlocks(markdown)) {
		const heading = /^#{1,6} (.+)$/.exec(line);
		if (!heading) continue;
		const anchor = githubAnchor(heading[1]);
		const count = seen.get(anchor) ?? 0;
		seen.set(anchor, count + 1);
		anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
	}
	return anchors;
}

/** The targets of the inline links and images `[text](target)` outside code blocks and code spans. */
export function linkTargets(markdown: string): string[] {
	return withoutCodeBlocks(markdown).flatMap((line) =>
		[...line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^()\s]+)\)/g)].map((match) => match[1]),
	);
}

/** The section under `heading` (a whole heading line), up to the next heading of the same or a higher level. */
export function section(markdown: string, heading: string): string {
	const start = markdown.indexOf(`\n${heading}\n`);
	if (start < 0) throw new Error(`no heading "${heading}"`);
	const level = /^#+/.exec(heading)![0].length;
	const rest = markdown.slice(start + heading.length + 2);
	const next = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
	return next < 0 ? rest : rest.slice(0, next);
}

/** The body rows of the first Markdown table in `text`, as cells (`\|` inside a cell is a literal `|`). */
export function tableRows(text: string): string[][] {
	const lines = text.split('\n');
	const first = lines.findIndex((line) => line.startsWith('|'));
	if (first < 0) return [];
	const end = lines.findIndex((line, index) => index > first && !line.startsWith('|'));
	return lines
		.slice(first + 2, end < 0 ? undefined : end)
		.map((line) => line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|')));
}
