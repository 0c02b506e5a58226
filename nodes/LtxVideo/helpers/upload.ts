/**
 * Start/end frame images (read and checked by frameImages.ts before anything is sent), uploaded
 * through POST /v1/init-image and the presigned S3 multipart POST (leonardo-api.md §3).
 * The S3 request is a plain request: the API key is never sent there (S3 answers 403 to it anyway).
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { UPLOAD_IMAGE_FORMATS } from '../../shared/capabilities';
import { quoteSafely } from '../../shared/errors';
import type { ImageReference } from '../../shared/generateRequest';
import { throwIfCancelled } from '../../shared/pacing';
import { callApi, type CallOptions, credentialSecrets } from '../../shared/transport';
import type { CheckedFrame, FrameImage } from './frameImages';

/**
 * The presigned POST's form: its fields in order, then `file` (S3's POST policy wants the file last).
 * The image's Blob goes in as it is (no copy); n8n's request library (axios) streams the form with its
 * Content-Length, which S3 requires (it refuses a chunked upload).
 */
export function uploadForm(fields: Record<string, string>, image: FrameImage): FormData {
	const form = new FormData();
	for (const [name, value] of Object.entries(fields)) form.append(name, value);
	const typed = new Blob([image.bytes], { type: UPLOAD_IMAGE_FORMATS[image.extension].mimeType });
	form.append('file', typed, image.fileName.replace(/["\r\n]/g, '_'));
	return form;
}

interface PresignedUpload {
	id: string;
	url: string;
	fields: Record<string, string>;
}

function readPresignedUpload(body: unknown): PresignedUpload | undefined {
	const upload = (body as { uploadInitImage?: Record<string, unknown> } | undefined)?.uploadInitImage;
	if (!upload || typeof upload.id !== 'string' || typeof upload.url !== 'string') return undefined;
	let fields: unknown = upload.fields;
	try {
		// Documented as a JSON *string*; accept an object too.
		if (typeof fields === 'string') fields = JSON.parse(fields);
	} catch {
		return undefined;
	}
	if (typeof fields !== 'object' || fields === null) return undefined;
	const asStrings = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, String(value)]));
	return { id: upload.id, url: upload.url, fields: asStrings };
}

const S3_TIMEOUT_MS = 120_000;
const UPLOAD_ATTEMPTS = 2;

/** Uploads one image; a failed S3 step starts over with a fresh presigned URL (they expire in 2 min). */
export async function uploadFrameImage(ctx: IExecuteFunctions, image: FrameImage, options: CallOptions, which: string): Promise<ImageReference> {
	const node = ctx.getNode();
	let lastFailure = '';
	for (let attempt = 1; attempt <= UPLOAD_ATTEMPTS; attempt++) {
		const presigned = readPresignedUpload(
			await callApi(ctx, { method: 'POST', path: '/v1/init-image', body: { extension: image.extension }, retry: 'idempotent', maxAttempts: 3 }, options),
		);
		if (!presigned) {
			throw new NodeOperationError(node, `Leonardo gave no usable upload URL for the ${which}`, {
				itemIndex: options.itemIndex,
				description: 'The answer to POST /v1/init-image lacked uploadInitImage.id, url or fields. Try again later.',
			});
		}
		if (!/^https?:\/\//i.test(presigned.url)) {
			throw new NodeOperationError(node, `Leonardo gave an upload URL that is not http(s) for the ${which}`, { itemIndex: options.itemIndex });
		}
		throwIfCancelled(options.signal);
		let response: { statusCode: number; body: unknown };
		try {
			response = (await ctx.helpers.httpRequest({
				method: 'POST',
				url: presigned.url,
				// No content-type: axios sets it with the boundary it writes.
				body: uploadForm(presigned.fields, image),
				// A redirect-following request keeps every body chunk it sent (to send them again): a second copy.
				disableFollowRedirect: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				encoding: 'text',
				timeout: S3_TIMEOUT_MS,
				abortSignal: options.signal,
			})) as { statusCode: number; body: unknown };
		} catch (error) {
			throwIfCancelled(options.signal);
			lastFailure = `the upload connection failed (${quoteSafely((error as Error).message, await credentialSecrets(ctx), 200)})`;
			continue;
		}
		if (response.statusCode >= 200 && response.statusCode < 300) return { id: presigned.id, type: 'UPLOADED' };
		lastFailure = `storage answered HTTP ${response.statusCode}: ${quoteSafely(response.body, await credentialSecrets(ctx), 200)}`;
		if (response.statusCode < 500 && response.statusCode !== 403) break;
	}
	throw new NodeOperationError(node, `Uploading the ${which} image failed: ${lastFailure}`, {
		itemIndex: options.itemIndex,
		description: 'Leonardo’s image storage refused the upload (an expired upload URL answers 403). Nothing was generated or charged. Try again; if it persists, upload the image in Leonardo and use its image ID instead.',
	});
}

/**
 * One upload per distinct image per execution: the same bytes used as a frame by several items (a batch
 * that starts every video from one product photo) are uploaded once and the init image ID reused. That
 * an init image may serve several generations is INFERRED (issue 13); `stopSharing` turns reuse off for
 * the rest of the execution once Leonardo refuses a reused ID. Images are known by the SHA-256 their
 * check found; their bytes are read only for the upload and dropped once it is done.
 */
export class FrameUploads {
	private readonly uploads = new Map<string, Promise<ImageReference>>();
	private sharing = true;

	constructor(private readonly ctx: IExecuteFunctions) {}

	private async readAndUpload(frame: CheckedFrame, options: CallOptions, which: string): Promise<ImageReference> {
		return await uploadFrameImage(this.ctx, await frame.read(), options, which);
	}

	async upload(frame: CheckedFrame, options: CallOptions, which: string): Promise<{ reference: ImageReference; reused: boolean }> {
		if (!this.sharing) return { reference: await this.readAndUpload(frame, options, which), reused: false };
		const key = `${frame.extension}:${frame.sha256}`;
		const earlier = this.uploads.get(key);
		if (earlier) {
			const reference = await earlier.catch(() => undefined);
			// An earlier item's upload of these bytes failed: this item uploads them itself.
			if (reference) return { reference, reused: true };
		}
		const own = this.readAndUpload(frame, options, which);
		this.uploads.set(key, own);
		own.catch(() => this.uploads.get(key) === own && this.uploads.delete(key));
		return { reference: await own, reused: false };
	}

	/** Leonardo refused a reused ID: every later frame is uploaded afresh. */
	stopSharing(): void {
		this.sharing = false;
		this.uploads.clear();
	}
}
