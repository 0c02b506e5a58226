/**
 * LTX Video's `webhook()`: a call of a paused execution's resume URL (normally the LTX Video Trigger
 * relaying Leonardo's callback). Nothing in the request counts: the parked generations are read from
 * Leonardo. While any is pending the call is answered and the execution stays parked (no workflowData);
 * otherwise the caller is answered at once and the items are finished here (MP4s streamed into n8n's
 * binary store) and handed to n8n as the node's output. Several callers can run this at once (n8n runs
 * the execution once): nothing here is paid for or irreversible. Never throws (n8n would answer 500 and
 * break the run).
 */
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { apiBaseUrl } from '../../shared/transport';
import { canSettleResume, settleResume } from './parking';
import { finishParked, readStatuses } from './resume';

const stayParked: IWebhookResponseData = { noWebhookResponse: true };

function answer(ctx: IWebhookFunctions, status: number, body: IDataObject): void {
	const response = ctx.getResponseObject();
	if (!response.headersSent) response.status(status).json(body);
}

export async function resumeParkedExecution(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const node = ctx.getNode().name;
	try {
		if (!canSettleResume(ctx)) {
			ctx.logger.error(`LTX Video "${node}": a resume call came, but this n8n does not offer the parked node's execution data; the execution stays parked until its timeout`);
			answer(ctx, 500, { error: 'This n8n cannot resume the LTX Video node; see the n8n log.' });
			return stayParked;
		}
		const items = ctx.evaluateExpression('{{ $input.all() }}', 0) as unknown as INodeExecutionData[];
		const baseUrl = await apiBaseUrl(ctx);
		const statuses = await readStatuses(ctx, Array.isArray(items) ? items : [], baseUrl);
		if ('pending' in statuses) {
			ctx.logger.info(`LTX Video "${node}": resume call, still waiting (${statuses.pending})`);
			answer(ctx, 202, { resumed: false, waiting: true });
			return stayParked;
		}
		answer(ctx, 200, { resumed: true });
		const finished = await finishParked(ctx, items, statuses.records, baseUrl);
		settleResume(ctx, finished.failure);
		return { noWebhookResponse: true, workflowData: [finished.items] };
	} catch (error) {
		ctx.logger.error(`LTX Video "${node}": a resume call failed (${(error as Error).message}); the execution stays parked`);
		answer(ctx, 503, { error: 'The LTX Video node could not check its generations; try again.' });
		return stayParked;
	}
}
