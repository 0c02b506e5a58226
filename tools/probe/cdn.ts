/** What a video or poster link on Leonardo's CDN looks like: signed? expiring? its headers, an MP4 without the key? */
import { headersOf, plainRequest } from './http.ts';

export interface CdnFacts {
	host: string;
	queryParameters: string[];
	signed: boolean;
	/** Expiry read from the URL (an `expires`/`Expires` parameter, or X-Amz-Date + X-Amz-Expires). */
	expiresAt?: string;
	expiresInSeconds?: number;
	head?: { status: number; headers: Record<string, string> };
	/** The first bytes are an MP4 (`ftyp` box). */
	isMp4?: boolean;
	/** Host the CDN redirected to, if it did. */
	redirectedTo?: string;
	/** A request carrying nothing but the URL was answered 2xx (no key needed). */
	downloadableWithoutKey?: boolean;
	networkError?: string;
}

const SIGNATURE_PARAMETERS = /^(sig|signature|x-amz-signature|x-amz-credential|key-pair-id|policy|token|hdnts|expires|exp|x-goog-signature)$/i;
const CDN_HEADERS = ['content-type', 'content-length', 'cache-control', 'expires', 'etag', 'last-modified', 'accept-ranges', 'age', 'x-cache', 'server', 'via'];

function expiryOf(url: URL): { at?: Date } {
	const params = url.searchParams;
	const expires = params.get('expires') ?? params.get('Expires') ?? params.get('exp');
	if (expires && /^\d+$/.test(expires)) {
		const number = Number(expires);
		return { at: new Date(number > 1e12 ? number : number * 1000) };
	}
	const amzDate = params.get('X-Amz-Date');
	const amzExpires = params.get('X-Amz-Expires');
	if (amzDate && amzExpires && /^\d{8}T\d{6}Z$/.test(amzDate)) {
		const iso = `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`;
		return { at: new Date(Date.parse(iso) + Number(amzExpires) * 1000) };
	}
	return {};
}

/** HEAD and the first bytes of a CDN URL, with no authorization header (the key never goes there). */
export async function inspectCdn(link: string, checkMp4: boolean): Promise<CdnFacts> {
	const url = new URL(link);
	const queryParameters = [...new Set(url.searchParams.keys())];
	const { at } = expiryOf(url);
	const facts: CdnFacts = {
		host: url.host,
		queryParameters,
		signed: queryParameters.some((name) => SIGNATURE_PARAMETERS.test(name)),
		expiresAt: at?.toISOString(),
		expiresInSeconds: at ? Math.round((at.getTime() - Date.now()) / 1000) : undefined,
	};
	// No key goes to the CDN, so its redirects (e.g. to a storage host) are followed and noted.
	const head = await plainRequest(link, { method: 'HEAD', redirect: 'follow' });
	if (head.response) {
		const headers = headersOf(head.response);
		facts.head = { status: head.response.status, headers: Object.fromEntries(Object.entries(headers).filter(([name]) => CDN_HEADERS.includes(name))) };
		if (head.response.redirected) facts.redirectedTo = new URL(head.response.url).host;
	} else facts.networkError = head.networkError;
	if (checkMp4) {
		const get = await plainRequest(link, { method: 'GET', redirect: 'follow' });
		if (get.response) {
			facts.downloadableWithoutKey = get.response.ok;
			const reader = get.response.body?.getReader();
			const first = reader ? await reader.read() : undefined;
			await reader?.cancel().catch(() => undefined);
			const bytes = first?.value ? Buffer.from(first.value) : Buffer.alloc(0);
			facts.isMp4 = get.response.ok && bytes.subarray(4, 8).toString('latin1') === 'ftyp';
		} else facts.networkError ??= get.networkError;
	}
	return facts;
}
