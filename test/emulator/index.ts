/**
 * A local Leonardo.AI emulator for the LTX Video 2.3 flow of docs/leonardo-api.md: real HTTP servers on
 * 127.0.0.1 (the REST API, the S3 upload bucket, the CDN, and a third-party image host that frame
 * links point at), each on its own port, i.e. its own host.
 *
 *   const emu = new LeonardoEmulator({ generationDelayMs: 200 });
 *   await emu.start();
 *   // credential: { apiKey: emu.apiKey, baseUrl: emu.baseUrl }
 *   await emu.stop();
 */
import type { Server } from 'node:http';
import { apiServerApp } from './api-server.ts';
import { cdnServerApp } from './cdn-server.ts';
import type { EmulatedGeneration } from './generation.ts';
import { close, createEmulatorServer, listen } from './http.ts';
import { imagesServerApp } from './images-server.ts';
import { s3ServerApp } from './s3-server.ts';
import { EmulatorState } from './state.ts';
import type { EmulatorOptions, FaultSpec, GenerationOutcome, RecordedRequest, UploadedImage } from './types.ts';
import type { WebhookDispatcher } from './webhooks.ts';

export { EmulatedGeneration } from './generation.ts';
export { FIXTURES_DIR } from './fixtures.ts';
export { DEFAULT_OPTIONS } from './options.ts';
export { DEFAULT_API_KEY, EMULATOR_USER_ID, KNOWN_GENERATED_IMAGE_ID } from './types.ts';
export type * from './types.ts';
export type { WebhookDelivery, WebhookSettings } from './webhooks.ts';

interface RunningServers {
	api: Server;
	s3: Server;
	cdn: Server;
	images: Server;
}

export class LeonardoEmulator {
	private readonly state: EmulatorState;
	private servers: RunningServers | undefined;

	constructor(options: Partial<EmulatorOptions> = {}) {
		this.state = new EmulatorState(options);
	}

	async start(): Promise<void> {
		if (this.servers) throw new Error('the emulator is already started');
		const servers: RunningServers = {
			api: createEmulatorServer(this.state, apiServerApp(this.state)),
			s3: createEmulatorServer(this.state, s3ServerApp(this.state)),
			cdn: createEmulatorServer(this.state, cdnServerApp(this.state)),
			images: createEmulatorServer(this.state, imagesServerApp()),
		};
		const { ports, imagesHost } = this.state.options;
		try {
			const [api, s3, cdn, images] = await Promise.all([
				listen(servers.api, ports.api),
				listen(servers.s3, ports.s3),
				listen(servers.cdn, ports.cdn),
				listen(servers.images, ports.images, imagesHost),
			]);
			this.state.origins = { api, s3, cdn, images };
		} catch (error) {
			await Promise.all(Object.values(servers).map((server: Server) => (server.listening ? close(server) : undefined)));
			throw error;
		}
		this.servers = servers;
		this.state.webhooks.start();
	}

	/** Closes every connection, hanging ones included. */
	async stop(): Promise<void> {
		if (!this.servers) return;
		const servers = this.servers;
		this.servers = undefined;
		this.state.shutdown.abort();
		await this.state.webhooks.stop();
		await Promise.all(Object.values(servers).map((server: Server) => close(server)));
	}

	/** The credential base URL: http://127.0.0.1:<port>/api/rest */
	get baseUrl(): string {
		return `${this.requireOrigins().api}/api/rest`;
	}

	/** Origin of the API server (also serves /__emulator control routes). */
	get apiOrigin(): string {
		return this.requireOrigins().api;
	}

	get s3Url(): string {
		return this.requireOrigins().s3;
	}

	get cdnUrl(): string {
		return this.requireOrigins().cdn;
	}

	/** Origin of the third-party image host (images-server.ts), e.g. `${emu.imagesUrl}/images/frame.png`. */
	get imagesUrl(): string {
		return this.requireOrigins().images;
	}

	get apiKey(): string {
		return this.state.options.apiKey;
	}

	get options(): Readonly<EmulatorOptions> {
		return this.state.options;
	}

	/** Every request on every server (control routes excepted), in arrival order. */
	get requests(): RecordedRequest[] {
		return this.state.requests;
	}

	get generations(): Map<string, EmulatedGeneration> {
		return this.state.generations;
	}

	/** Webhook callbacks: settings, deliveries, image generations (webhooks.ts). */
	get webhooks(): WebhookDispatcher {
		return this.state.webhooks;
	}

	get uploads(): Map<string, UploadedImage> {
		return this.state.uploads;
	}

	clearRequests(): void {
		this.state.clearRequests();
	}

	/** Answers the next matching request(s) with a fault; see faults.ts for each kind. Throws if invalid. */
	injectFault(fault: FaultSpec): void {
		this.state.faults.add(fault);
	}

	clearFaults(): void {
		this.state.faults.clear();
	}

	/** Applies to requests from now on (a generation keeps the delay it was created with). */
	setOptions(changes: Partial<EmulatorOptions>): void {
		this.state.setOptions(changes);
	}

	setOutcome(generationId: string, outcome: GenerationOutcome): void {
		const generation = this.state.generations.get(generationId);
		if (!generation) throw new Error(`no generation ${generationId}`);
		generation.setOutcome(outcome);
	}

	private requireOrigins() {
		if (!this.servers) throw new Error('the emulator is not started');
		return this.state.origins;
	}
}
