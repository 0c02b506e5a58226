/** Loads the committed fixture files (test/fixtures) once per emulator. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTopLevelBoxes } from './mp4.ts';

export interface Fixtures {
	/** A real MP4 (ftyp first) served as every generated video, padded as needed. */
	sampleMp4: Buffer;
	/** Served as every poster image. */
	posterJpeg: Buffer;
}

export const FIXTURES_DIR = join(thisDirectory(), '..', 'fixtures');

export function loadFixtures(directory: string = FIXTURES_DIR): Fixtures {
	const sampleMp4 = readFileSync(join(directory, 'sample.mp4'));
	const boxes = readTopLevelBoxes(sampleMp4);
	if (boxes[0]?.type !== 'ftyp') throw new Error('test/fixtures/sample.mp4 must start with an ftyp box');
	return { sampleMp4, posterJpeg: readFileSync(join(directory, 'frame.jpg')) };
}

/**
 * The directory of this file. jest runs it compiled to CommonJS (`__dirname`), `node cli.ts` runs it
 * as native ESM, where only `import.meta` knows, and `import.meta` is a syntax error in CommonJS, so
 * the ESM branch reads this function's own frame from a stack trace instead.
 */
function thisDirectory(): string {
	if (typeof __dirname === 'string') return __dirname;
	const ownFrame = /(file:\/\/[^\s)]+?):\d+:\d+/.exec(new Error().stack ?? '');
	if (!ownFrame) throw new Error('cannot locate the emulator directory');
	return dirname(fileURLToPath(ownFrame[1]));
}
