/**
 * Everything the emulator signs with its per-instance secret: S3 presigned POST policies (§3.1) and
 * expiring CDN video URLs.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CONTENT_TYPE_BY_EXTENSION } from './ltx.ts';
import type { ImageExtension } from './types.ts';

export const S3_BUCKET = 'leonardo-emulator-uploads';

export function newSecret(): Buffer {
	return randomBytes(32);
}

export function hmacHex(secret: Buffer, text: string): string {
	return createHmac('sha256', secret).update(text).digest('hex');
}

export function sameText(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

/** The form fields of a presigned S3 POST, shaped like Leonardo's (§3.1), expiring at `expiresAt`. */
export function presignedPostFields(
	secret: Buffer,
	key: string,
	extension: ImageExtension,
	expiresAt: number,
): Record<string, string> {
	const date = new Date(expiresAt).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
	const credential = `ASIAEMULATOR000000/${date.slice(0, 8)}/us-east-1/s3/aws4_request`;
	const fields: Record<string, string> = {
		'Content-Type': CONTENT_TYPE_BY_EXTENSION[extension],
		bucket: S3_BUCKET,
		'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
		'X-Amz-Credential': credential,
		'X-Amz-Date': date,
		'X-Amz-Security-Token': randomBytes(48).toString('base64'),
		key,
	};
	const policy = {
		expiration: new Date(expiresAt).toISOString(),
		conditions: [
			...Object.entries(fields).map(([name, value]) => ({ [name]: value })),
			['content-length-range', 0, 50 * 1024 * 1024],
		],
	};
	fields.Policy = Buffer.from(JSON.stringify(policy)).toString('base64');
	fields['X-Amz-Signature'] = hmacHex(secret, fields.Policy);
	return fields;
}

export function policySignatureIsValid(secret: Buffer, policy: string, signature: string): boolean {
	return sameText(hmacHex(secret, policy), signature);
}

/** Query string that makes a CDN path valid until `expiresAt`. */
export function signCdnPath(secret: Buffer, path: string, expiresAt: number): string {
	return `expires=${expiresAt}&sig=${hmacHex(secret, `${path}?expires=${expiresAt}`).slice(0, 32)}`;
}

export function cdnSignatureIsValid(secret: Buffer, path: string, expires: string, signature: string): boolean {
	return sameText(hmacHex(secret, `${path}?expires=${expires}`).slice(0, 32), signature);
}
