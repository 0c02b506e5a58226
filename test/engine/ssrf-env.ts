/** Imported first by ssrf.test.ts: n8n reads its SSRF settings when its container first builds them. */
process.env.N8N_SSRF_PROTECTION_ENABLED = 'true';
process.env.N8N_SSRF_ALLOWED_IP_RANGES = '127.0.0.1/32';
