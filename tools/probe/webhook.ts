/**
 * `--webhook-port N`: a local receiver for Leonardo's webhook call (§5). The probe cannot learn a
 * key's webhook URL (no API returns it, and Leonardo only calls https URLs), so the key holder points
 * the key's webhook URL at this port through an https tunnel. Every call is answered 200 at once and
 * recorded: headers (the authorization value is reduced to whether it matches the expected callback
 * key), the body (redacted with everything else: the payload echoes the API key), the source address.
 */
import { createServer, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

/** Documented source addresses of Leonardo's webhook calls (DOC-WH). */
export const LEONARDO_WEBHOOK_IPS = ['35.173.108.170', '34.239.69.60', '52.73.75.186', '3.229.99.26', '44.218.0.197', '174.129.230.221'];

export interface WebhookDelivery {
	at: string;
	method: string;
	path: string;
	remoteAddress?: string;
	fromDocumentedIp: boolean;
	headers: Record<string, string>;
	authorization: 'absent' | 'bearer-matches' | 'bearer-differs' | 'bearer-unchecked' | 'other-scheme';
	body: unknown;
	/** Generation id(s) found in the body (data.object.id, …). */
	generationIds: string[];
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;

function sameSecret(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

/** Leonardo's payload echoes the API key object (DOC-WH): its secret fields are never kept. */
const SECRET_FIELDS = /^(key|apiKey|webhookCallbackApiKey|token|secret)$/i;

function withoutSecretFields(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(withoutSecretFields);
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([name, item]) => [name, typeof item === 'string' && SECRET_FIELDS.test(name) ? '[REDACTED]' : withoutSecretFields(item)]),
		);
	}
	return value;
}

function idsIn(body: unknown): string[] {
	const found = new Set<string>();
	const visit = (value: unknown, key: string) => {
		if (typeof value === 'string' && /^(id|generationId)$/.test(key)) found.add(value);
		else if (Array.isArray(value)) value.forEach((item) => visit(item, key));
		else if (value && typeof value === 'object') Object.entries(value).forEach(([name, item]) => visit(item, name));
	};
	visit(body, '');
	return [...found];
}

export class WebhookReceiver {
	readonly deliveries: WebhookDelivery[] = [];
	readonly #server: Server;
	readonly #callbackKey: string | undefined;
	#port = 0;

	constructor(callbackKey: string | undefined) {
		this.#callbackKey = callbackKey;
		this.#server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			let size = 0;
			req.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size <= MAX_BODY_BYTES) chunks.push(chunk);
			});
			req.on('end', () => {
				res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
				this.deliveries.push(this.#delivery(req.method ?? '', req.url ?? '', req.socket.remoteAddress, req.headers, Buffer.concat(chunks).toString('utf8')));
			});
		});
	}

	#delivery(method: string, path: string, remote: string | undefined, raw: Record<string, string | string[] | undefined>, text: string): WebhookDelivery {
		const headers = Object.fromEntries(Object.entries(raw).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
		const header = headers.authorization;
		delete headers.authorization;
		const bearer = /^Bearer (.*)$/i.exec(header ?? '')?.[1];
		let authorization: WebhookDelivery['authorization'] = 'absent';
		if (header && bearer === undefined) authorization = 'other-scheme';
		else if (bearer !== undefined) authorization = this.#callbackKey === undefined ? 'bearer-unchecked' : sameSecret(bearer, this.#callbackKey) ? 'bearer-matches' : 'bearer-differs';
		let body: unknown = text;
		try {
			body = JSON.parse(text);
		} catch {
			// Recorded as text.
		}
		const address = remote?.replace(/^::ffff:/, '');
		return {
			at: new Date().toISOString(),
			method,
			path,
			remoteAddress: address,
			fromDocumentedIp: address !== undefined && LEONARDO_WEBHOOK_IPS.includes(address),
			headers,
			authorization,
			body: withoutSecretFields(body),
			generationIds: idsIn(body),
		};
	}

	async listen(port: number, host: string): Promise<number> {
		await new Promise<void>((resolve, reject) => {
			this.#server.once('error', reject);
			this.#server.listen(port, host, () => resolve());
		});
		const address = this.#server.address();
		this.#port = typeof address === 'object' && address ? address.port : port;
		return this.#port;
	}

	get port(): number {
		return this.#port;
	}

	/** The deliveries that mention `generationId`, waiting up to `ms` for the first. */
	async waitFor(generationId: string, ms: number): Promise<WebhookDelivery[]> {
		const deadline = Date.now() + ms;
		const matching = () => this.deliveries.filter((delivery) => delivery.generationIds.includes(generationId));
		while (matching().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
		return matching();
	}

	async close(): Promise<void> {
		this.#server.closeAllConnections();
		await new Promise<void>((resolve) => this.#server.close(() => resolve()));
	}
}
