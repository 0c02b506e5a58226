/** Delete through n8n's engine against the emulator: one DELETE per item; an unknown ID fails clearly. */
import { randomUUID } from 'node:crypto';

import { generate, useEmulator } from '../helpers/scenario';

const { emulator, run, requests } = useEmulator();

const remove = (generationId: string) => ({ resource: 'video', operation: 'delete', generationId });

test('an existing generation is deleted with one request; Get then finds no such generation', async () => {
	const generated = await run(generate());
	expect(generated.error).toBeUndefined();
	const generationId = generated.items[0].json.generationId as string;

	const deleted = await run(remove(generationId));
	expect(deleted.items[0].json).toEqual({ generationId, deleted: true });
	expect(requests('delete')).toHaveLength(1);
	expect(emulator.generations.has(generationId)).toBe(false);

	const gone = await run({ resource: 'video', operation: 'get', generationId });
	expect(gone.error?.message).toBe(`Leonardo has no generation with ID ${generationId}`);
}, 20_000);

test('an unknown ID: a clear error that says it may have been deleted already; one request, not retried', async () => {
	const unknownId = randomUUID();
	const result = await run(remove(unknownId));
	expect(result.error?.message).toBe(`Leonardo has no generation with ID ${unknownId} to delete`);
	expect(result.error?.description).toMatch(/deleted already/);
	expect(requests('delete')).toHaveLength(1);
});
