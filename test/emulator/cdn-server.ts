/**
 * The CDN: signed, expiring MP4 URLs (the fixture, padded to the size asked, streamed) and posters.
 * Never needs auth; every request's headers are recorded so tests can prove none was sent.
 */
import type { Exchange, ServerApp } from './http.ts';
import { drain } from './http.ts';
import { paddedMp4Chunks } from './mp4.ts';
import type { Reply } from './replies.ts';
import { xmlError } from './replies.ts';
import { cdnSignatureIsValid } from './signing.ts';
import type { EmulatorState } from './state.ts';

const VIDEO_PATH = /^\/videos\/([0-9a-f-]{36})\.mp4$/;
const POSTER_PATH = /^\/posters\/([0-9a-f-]{36})\.jpg$/;

export function cdnServerApp(state: EmulatorState): ServerApp<void> {
	return {
		name: 'cdn',
		classify: (method, path) => {
			if (method !== 'GET' && method !== 'HEAD') return 'unknown';
			if (VIDEO_PATH.test(path)) return 'download';
			return POSTER_PATH.test(path) ? 'poster' : 'unknown';
		},
		readBody: ({ req }) => drain(req),
		handle: (exchange) => {
			if (exchange.record.route === 'download') return serveVideo(state, exchange);
			if (exchange.record.route === 'poster') return servePoster(state, exchange);
			return noSuchKey();
		},
	};
}

function noSuchKey(): Reply {
	return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
}

function serveVideo(state: EmulatorState, { record }: Exchange): Reply {
	const { expires = '', sig = '' } = record.query;
	if (!cdnSignatureIsValid(state.secret, record.path, expires, sig)) return noSuchKey();
	if (Date.now() > Number(expires)) return xmlError(403, 'AccessDenied', 'Request has expired');
	const generation = state.generations.get(VIDEO_PATH.exec(record.path)?.[1] ?? '');
	if (!generation?.hasOutput) return noSuchKey();
	const size = state.videoBytesFor(generation);
	return {
		status: 200,
		headers: { 'content-type': 'video/mp4', 'accept-ranges': 'none', 'cache-control': 'private, max-age=3600' },
		contentLength: size,
		chunks: () => paddedMp4Chunks(state.fixtures.sampleMp4, size),
		onStart: () => {
			generation.downloadStartedAt = Date.now();
		},
	};
}

function servePoster(state: EmulatorState, { record }: Exchange): Reply {
	const generation = state.generations.get(POSTER_PATH.exec(record.path)?.[1] ?? '');
	if (!generation?.hasOutput || state.options.posterVariant === 'missing') return noSuchKey();
	return { status: 200, headers: { 'content-type': 'image/jpeg' }, body: state.fixtures.posterJpeg };
}
