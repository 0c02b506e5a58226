/**
 * A third-party image host (a CMS, a sheet's links, another API): what a Start/End Frame link points
 * at. Not Leonardo: it must never see the API key, and every request's headers are recorded to prove it.
 *
 *   GET /images/<fixture>          frame.png, frame.jpg, frame.webp, not-an-image.png (a PNG name, text inside)
 *   GET /images/page.html          200 with an HTML page (a link to a page, not to the image)
 *   GET /images/padded.png?bytes=N a real PNG signature padded to N bytes (size limits)
 *   any of them ?type=T            answers Content-Type T instead (hosts often say application/octet-stream)
 *   any of them ?chunked=1         no Content-Length (the size is only known once read)
 *   any of them ?delayMs=N         answers after N ms (a slow host)
 *   any of them ?redirectTo=URL    302 to URL, on every request (a fault redirects only the next ones)
 * Faults (route 'imageFile') give 404/500, hangs, resets, redirects and cut bodies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FIXTURES_DIR } from './fixtures.ts';
import type { Exchange, ServerApp } from './http.ts';
import { drain } from './http.ts';
import type { Reply } from './replies.ts';

const IMAGE_PATH = /^\/images\/([\w.-]+)$/;
const FIXTURE_TYPES: Record<string, string> = {
	'frame.png': 'image/png',
	'frame.jpg': 'image/jpeg',
	'frame.webp': 'image/webp',
	'not-an-image.png': 'image/png',
};
const PAGE = '<!doctype html><html><head><title>Product photo</title></head><body><img src="frame.png"></body></html>';
const CHUNK = 64 * 1024;

export function imagesServerApp(): ServerApp<void> {
	const fixtures = new Map(Object.keys(FIXTURE_TYPES).map((name) => [name, readFileSync(join(FIXTURES_DIR, name))]));
	return {
		name: 'images',
		classify: (method, path) => ((method === 'GET' || method === 'HEAD') && IMAGE_PATH.test(path) ? 'imageFile' : 'unknown'),
		readBody: ({ req }) => drain(req),
		handle: async (exchange) => {
			const delayMs = Number(exchange.record.query.delayMs);
			if (delayMs > 0) await sleep(delayMs);
			return serveImage(fixtures, exchange);
		},
	};
}

function serveImage(fixtures: Map<string, Buffer>, { record }: Exchange): Reply {
	const name = IMAGE_PATH.exec(record.path)?.[1] ?? '';
	const { type, chunked, bytes, redirectTo } = record.query;
	if (redirectTo) return { status: 302, headers: { location: redirectTo } };
	let body: Buffer | undefined = fixtures.get(name);
	let contentType = FIXTURE_TYPES[name];
	if (name === 'page.html') [body, contentType] = [Buffer.from(PAGE), 'text/html; charset=utf-8'];
	if (name === 'padded.png') {
		const png = fixtures.get('frame.png')!;
		const size = Math.max(png.length, Number(bytes) || png.length);
		return {
			status: 200,
			headers: { 'content-type': type ?? 'image/png' },
			contentLength: size,
			omitContentLength: chunked === '1',
			chunks: () => paddedChunks(png, size),
		};
	}
	if (!body) return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>404 Not Found</h1></body></html>' };
	if (chunked === '1') {
		const whole = body;
		return { status: 200, headers: { 'content-type': type ?? contentType }, contentLength: whole.length, omitContentLength: true, chunks: () => [whole] };
	}
	return { status: 200, headers: { 'content-type': type ?? contentType, 'cache-control': 'public, max-age=86400' }, body };
}

function* paddedChunks(head: Buffer, size: number): Iterable<Buffer> {
	yield head;
	for (let sent = head.length; sent < size; sent += CHUNK) yield Buffer.alloc(Math.min(CHUNK, size - sent));
}
