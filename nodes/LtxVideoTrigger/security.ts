/**
 * Who may call the trigger's webhook. The URL alone is no secret (it appears in logs, proxies and
 * Leonardo's key settings), so the shared "Webhook Callback API Key" is what proves a call is Leonardo's.
 */
import { createHash, timingSafeEqual } from 'crypto';

/** Leonardo's published source addresses for webhook callbacks (docs: guide to the webhook callback feature). */
export const LEONARDO_WEBHOOK_IPS: readonly string[] = [
	'35.173.108.170',
	'34.239.69.60',
	'52.73.75.186',
	'3.229.99.26',
	'44.218.0.197',
	'174.129.230.221',
];

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether the `authorization` header is exactly `Bearer <secret>`. Both sides are hashed first, so the
 * comparison takes the same time whatever the header holds (timingSafeEqual needs equal lengths).
 */
export function bearerMatches(header: unknown, secret: string): boolean {
	const received = typeof header === 'string' ? header : '';
	return timingSafeEqual(digest(received), digest(`Bearer ${secret}`));
}

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) is 1.2.3.4. */
export function normaliseIp(ip: unknown): string {
	const text = typeof ip === 'string' ? ip.trim() : '';
	return text.toLowerCase().startsWith('::ffff:') && text.includes('.') ? text.slice(7) : text;
}

/**
 * Whether the caller is one of Leonardo's addresses. `ip` is Express's `req.ip`: the socket's peer, or,
 * when n8n runs with N8N_PROXY_HOPS=n, the address n proxies back in X-Forwarded-For. Only that one
 * address counts: the other entries of X-Forwarded-For are whatever the caller wrote.
 */
export function isLeonardoIp(ip: unknown): boolean {
	return LEONARDO_WEBHOOK_IPS.includes(normaliseIp(ip));
}
