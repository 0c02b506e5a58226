/**
 * Plumbing shared by the servers: record each request, read its body, apply an injected fault
 * or run the server's handler, and send the reply (streamed replies with backpressure).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { faultKind, faultRunsHandler, malformedJsonReply, replyForFault, type SecretEcho } from './faults.ts';
import { takeBytes } from './mp4.ts';
import type { BufferedReply, Reply, StreamedReply } from './replies.ts';
import { isStreamed, jsonReply } from './replies.ts';
import type { EmulatorState } from './state.ts';
import type { FaultSpec, RecordedRequest, RouteName, ServerName } from './types.ts';

export interface Exchange {
	req: IncomingMessage;
	res: ServerResponse;
	record: RecordedRequest;
	url: URL;
	/** The fault answering this request, when its kind lets the handler run first. */
	fault?: FaultSpec;
}

/** One server's behaviour; the plumbing around it is the same for all three. */
export interface ServerApp<Body> {
	name: ServerName;
	classify(method: string, path: string): RouteName;
	/** Reads (or drains) the request body; also stores what should be recorded in `record.body`. */
	readBody(exchange: Exchange): Promise<Body>;
	handle(exchange: Exchange, body: Body): Reply | Promise<Reply>;
}

export function createEmulatorServer<Body>(state: EmulatorState, app: ServerApp<Body>): Server {
	return createServer((req, res) => {
		serve(state, app, req, res).catch((error: unknown) => answerInternalError(res, error));
	});
}

async function serve<Body>(state: EmulatorState, app: ServerApp<Body>, req: IncomingMessage, res: ServerResponse) {
	const exchange = startExchange(app, req, res);
	const { record } = exchange;
	// Control requests drive the emulator; they are logged but never recorded or faulted.
	if (record.route !== 'control') state.requests.push(record);
	res.once('close', () => state.log(record));

	const body = await app.readBody(exchange);
	const fault = record.route === 'control' ? undefined : state.faults.take(record.route);
	if (fault?.delayMs) await sleep(fault.delayMs, undefined, { signal: state.shutdown.signal });
	if (fault && !faultRunsHandler(fault)) return send(exchange, replyForFault(fault, app.name, secretEcho(state, record)));

	const reply = await app.handle({ ...exchange, fault }, body);
	if (fault) return sendSpoiled(exchange, reply, fault);
	return send(exchange, reply);
}

function secretEcho(state: EmulatorState, request: RecordedRequest): SecretEcho {
	return { request, apiKey: { key: state.options.apiKey, webhookCallbackApiKey: state.webhooks.settings.callbackApiKey ?? null } };
}

function startExchange(app: ServerApp<unknown>, req: IncomingMessage, res: ServerResponse): Exchange {
	const url = new URL(req.url ?? '/', 'http://emulator.invalid');
	const method = req.method ?? 'GET';
	const record: RecordedRequest = {
		server: app.name,
		method,
		path: url.pathname,
		query: Object.fromEntries(url.searchParams),
		headers: headersAsSent(req),
		status: 0,
		at: Date.now(),
		route: app.classify(method, url.pathname),
	};
	return { req, res, record, url };
}

/** Lower-cased names, values untouched, repeats joined as HTTP allows. */
function headersAsSent(req: IncomingMessage): Record<string, string> {
	const headers: Record<string, string> = {};
	for (let i = 0; i < req.rawHeaders.length; i += 2) {
		const name = req.rawHeaders[i].toLowerCase();
		const value = req.rawHeaders[i + 1];
		headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
	}
	return headers;
}

async function send(exchange: Exchange, reply: Reply): Promise<void> {
	if (isStreamed(reply)) return sendStream(exchange, reply);
	sendBuffered(exchange, reply);
}

function sendBuffered({ req, res, record }: Exchange, reply: BufferedReply): void {
	record.status = reply.status;
	const headers = { ...reply.headers };
	if (reply.body !== undefined) headers['content-length'] = String(Buffer.byteLength(reply.body));
	res.writeHead(reply.status, headers);
	res.end(req.method === 'HEAD' ? undefined : reply.body);
}

/** Streams the body, waiting for each chunk to be flushed; `cutAfterBytes` destroys the socket there. */
async function sendStream({ req, res, record }: Exchange, reply: StreamedReply, cutAfterBytes?: number): Promise<void> {
	record.status = reply.status;
	res.writeHead(reply.status, reply.omitContentLength ? reply.headers : { ...reply.headers, 'content-length': String(reply.contentLength) });
	if (req.method === 'HEAD') {
		res.end();
		return;
	}
	reply.onStart?.();
	const chunks = cutAfterBytes === undefined ? reply.chunks() : takeBytes(reply.chunks(), cutAfterBytes);
	for (const chunk of chunks) {
		if (!(await writeFlushed(res, chunk))) return; // the client went away
	}
	if (cutAfterBytes === undefined) res.end();
	else req.socket.destroy();
}

function writeFlushed(res: ServerResponse, chunk: Buffer): Promise<boolean> {
	return new Promise((resolve) => {
		if (res.destroyed) return resolve(false);
		const onClose = () => resolve(false);
		res.once('close', onClose);
		res.write(chunk, (error) => {
			res.off('close', onClose);
			resolve(!error);
		});
	});
}

/** Answers a fault whose kind let the real handler run first. */
async function sendSpoiled(exchange: Exchange, reply: Reply, fault: FaultSpec): Promise<void> {
	switch (faultKind(fault)) {
		case 'reset':
			exchange.req.socket.destroy();
			return;
		case 'hang':
			return; // stop() closes the connection
		case 'malformed-json':
			return send(exchange, malformedJsonReply(fault, reply));
		case 'truncate':
			if (isStreamed(reply)) return sendStream(exchange, reply, Math.floor(reply.contentLength / 2));
			return send(exchange, reply);
		case 'status':
			// afterHandler: the handler's effects stand (a create made its generation), its answer is replaced.
			return send(exchange, replyForFault(fault, exchange.record.server));
		default:
			return send(exchange, reply);
	}
}

function answerInternalError(res: ServerResponse, error: unknown): void {
	if (res.headersSent || res.destroyed) {
		res.destroy();
		return;
	}
	if (error instanceof Error && error.name === 'AbortError') {
		res.destroy(); // shutting down during a fault delay
		return;
	}
	const reply = jsonReply(500, { error: `emulator error: ${String(error)}`, path: '$', code: 'unexpected' });
	res.writeHead(reply.status, reply.headers);
	res.end(reply.body);
}

/** Reads a body of at most `limitBytes`; beyond, the rest is drained and `tooLarge` set. */
export async function readSmallBody(req: IncomingMessage, limitBytes: number): Promise<{ text: string; tooLarge: boolean }> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size <= limitBytes) chunks.push(chunk);
	}
	return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > limitBytes };
}

export async function drain(req: IncomingMessage): Promise<void> {
	for await (const _chunk of req) {
		// discard
	}
}

/** Listens on `host` (default 127.0.0.1) and resolves with the origin, e.g. http://127.0.0.1:40123. */
export function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<string> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			const address = server.address();
			if (address === null || typeof address === 'string') return reject(new Error('no TCP address'));
			resolve(`http://${host}:${address.port}`);
		});
	});
}

export function close(server: Server): Promise<void> {
	return new Promise((resolve) => {
		server.close(() => resolve());
		server.closeAllConnections(); // includes hanging and keep-alive sockets
	});
}
