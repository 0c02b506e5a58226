/**
 * A start/end frame downloaded from an http(s) link before anything is sent to Leonardo. The link is
 * fetched with n8n's plain request helper: no credential goes there, and n8n's SSRF protection
 * (N8N_SSRF_PROTECTION_ENABLED) applies to it as to n8n's own nodes. On top of that the node itself
 * refuses links to the user's own network (privateAddresses.ts), at every redirect hop, unless the user
 * allows them (Options → Allow Private Links).
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { UploadImageExtension } from '../../shared/capabilities';
import { InvalidInputError, quoteSafely } from '../../shared/errors';
import { backoffMs, pause, throwIfCancelled } from '../../shared/pacing';
import { type CheckedFrame, FRAME_MAX_BYTES, FRAME_MAX_MIB, type FrameImage, labelOf, type ReadBytes, readBytes, SMALLER_IMAGE } from './frameBytes';
import { detectImageFormat } from '../../shared/fileTypes';
import { privateHostKind } from './privateAddresses';

/** The whole download of one frame link, connection to last byte. */
export const FRAME_URL_TIMEOUT_SECONDS = 30;
const FRAME_URL_ATTEMPTS = 3;
/** Redirects followed (by the node itself, so that every hop's host is checked). */
const FRAME_URL_MAX_REDIRECTS = 5;

/** A link as errors show it: the query (often a signature or token) is left out. */
export function linkForHumans(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
	} catch {
		return url.slice(0, 100);
	}
}

/** What n8n's request helper hands back for `encoding: 'stream'` (typed loosely: no node:stream import). */
interface StreamResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: AsyncIterable<Buffer> & { destroy(): void };
}

/** A failure worth another attempt (connection, 5xx, 429), with its wording for the final error. */
class TransientFrameError extends Error {
	constructor(
		message: string,
		readonly detail = '',
	) {
		super(message);
	}
}

type RequestFailure = Error & { code?: unknown; description?: unknown; cause?: unknown };

/** The errors along `cause` (n8n may wrap the request library's error). */
function causes(error: unknown): RequestFailure[] {
	const chain: RequestFailure[] = [];
	for (let current = error; current instanceof Error && chain.length < 5; current = (current as RequestFailure).cause) chain.push(current);
	return chain;
}

/** n8n's SSRF protection refused the address (@n8n/backend-network: SsrfBlockedIpError, SsrfBlockedHostnameError). */
const ssrfRefusal = (error: unknown) => causes(error).find((cause) => /^SsrfBlocked/.test(cause.name) || /request was blocked because/i.test(cause.message));

/**
 * Why no answer came, in words. Not the library's text: n8n rewrites any error message that contains
 * a network code (ECONNREFUSED, …) into its own generic sentence, which would lose the link.
 */
function connectionProblem(error: unknown): string {
	const code = causes(error).map((cause) => cause.code).find((value) => typeof value === 'string');
	if (code === 'ECONNREFUSED') return 'refused the connection';
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'has a host name that could not be found';
	if (code === 'ECONNRESET' || /socket hang up/i.test((error as Error).message)) return 'dropped the connection';
	if (typeof code === 'string' && /^(CERT_|ERR_TLS|UNABLE_TO_VERIFY|DEPTH_ZERO|SELF_SIGNED)/.test(code)) return 'has a certificate n8n does not trust';
	return 'could not be reached';
}

/** What went wrong on the way to the bytes: final (bad input) or worth another try. */
type FrameFailure = InvalidInputError | TransientFrameError;

/** Words for a request that got no usable answer (the error of n8n's request helper). */
function requestFailure(error: unknown, which: string, link: string, deadline: AbortSignal): FrameFailure {
	const refusal = ssrfRefusal(error);
	if (refusal) {
		return new InvalidInputError(
			`The ${which} link ${link} was blocked by n8n's SSRF protection`,
			`${typeof refusal.description === 'string' ? `${refusal.description} ` : ''}Use a public link, or ask your n8n administrator to allow this host (N8N_SSRF_ALLOWED_HOSTNAMES or N8N_SSRF_ALLOWED_IP_RANGES).`,
		);
	}
	if (deadline.aborted || /timeout/i.test((error as Error).message)) {
		return new InvalidInputError(
			`The ${which} link ${link} did not deliver the image within ${FRAME_URL_TIMEOUT_SECONDS} seconds`,
			`Check that the server behind the link is reachable from n8n and answers quickly, or choose another "${which}" source.`,
		);
	}
	return new TransientFrameError(`The ${which} link ${link} ${connectionProblem(error)}`, quoteSafely((error as Error).message, [], 200));
}

/** How a frame link is fetched: whether the user allows their own network, whether the bytes are kept. */
export interface FrameLinkSettings {
	allowPrivateLinks: boolean;
	keepBytes: boolean;
}

/**
 * Refuses `url` (the link, or a redirect hop `from` it) when its host is on the user's own network and
 * private links are not allowed. Sends nothing.
 */
export function refusePrivateLink(url: string, which: string, from?: string): void {
	const kind = privateHostKind(new URL(url).hostname);
	if (!kind) return;
	const where = from ? `${linkForHumans(from)} redirects to ${linkForHumans(url)}, ${kind}` : `${linkForHumans(url)} points to ${kind}`;
	throw new InvalidInputError(
		`The ${which} link ${where}, which the node does not fetch`,
		`Links to loopback, private, link-local or unspecified addresses (your own machine or network) are refused, so that a link from a form or an AI agent cannot read internal services. Use a public link; if the image is on your network on purpose, turn on Options → "Allow Private Links".`,
	);
}

const isRedirect = (status: number) => [301, 302, 303, 307, 308].includes(status);

/** The answer at the end of `url`'s redirects, each hop's host checked before it is requested. */
async function requestFollowingRedirects(
	ctx: IExecuteFunctions,
	url: string,
	which: string,
	settings: FrameLinkSettings,
	abortSignal: AbortSignal,
): Promise<{ response: StreamResponse; finalUrl: string } | FrameFailure> {
	let current = url;
	for (let redirects = 0; ; redirects++) {
		const response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url: current,
			headers: { accept: 'image/png, image/jpeg, image/webp, image/*;q=0.8' },
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			// Followed below instead, so that no hop reaches a host the check would refuse.
			disableFollowRedirect: true,
			timeout: FRAME_URL_TIMEOUT_SECONDS * 1000,
			abortSignal,
		})) as StreamResponse;
		const location = response.headers.location;
		if (!isRedirect(response.statusCode) || typeof location !== 'string') return { response, finalUrl: current };
		response.body.destroy();
		const next = URL.canParse(location, current) ? new URL(location, current) : undefined;
		if (!next || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
			return new InvalidInputError(`The ${which} link ${linkForHumans(url)} redirects to a link that is not http(s)`, `Use a direct link to the image file itself, or choose another "${which}" source.`);
		}
		if (redirects >= FRAME_URL_MAX_REDIRECTS) {
			return new InvalidInputError(`The ${which} link ${linkForHumans(url)} redirects more than ${FRAME_URL_MAX_REDIRECTS} times`, `Use the final, direct link to the image file, or choose another "${which}" source.`);
		}
		if (!settings.allowPrivateLinks) refusePrivateLink(next.href, which, current);
		current = next.href;
	}
}

interface DownloadedFrame {
	extension: UploadImageExtension;
	fileName: string;
	facts: ReadBytes;
}

async function downloadOnce(ctx: IExecuteFunctions, url: string, which: string, settings: FrameLinkSettings, signal: AbortSignal | undefined): Promise<DownloadedFrame | FrameFailure> {
	const link = linkForHumans(url);
	const tooLarge = new InvalidInputError(`The ${which} link ${link} returns more than ${FRAME_MAX_MIB} MiB`, SMALLER_IMAGE);
	const deadline = AbortSignal.timeout(FRAME_URL_TIMEOUT_SECONDS * 1000);
	let answer: Awaited<ReturnType<typeof requestFollowingRedirects>>;
	try {
		answer = await requestFollowingRedirects(ctx, url, which, settings, signal ? AbortSignal.any([signal, deadline]) : deadline);
	} catch (error) {
		if (error instanceof InvalidInputError) return error;
		return requestFailure(error, which, link, deadline);
	}
	if (answer instanceof Error) return answer;
	const { response, finalUrl } = answer;
	if (response.statusCode < 200 || response.statusCode > 299) {
		response.body.destroy();
		const problem = `The ${which} link ${link} answered HTTP ${response.statusCode}`;
		if (response.statusCode >= 500 || response.statusCode === 429) return new TransientFrameError(problem);
		return new InvalidInputError(problem, `Check that the link opens the image in a browser without signing in (a shared link may need "anyone with the link"), or choose another "${which}" source.`);
	}
	if (Number(response.headers['content-length']) > FRAME_MAX_BYTES) {
		response.body.destroy();
		return tooLarge;
	}
	let facts: ReadBytes | undefined;
	try {
		facts = await readBytes(response.body, settings.keepBytes, () => response.body.destroy());
	} catch (error) {
		return requestFailure(error, which, link, deadline);
	}
	if (!facts) return tooLarge;
	const extension = detectImageFormat(facts.head);
	if (!extension) {
		return new InvalidInputError(
			`The ${which} link ${link} did not return a PNG, JPEG or WebP image (${quoteSafely(response.headers['content-type'] ?? 'no content type', [], 100)}, ${facts.size} bytes)`,
			'Use a direct link to the image file itself, not to a web page that shows it (in a browser, right-click the image → Copy Image Address).',
		);
	}
	const lastSegment = new URL(finalUrl === url ? url : finalUrl).pathname.split('/').pop() ?? '';
	return { extension, fileName: /\.\w+$/.test(lastSegment) ? lastSegment : `${labelOf(which)}.${extension}`, facts };
}

/**
 * Downloads and checks the image at `url` (validated http(s)). Connection errors, 5xx and 429 are tried
 * again; a link to the user's own network is refused before any request unless allowed.
 */
export async function downloadFrameImage(ctx: IExecuteFunctions, url: string, which: string, settings: FrameLinkSettings, signal?: AbortSignal): Promise<DownloadedFrame> {
	if (!settings.allowPrivateLinks) refusePrivateLink(url, which);
	for (let attempt = 1; ; attempt++) {
		const outcome = await downloadOnce(ctx, url, which, settings, signal);
		throwIfCancelled(signal);
		if (!(outcome instanceof Error)) return outcome;
		if (outcome instanceof InvalidInputError) throw outcome;
		if (attempt >= FRAME_URL_ATTEMPTS) {
			throw new InvalidInputError(
				`${outcome.message} (${FRAME_URL_ATTEMPTS} tries)`,
				`The server behind the link failed${outcome.detail ? ` (${outcome.detail})` : ''}. Nothing was sent to Leonardo. Try again later, or choose another "${which}" source.`,
			);
		}
		await pause(backoffMs(attempt - 1), signal);
	}
}

/**
 * Frame links, checked once per distinct link per execution (a batch whose items all start from the
 * same product photo fetches it once to check it; a failed link fails every item using it). The check
 * keeps no bytes: the upload downloads the link a second time (once per distinct image, FrameUploads),
 * just before the first create that needs it. So a link must still work then; if it no longer does,
 * that item fails before its create, and nothing is paid.
 */
export class FrameLinks {
	private readonly checks = new Map<string, Promise<CheckedFrame>>();

	constructor(private readonly ctx: IExecuteFunctions) {}

	async check(url: string, which: string, allowPrivateLinks: boolean): Promise<CheckedFrame> {
		// Keyed by frame too, so a failed link's error names the field it came from.
		const key = `${which}\n${allowPrivateLinks}\n${url}`;
		let check = this.checks.get(key);
		if (!check) {
			check = this.checkOnce(url, which, allowPrivateLinks);
			this.checks.set(key, check);
		}
		return await check;
	}

	private async checkOnce(url: string, which: string, allowPrivateLinks: boolean): Promise<CheckedFrame> {
		const signal = this.ctx.getExecutionCancelSignal();
		const { extension, fileName, facts } = await downloadFrameImage(this.ctx, url, which, { allowPrivateLinks, keepBytes: false }, signal);
		const read = async (): Promise<FrameImage> => {
			const again = await downloadFrameImage(this.ctx, url, which, { allowPrivateLinks, keepBytes: true }, signal).catch((error: unknown) => {
				if (!(error instanceof InvalidInputError)) throw error;
				throw new InvalidInputError(
					error.message,
					`${error.fix} The link worked when the node checked the items; it is downloaded again just before the upload, so it must stay valid until then (a signed link may have expired). Nothing was created for this item.`,
				);
			});
			return { bytes: again.facts.bytes!, extension: again.extension, fileName: again.fileName };
		};
		return { extension, fileName, sha256: facts.sha256, read };
	}
}
