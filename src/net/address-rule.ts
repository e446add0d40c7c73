/**
 * The built-in address rule: which destinations a key may travel to before
 * the host's own endpoint policy is even asked. Public addresses pass;
 * loopback, private, link-local, metadata and other non-public addresses are
 * refused unless the host opted in with `allowPrivateEndpoints`.
 *
 * @module
 */
import { ValidationError } from '../errors.js';
import { classifyAddress, classifyHost, normalizeHost, type AddressClass } from './address-class.js';
import { formatIp, parseIpLiteral } from './ip-address.js';
import { byokitMessage, withoutMessagePrefix } from '../message.js';

/**
 * The opt-in for self-hosted endpoints (a local Ollama, a gateway in your
 * VPC). `true` allows loopback, private and link-local addresses (never
 * cloud metadata services). A list allows exactly what it names:
 * host names (`'ollama.internal'`, or `'*.svc.cluster.local'` for every
 * subdomain), IP addresses and CIDR ranges (`'10.0.0.0/8'`, `'fd00::/8'`).
 * A listed host name is trusted whatever it resolves to (your DNS decides
 * it), except a metadata address. A metadata service passes only when
 * listed exactly: its name (`metadata.google.internal`, never through
 * `*.internal`) and its address (`169.254.169.254`, never through a range
 * or a listed name).
 */
export type PrivateEndpoints = boolean | readonly string[];

/** Classes `allowPrivateEndpoints: true` lets through. */
const SELF_HOSTED_CLASSES: ReadonlySet<AddressClass> = new Set(['loopback', 'private', 'link-local']);

interface Cidr {
  bytes: Uint8Array;
  bits: number;
}

function parseCidr(entry: string): Cidr | null {
  const slash = entry.indexOf('/');
  const address = slash >= 0 ? entry.slice(0, slash) : entry;
  const bytes = parseIpLiteral(address);
  if (!bytes) return null;
  const max = bytes.length * 8;
  if (slash < 0) return { bytes, bits: max };
  const text = entry.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(text) || Number(text) > max) return null;
  return { bytes, bits: Number(text) };
}

function cidrContains(cidr: Cidr, bytes: Uint8Array): boolean {
  if (cidr.bytes.length !== bytes.length) return false;
  for (let bit = 0; bit < cidr.bits; bit++) {
    const mask = 0x80 >> (bit % 8);
    const byte = Math.floor(bit / 8);
    if ((cidr.bytes[byte]! & mask) !== (bytes[byte]! & mask)) return false;
  }
  return true;
}

/** IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as its IPv4 bytes, so a v4 CIDR matches it too. */
function unmapped(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return bytes.slice(12);
  }
  return bytes;
}

const HOST_NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/** What the rule decides for one destination: `null` when allowed, else why not (no secrets, no URL). */
export type Refusal = string | null;

function describeClass(kind: AddressClass): string {
  return kind === 'metadata'
    ? 'a cloud metadata address'
    : kind === 'unspecified'
      ? 'an unspecified address'
      : `a ${kind} address`;
}

/**
 * The compiled form of `allowPrivateEndpoints`. Build one with
 * {@link AddressRule.from}; it is immutable and shared by every request.
 */
export class AddressRule {
  /** A stable text of the opt-in, so equal rules can share a connection pool. */
  readonly key: string;
  readonly #allowSelfHosted: boolean;
  readonly #names: ReadonlySet<string>;
  readonly #suffixes: readonly string[];
  readonly #cidrs: readonly Cidr[];

  private constructor(allowSelfHosted: boolean, names: string[], suffixes: string[], cidrs: Cidr[], key: string) {
    this.#allowSelfHosted = allowSelfHosted;
    this.#names = new Set(names);
    this.#suffixes = suffixes;
    this.#cidrs = cidrs;
    this.key = key;
  }

  /**
   * Compiles an opt-in. Throws a `VALIDATION_FAILED` error naming the bad entry (host
   * configuration, checked once when the vault is created).
   */
  static from(allow: PrivateEndpoints | undefined): AddressRule {
    if (allow === undefined || allow === false) return new AddressRule(false, [], [], [], 'default');
    if (allow === true) return new AddressRule(true, [], [], [], 'self-hosted');
    if (!Array.isArray(allow))
      throw invalidNetworkOption(
        byokitMessage('net', '`allowPrivateEndpoints` must be true, false or a list of host names, IPs and CIDRs'),
      );
    const names: string[] = [];
    const suffixes: string[] = [];
    const cidrs: Cidr[] = [];
    for (const raw of allow as readonly unknown[]) {
      if (typeof raw !== 'string' || raw.trim().length === 0)
        throw invalidNetworkOption(byokitMessage('net', '`allowPrivateEndpoints` entries must be non-empty strings'));
      const entry = normalizeHost(raw);
      const cidr = parseCidr(entry);
      if (cidr) cidrs.push(cidr);
      else if (HOST_NAME.test(entry))
        (entry.startsWith('*.') ? suffixes : names).push(entry.startsWith('*.') ? entry.slice(1) : entry);
      else
        throw invalidNetworkOption(
          byokitMessage(
            'net',
            `\`allowPrivateEndpoints\` entry "${raw}" is neither a host name, an IP address nor a CIDR range`,
          ),
        );
    }
    const key = [...names, ...suffixes.map((s) => `*${s}`), ...cidrs.map((c) => `${formatIp(c.bytes)}/${c.bits}`)]
      .sort()
      .join(',');
    return new AddressRule(false, names, suffixes, cidrs, `list:${key}`);
  }

  #nameListed(host: string): boolean {
    return this.#names.has(host) || this.#suffixes.some((suffix) => host.endsWith(suffix));
  }

  #addressAllowed(bytes: Uint8Array): Refusal {
    const kind = classifyAddress(bytes);
    if (kind === 'public') return null;
    const plain = unmapped(bytes);
    const listed = this.#cidrs.filter((cidr) => cidrContains(cidr, plain) || cidrContains(cidr, bytes));
    // A metadata service passes only when listed as exactly that address, never through a range.
    const exact = (cidr: Cidr) => cidr.bits === cidr.bytes.length * 8;
    if (listed.length > 0 && (kind !== 'metadata' || listed.some(exact))) return null;
    if (this.#allowSelfHosted && SELF_HOSTED_CLASSES.has(kind)) return null;
    return describeClass(kind);
  }

  /**
   * Checks a URL before anything is sent: scheme http(s), no credentials,
   * and a host that is not a refused IP literal (in any spelling) or a
   * special name (`localhost`, metadata names). Other host names pass here
   * and are checked again by what they resolve to.
   */
  checkUrl(url: URL): Refusal {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'only http and https URLs are allowed';
    if (url.username !== '' || url.password !== '') return 'the URL carries credentials';
    const host = normalizeHost(url.hostname);
    if (host.length === 0) return 'the URL has no host';
    const bytes = parseIpLiteral(host);
    if (bytes) return this.#addressAllowed(bytes);
    const kind = classifyHost(host);
    // A metadata service name passes only when listed as exactly that name, never through a suffix.
    if (kind === 'metadata' ? this.#names.has(host) : this.#nameListed(host)) return null;
    if (kind === null) return null;
    if (this.#allowSelfHosted && SELF_HOSTED_CLASSES.has(kind)) return null;
    return `${describeClass(kind)} (${kind === 'metadata' ? 'metadata service name' : 'special host name'})`;
  }

  /**
   * Checks one address a host name resolved to (at connect time where the
   * runtime allows), or an IP-literal host (`checkResolved(ip, ip)`). A
   * listed name passes whatever it resolves to, except a metadata address.
   */
  checkResolved(hostname: string, address: string): Refusal {
    const bytes = parseIpLiteral(address);
    if (!bytes) return 'the host name resolved to something that is not an IP address';
    if (classifyAddress(bytes) !== 'metadata' && this.#nameListed(normalizeHost(hostname))) return null;
    return this.#addressAllowed(bytes);
  }
}

/** A host configuration mistake in the network options: a typed error, checked once when the vault is created. */
export function invalidNetworkOption(message: string): ValidationError {
  return new ValidationError(message, [{ path: 'network', message: withoutMessagePrefix(message) }]);
}
