/**
 * Webhook lifecycle methods for webhooks that need nothing registered anywhere on publishing or
 * unpublishing: the trigger's (Leonardo's webhook URL is set per API key in its web app, no API exists)
 * and LTX Video's resume webhook (served by n8n for waiting executions only).
 */
import type { IHookFunctions } from 'n8n-workflow';

export const nothingToRegister = {
	default: {
		async checkExists(this: IHookFunctions): Promise<boolean> {
			return true;
		},
		async create(this: IHookFunctions): Promise<boolean> {
			return true;
		},
		async delete(this: IHookFunctions): Promise<boolean> {
			return true;
		},
	},
};
