/**
 * A local S3-compatible server for the storage example (examples/07-form-to-s3.json): s3rver, installed
 * into the cache by scripts/s3rver-runtime.sh (LTX_S3RVER_DIR). It checks AWS Signature V4 like S3 does
 * (a request signed with another secret is refused) and stores objects on disk; the test reads them back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** s3rver's own fixed account: any request signed with another key is refused. */
const S3RVER_ACCESS_KEY = 'S3RVER';

interface S3rverInstance {
	run(): Promise<{ address: string; port: number }>;
	close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

export interface S3Storage {
	/** What an n8n `s3` credential needs to reach it, path style (as for MinIO). */
	credentialData: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean };
	/** An object's bytes as stored (fetched back over S3's GET Object), or undefined when absent. */
	getObject(bucket: string, key: string): Promise<Buffer | undefined>;
	/** The keys in a bucket (S3's ListObjects). */
	listKeys(bucket: string): Promise<string[]>;
	stop(): Promise<void>;
}

export async function startS3Storage(buckets: string[]): Promise<S3Storage> {
	const dir = process.env.LTX_S3RVER_DIR;
	if (!dir) throw new Error('LTX_S3RVER_DIR is not set: run the E2E tests through scripts/test-e2e.sh (it sources scripts/s3rver-runtime.sh)');
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS package outside the clone
	const S3rver = require(dir) as S3rverClass;
	const directory = mkdtempSync(path.join(tmpdir(), 'ltx-s3rver-'));
	const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
	const { port } = await server.run();
	const endpoint = `http://127.0.0.1:${port}`;
	return {
		credentialData: { endpoint, region: 'us-east-1', accessKeyId: S3RVER_ACCESS_KEY, secretAccessKey: S3RVER_ACCESS_KEY, forcePathStyle: true },
		getObject: async (bucket, key) => {
			const response = await fetch(`${endpoint}/${bucket}/${encodeURIComponent(key)}`);
			if (response.status === 404) return undefined;
			if (!response.ok) throw new Error(`GET ${bucket}/${key}: HTTP ${response.status} ${await response.text()}`);
			return Buffer.from(await response.arrayBuffer());
		},
		listKeys: async (bucket) => {
			const response = await fetch(`${endpoint}/${bucket}?list-type=2`);
			if (!response.ok) throw new Error(`GET ${bucket}: HTTP ${response.status} ${await response.text()}`);
			return [...(await response.text()).matchAll(/<Key>([^<]+)<\/Key>/g)].map((match) => match[1]);
		},
		stop: async () => {
			await server.close();
			rmSync(directory, { recursive: true, force: true });
		},
	};
}
