/**
 * Parameters held by expressions, through n8n's engine. The harness runs n8n-core's own pre-run issue
 * check, so a workflow n8n would refuse to start is refused here too (the run rejects).
 */
import { WorkflowHasIssuesError } from 'n8n-core';

import { generate, useEmulator } from '../helpers/scenario';

const { run, requests } = useEmulator();

test('n8n refuses, before any node runs, a workflow whose shown required field is empty', async () => {
	await expect(run(generate({ prompt: '' }))).rejects.toThrow(WorkflowHasIssuesError);
	await expect(run(generate({ prompt: '' }))).rejects.toThrow(/Parameter "Prompt" is required/);
	expect(requests()).toEqual([]);
});
