/**
 * What a paused Generate and the LTX Video Trigger say to each other. Generate POSTs a registration to
 * the trigger's production URL, `Authorization: Bearer <Webhook Callback API Key>` (the credential's
 * secret, the one Leonardo's callbacks carry): `{ ltxVideoPause: { generationIds, resumeUrl, expiresAt } }`.
 * A Leonardo callback never has the `ltxVideoPause` key (its envelope is `type`, `object`, `data`), so
 * the trigger tells the two apart by it.
 *
 * The trigger answers `{ registered: true, known: [...] }`: `known` lists the IDs that its stored copy of
 * the registry held, with this resume URL, when the call began. Workflow static data is saved whole at the
 * end of each call, so a concurrent call can undo a registration; Generate repeats the registration until
 * one answer says every ID was already known (see pause.ts).
 */
import type { IDataObject } from 'n8n-workflow';

import { UUID_PATTERN } from './validation';

export const PAUSE_BODY_KEY = 'ltxVideoPause';

export interface Registration {
	generationIds: string[];
	/** `$execution.resumeUrl` of the parked execution: secret, never logged or output. */
	resumeUrl: string;
	/** When the parked execution stops waiting (ms since epoch). */
	expiresAt: number;
}

export interface RegistrationAnswer {
	registered: boolean;
	known: string[];
}

/** More than any batch a node run can park (one generation per input item). */
export const MAX_REGISTERED_IDS = 10_000;

export function registrationBody(registration: Registration): IDataObject {
	return { [PAUSE_BODY_KEY]: { ...registration } };
}

export const isRegistrationBody = (body: unknown): boolean => typeof body === 'object' && body !== null && PAUSE_BODY_KEY in body;

/** A registration from a request body, or a string saying why it is unusable. */
export function readRegistration(body: unknown): Registration | string {
	const raw = (body as Record<string, unknown>)[PAUSE_BODY_KEY] as Record<string, unknown> | undefined;
	if (typeof raw !== 'object' || raw === null) return `"${PAUSE_BODY_KEY}" is not an object`;
	const { generationIds, resumeUrl, expiresAt } = raw;
	if (!Array.isArray(generationIds) || generationIds.length === 0 || generationIds.length > MAX_REGISTERED_IDS) return 'generationIds must be a non-empty list';
	if (!generationIds.every((id) => typeof id === 'string' && UUID_PATTERN.test(id))) return 'every generation ID must be a UUID';
	if (typeof resumeUrl !== 'string' || resumeUrl.length > 2000) return 'resumeUrl must be a string';
	if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return 'expiresAt must be a number';
	return { generationIds: generationIds as string[], resumeUrl, expiresAt };
}

export function readRegistrationAnswer(body: unknown): RegistrationAnswer | undefined {
	if (typeof body !== 'object' || body === null) return undefined;
	const { registered, known } = body as Record<string, unknown>;
	if (registered !== true || !Array.isArray(known)) return undefined;
	return { registered, known: known.filter((id): id is string => typeof id === 'string') };
}
