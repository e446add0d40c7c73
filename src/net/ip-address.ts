/**
 * IP address literals in every spelling a resolver or URL parser accepts,
 * turned into bytes. Pure TypeScript, so it runs on every runtime.
 *
 * IPv4 follows `inet_aton`, which both the WHATWG URL parser and most C
 * resolvers implement: one to four parts, each decimal, `0x` hex or
 * `0`-prefixed octal, the last part filling the remaining bytes
 * (`2130706433`, `0x7f.1`, `0177.0.0.1` and `127.1` are all 127.0.0.1).
 *
 * @module
 */

/** The longest digit string of one IPv4 part worth parsing (after leading zeros). */
const MAX_PART_DIGITS = { 8: 11, 10: 10, 16: 8 } as const;

function parsePart(part: string): number | null {
  if (part.length === 0) return null;
  let radix: 8 | 10 | 16 = 10;
  let digits = part;
  if (/^0x/i.test(part)) {
    radix = 16;
    digits = part.slice(2);
    // `0x` alone is 0 for inet_aton and the URL parser.
    if (digits.length === 0) return 0;
  } else if (part.length > 1 && part.startsWith('0')) {
    radix = 8;
    digits = part.slice(1);
  }
  const pattern = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!pattern.test(digits)) return null;
  const significant = digits.replace(/^0+/, '');
  if (significant.length > MAX_PART_DIGITS[radix]) return null;
  return significant.length === 0 ? 0 : parseInt(significant, radix);
}

/**
 * The four bytes of an IPv4 literal in any `inet_aton` spelling, or `null`
 * when `text` is not one. One trailing dot is accepted, as URLs allow.
 *
 * @example
 * ```ts
 * parseIPv4('0x7f.1') // Uint8Array [127, 0, 0, 1]
 * ```
 */
export function parseIPv4(text: string): Uint8Array | null {
  const trimmed = text.endsWith('.') ? text.slice(0, -1) : text;
  const parts = trimmed.split('.');
  if (parts.length === 0 || parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    const value = parsePart(part);
    if (value === null) return null;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((value) => value > 255)) return null;
  const lastBytes = 4 - values.length;
  if (last >= 2 ** (8 * lastBytes)) return null;
  const bytes = new Uint8Array(4);
  bytes.set(values);
  for (let i = 0; i < lastBytes; i++) bytes[3 - i] = Math.floor(last / 2 ** (8 * i)) % 256;
  return bytes;
}

/** Strict dotted-quad IPv4 (the only form allowed inside an IPv6 literal). */
function parseDottedQuad(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^(0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255))
    return null;
  return Uint8Array.from(parts.map(Number));
}

/**
 * The sixteen bytes of an IPv6 literal (brackets and a `%zone` suffix
 * allowed; an embedded dotted IPv4 tail allowed), or `null`.
 *
 * @example
 * ```ts
 * parseIPv6('[::ffff:127.0.0.1]') // bytes of ::ffff:7f00:1
 * ```
 */
export function parseIPv6(text: string): Uint8Array | null {
  let value = text;
  if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
  const zone = value.indexOf('%');
  if (zone >= 0) value = value.slice(0, zone);
  if (!value.includes(':')) return null;
  const halves = value.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (half: string): number[] | null => {
    if (half.length === 0) return [];
    const groups: number[] = [];
    const pieces = half.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseDottedQuad(piece);
        if (!v4) return null;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-f]{1,4}$/i.test(piece)) return null;
        groups.push(parseInt(piece, 16));
      }
    }
    return groups;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return null;
  // A dotted tail is only allowed at the very end.
  if (halves.length === 2 && halves[0]!.includes('.')) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

/**
 * The bytes of `host` when it is an IP literal (IPv4 in any spelling, IPv6
 * with or without brackets), else `null` (a host name).
 */
export function parseIpLiteral(host: string): Uint8Array | null {
  if (host.includes(':') || host.startsWith('[')) return parseIPv6(host);
  return parseIPv4(host);
}

/** Canonical text of an address: dotted quad, or compressed lower-case IPv6. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength && end - i > 1) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
