/**
 * Is a link's host on the user's own network (loopback, private, link-local, unspecified)? Read from the
 * host as written: nodes may not resolve names (no `dns` in community nodes), so a public-looking name
 * whose DNS answer is a private address is NOT caught here (n8n's SSRF protection, when on, checks
 * resolved addresses). Literal addresses are caught in every spelling, since the WHATWG URL parser
 * already turns `2130706433`, `0177.0.0.1` and `0x7f.1` into `127.0.0.1`, and `[::ffff:127.0.0.1]`
 * into `[::ffff:7f00:1]`, which is read back to its IPv4 address here.
 */

/** IPv4 ranges refused, as [first octets, prefix length, what it is]. */
const IPV4_RANGES: Array<[number[], number, string]> = [
	[[0], 8, 'an unspecified address'],
	[[10], 8, 'a private address'],
	[[100, 64], 10, 'a shared (carrier-grade NAT) address'],
	[[127], 8, 'a loopback address'],
	[[169, 254], 16, 'a link-local address'],
	[[172, 16], 12, 'a private address'],
	[[192, 168], 16, 'a private address'],
	[[224], 4, 'a multicast address'],
	[[240], 4, 'a reserved address'],
];

function ipv4Kind(octets: number[]): string | undefined {
	const value = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
	for (const [start, bits, kind] of IPV4_RANGES) {
		const first = ((start[0] << 24) | ((start[1] ?? 0) << 16)) >>> 0;
		const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
		if ((value & mask) >>> 0 === first) return kind;
	}
	return undefined;
}

/** The eight 16-bit groups of an IPv6 address as the URL parser writes it (compressed hex, no dotted part). */
function ipv6Groups(text: string): number[] | undefined {
	const [head, tail] = text.split('::');
	const part = (side: string | undefined) => (side ? side.split(':').map((group) => parseInt(group, 16)) : []);
	const before = part(head);
	const after = part(tail);
	const groups = text.includes('::') ? [...before, ...Array<number>(8 - before.length - after.length).fill(0), ...after] : before;
	return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : undefined;
}

const embeddedIpv4 = (high: number, low: number) => [high >> 8, high & 0xff, low >> 8, low & 0xff];

function ipv6Kind(groups: number[]): string | undefined {
	const zeros = (count: number) => groups.slice(0, count).every((group) => group === 0);
	if (zeros(8)) return 'an unspecified address';
	if (zeros(7) && groups[7] === 1) return 'a loopback address';
	// IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d): the IPv4 address inside counts.
	if ((zeros(5) && groups[5] === 0xffff) || zeros(6) || (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0))) {
		return ipv4Kind(embeddedIpv4(groups[6], groups[7]));
	}
	if (groups[0] === 0x2002) return ipv4Kind(embeddedIpv4(groups[1], groups[2])); // 6to4
	if ((groups[0] & 0xfe00) === 0xfc00) return 'a private address';
	if ((groups[0] & 0xffc0) === 0xfe80 || (groups[0] & 0xffc0) === 0xfec0) return 'a link-local address';
	if ((groups[0] & 0xff00) === 0xff00) return 'a multicast address';
	return undefined;
}

/**
 * What makes `hostname` (as `new URL(...).hostname` gives it) a host on the user's own network, in
 * words, or undefined when it looks public. Names: `localhost` and `*.localhost` (always loopback),
 * `*.local` (mDNS), `*.internal` (cloud metadata, e.g. metadata.google.internal) and names without a
 * dot (Docker and Kubernetes service names such as `minio` or `redis`).
 */
export function privateHostKind(hostname: string): string | undefined {
	const host = hostname.toLowerCase().replace(/\.$/, '');
	if (host.startsWith('[') && host.endsWith(']')) {
		const groups = ipv6Groups(host.slice(1, -1));
		return groups ? ipv6Kind(groups) : 'an address that cannot be read';
	}
	const octets = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host)?.slice(1).map(Number);
	if (octets) return ipv4Kind(octets);
	if (host === 'localhost' || host.endsWith('.localhost')) return 'a loopback name';
	if (host.endsWith('.local') || host.endsWith('.internal')) return 'a local network name';
	if (!host.includes('.')) return 'a local network name (no domain)';
	return undefined;
}
