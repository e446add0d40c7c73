/**
 * What kind of destination an address or host name is: the public internet,
 * or something inside the platform's own network that a tenant's base URL
 * must not reach by default (loopback, private, link-local, cloud metadata).
 * Addresses that embed an IPv4 address (IPv4-mapped and -compatible IPv6,
 * NAT64, 6to4) are classified by the address they embed.
 *
 * @module
 */
import { parseIpLiteral } from './ip-address.js';

/** Every class of destination, most specific first. */
export const ADDRESS_CLASSES = [
  'public',
  'loopback',
  'private',
  'link-local',
  'metadata',
  'unspecified',
  'multicast',
  'reserved',
] as const;

/**
 * `public`: routable on the internet. `loopback`: this machine. `private`:
 * RFC 1918, CGNAT 100.64/10, unique-local fc00::/7, site-local fec0::/10.
 * `link-local`: 169.254/16, fe80::/10. `metadata`: cloud instance metadata
 * services. `unspecified`: 0.0.0.0/8, `::` (reaches this machine on most
 * systems). `multicast`. `reserved`: broadcast, documentation, benchmarking,
 * Teredo and other ranges no API lives on.
 */
export type AddressClass = (typeof ADDRESS_CLASSES)[number];

/**
 * Cloud metadata services: AWS/GCP/Azure/OCI/DigitalOcean, AWS ECS and EKS,
 * Alibaba, and Azure's WireServer (168.63.129.16: goal state and extension
 * settings of the VM, public address space but answering every VM).
 */
const METADATA_V4 = new Set(['169.254.169.254', '169.254.170.2', '169.254.170.23', '100.100.100.200', '168.63.129.16']);
/** AWS IPv6 metadata (IMDS) and EKS pod identity. */
const METADATA_V6 = new Set(['fd00:ec2:0:0:0:0:0:254', 'fd00:ec2:0:0:0:0:0:23']);
/** Host names of metadata services (GCP, and the short names cloud resolvers answer). */
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
]);

function inV4(bytes: Uint8Array, prefix: readonly number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit++) {
    const byte = Math.floor(bit / 8);
    const mask = 0x80 >> (bit % 8);
    if ((bytes[byte]! & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
}

/** Class of a 4-byte IPv4 address. */
function classifyV4(b: Uint8Array): AddressClass {
  if (METADATA_V4.has(Array.from(b).join('.'))) return 'metadata';
  if (b[0] === 0) return 'unspecified';
  if (b[0] === 127) return 'loopback';
  if (b[0] === 10 || inV4(b, [172, 16], 12) || inV4(b, [192, 168], 16) || inV4(b, [100, 64], 10)) return 'private';
  if (inV4(b, [169, 254], 16)) return 'link-local';
  if (b[0]! >= 224 && b[0]! <= 239) return 'multicast';
  if (b[0]! >= 240) return 'reserved'; // 240/4 and 255.255.255.255
  if (
    inV4(b, [192, 0, 0], 24) ||
    inV4(b, [192, 0, 2], 24) ||
    inV4(b, [192, 88, 99], 24) ||
    inV4(b, [198, 18], 15) ||
    inV4(b, [198, 51, 100], 24) ||
    inV4(b, [203, 0, 113], 24)
  ) {
    return 'reserved';
  }
  return 'public';
}

function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

function v6Key(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return groups.join(':');
}

/** Class of a 16-byte IPv6 address. */
function classifyV6(b: Uint8Array): AddressClass {
  if (allZero(b, 0, 16)) return 'unspecified';
  if (allZero(b, 0, 15) && b[15] === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), ::ffff:0:a.b.c.d (SIIT).
  if (allZero(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return classifyV4(b.subarray(12));
  if (allZero(b, 0, 12)) return classifyV4(b.subarray(12));
  if (allZero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && allZero(b, 10, 12)) return classifyV4(b.subarray(12));
  // NAT64: 64:ff9b::/96 embeds a v4 address; 64:ff9b:1::/48 is for local networks.
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) {
    if (allZero(b, 4, 12)) return classifyV4(b.subarray(12));
    if (b[4] === 0x00 && b[5] === 0x01) return 'private';
  }
  // 6to4: 2002:a.b.c.d::/48 tunnels to the v4 address.
  if (b[0] === 0x20 && b[1] === 0x02) return classifyV4(b.subarray(2, 6));
  if (METADATA_V6.has(v6Key(b))) return 'metadata';
  if ((b[0]! & 0xfe) === 0xfc) return 'private'; // fc00::/7
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'link-local'; // fe80::/10
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return 'private'; // fec0::/10 (site-local)
  if (b[0] === 0xff) return 'multicast';
  // Teredo (2001::/32), documentation (2001:db8::/32, 3fff::/20), ORCHID, benchmarking.
  if (b[0] === 0x20 && b[1] === 0x01) {
    if (b[2] === 0x00 && b[3] === 0x00) return 'reserved';
    if (b[2] === 0x0d && b[3] === 0xb8) return 'reserved';
    if (b[2] === 0x00 && (b[3]! & 0xf0) === 0x10) return 'reserved'; // 2001:10::/28
    if (b[2] === 0x00 && b[3] === 0x02 && b[4] === 0x00 && b[5] === 0x00) return 'reserved'; // 2001:2::/48
  }
  if (b[0] === 0x3f && b[1] === 0xff && (b[2]! & 0xf0) === 0x00) return 'reserved';
  // Only 2000::/3 is global unicast.
  if ((b[0]! & 0xe0) !== 0x20) return 'reserved';
  return 'public';
}

/** The class of an address given as bytes (4 or 16). */
export function classifyAddress(bytes: Uint8Array): AddressClass {
  return bytes.length === 4 ? classifyV4(bytes) : classifyV6(bytes);
}

/** Lower-case host without brackets or one trailing dot. */
export function normalizeHost(host: string): string {
  let value = host.trim().toLowerCase();
  if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
  if (value.endsWith('.') && !value.includes(':')) value = value.slice(0, -1);
  return value;
}

/**
 * The class of a URL host: an IP literal in any spelling is classified by
 * its bytes; `localhost` (and `*.localhost`) is loopback; metadata service
 * names are metadata; any other name is `null` (its class depends on what
 * it resolves to).
 *
 * @example
 * ```ts
 * classifyHost('0x7f.1')                    // 'loopback'
 * classifyHost('[::ffff:169.254.169.254]')  // 'metadata'
 * classifyHost('api.openai.com')            // null
 * ```
 */
export function classifyHost(host: string): AddressClass | null {
  const name = normalizeHost(host);
  const bytes = parseIpLiteral(name);
  if (bytes) return classifyAddress(bytes);
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  if (METADATA_NAMES.has(name)) return 'metadata';
  return null;
}
