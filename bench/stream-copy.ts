/**
 * The floor any Node.js streaming download has: plain `http.get` piped into a file, nothing else, in a
 * fresh Node 24 process. Run by run.ts as `node bench/stream-copy.ts URL FILE`; prints
 * {"bytes","peakRss"} (VmHWM of this process, in bytes) and deletes the file.
 */
import { createWriteStream, readFileSync, statSync, unlinkSync } from 'node:fs';
import { get } from 'node:http';
import { pipeline } from 'node:stream/promises';

const [url, file] = process.argv.slice(2);
const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => get(url, resolve).once('error', reject));
if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
await pipeline(response, createWriteStream(file));
const bytes = statSync(file).size;
unlinkSync(file);
const peakKiB = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
process.stdout.write(`${JSON.stringify({ bytes, peakRss: peakKiB * 1024 })}\n`);
