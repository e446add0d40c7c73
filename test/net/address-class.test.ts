import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyAddress, classifyHost, type AddressClass } from '../../src/net/address-class.js';
import { formatIp, parseIPv4, parseIPv6, parseIpLiteral } from '../../src/net/ip-address.js';

describe('IPv4 literals in every inet_aton spelling', () => {
  it.each([
    ['127.0.0.1', [127, 0, 0, 1]],
    ['2130706433', [127, 0, 0, 1]],
    ['0x7f000001', [127, 0, 0, 1]],
    ['0X7F000001', [127, 0, 0, 1]],
    ['017700000001', [127, 0, 0, 1]],
    ['0177.0.0.1', [127, 0, 0, 1]],
    ['0x7f.1', [127, 0, 0, 1]],
    ['127.1', [127, 0, 0, 1]],
    ['127.0.1', [127, 0, 0, 1]],
    ['0x7f.0x0.0x0.0x1', [127, 0, 0, 1]],
    ['00000000000000000177.0.0.1', [127, 0, 0, 1]], // leading zeros: octal
    ['127.0.0.1.', [127, 0, 0, 1]],
    ['169.254.43518', [169, 254, 169, 254]],
    ['0xa9fea9fe', [169, 254, 169, 254]],
    ['2852039166', [169, 254, 169, 254]],
    ['0', [0, 0, 0, 0]],
    ['0x', [0, 0, 0, 0]],
  ])('%s', (text, bytes) => {
    expect(Array.from(parseIPv4(text)!)).toEqual(bytes);
  });

  it.each([
    '256.0.0.1',
    '1.2.3.4.5',
    '4294967296',
    '0x100000000',
    '1..2',
    '08.0.0.1',
    'example.com',
    '',
    '1.2.3.256',
    '1e3',
    ' 1.2.3.4',
  ])('rejects %j', (text) => {
    expect(parseIPv4(text)).toBeNull();
  });

  it('agrees with the WHATWG URL parser on what an IPv4 host is', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat(300), fc.nat(0xffffffff)), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(8, 10, 16),
        (parts, radix) => {
          const spell = (n: number) =>
            radix === 16 ? `0x${n.toString(16)}` : radix === 8 ? `0${n.toString(8)}` : `${n}`;
          const host = parts.map(spell).join('.');
          let viaUrl: string | null;
          try {
            viaUrl = new URL(`http://${host}/`).hostname;
          } catch {
            viaUrl = null;
          }
          const ours = parseIPv4(host);
          expect(ours === null ? null : formatIp(ours)).toBe(viaUrl);
        },
      ),
    );
  });
});

describe('IPv6 literals', () => {
  it.each([
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['::ffff:7f00:1', '::ffff:7f00:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['64:ff9b::10.0.0.1', '64:ff9b::a00:1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ])('%s', (text, canonical) => {
    expect(formatIp(parseIPv6(text)!)).toBe(canonical);
  });

  it.each([':::1', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::1', '::1.2.3', 'g::1', '1.2.3.4'])('rejects %j', (text) => {
    expect(parseIPv6(text)).toBeNull();
  });

  it('round-trips every address through its canonical text (the URL parser agrees)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const text = formatIp(bytes);
        expect(Array.from(parseIPv6(text)!)).toEqual(Array.from(bytes));
        expect(new URL(`http://[${text}]/`).hostname).toBe(`[${text}]`);
      }),
    );
  });
});

describe('address classes', () => {
  const cases: [string, AddressClass][] = [
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['100.128.0.1', 'public'],
    ['169.254.1.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['168.63.129.17', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::127.0.0.1', 'loopback'],
    ['::ffff:0:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['64:ff9b:1::1', 'private'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:a9fe:a9fe::', 'metadata'],
    ['2002:0808:0808::1', 'public'],
    ['fd00:ec2::254', 'metadata'],
    ['fc00::1', 'private'],
    ['fdff::1', 'private'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'],
    ['100::1', 'reserved'],
    ['2606:4700::1111', 'public'],
  ];
  it.each(cases)('%s is %s', (text, kind) => {
    expect(classifyAddress(parseIpLiteral(text)!)).toBe(kind);
  });

  it('classifies hosts: literals in any spelling, special names, other names unknown', () => {
    expect(classifyHost('0x7f.1')).toBe('loopback');
    expect(classifyHost('2852039166')).toBe('metadata');
    expect(classifyHost('[::ffff:169.254.169.254]')).toBe('metadata');
    expect(classifyHost('LOCALHOST.')).toBe('loopback');
    expect(classifyHost('api.localhost')).toBe('loopback');
    expect(classifyHost('metadata.google.internal')).toBe('metadata');
    expect(classifyHost('Metadata')).toBe('metadata');
    expect(classifyHost('api.openai.com')).toBeNull();
  });

  it('an IPv4-mapped, NAT64 or 6to4 address is classified like the IPv4 address it embeds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (v4) => {
        const kind = classifyAddress(v4);
        const mapped = new Uint8Array(16);
        mapped.set([0xff, 0xff], 10);
        mapped.set(v4, 12);
        const nat64 = new Uint8Array(16);
        nat64.set([0x00, 0x64, 0xff, 0x9b], 0);
        nat64.set(v4, 12);
        const sixToFour = new Uint8Array(16);
        sixToFour.set([0x20, 0x02], 0);
        sixToFour.set(v4, 2);
        expect(classifyAddress(mapped)).toBe(kind);
        expect(classifyAddress(nat64)).toBe(kind);
        expect(classifyAddress(sixToFour)).toBe(kind);
      }),
    );
  });

  it('every spelling the URL parser accepts for a host lands in the same class as its canonical form', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.constantFrom('dec', 'hex', 'oct', 'int', 'short'),
        (v4, spelling) => {
          const [a, b, c, d] = Array.from(v4) as [number, number, number, number];
          const int = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
          const host =
            spelling === 'dec'
              ? `${a}.${b}.${c}.${d}`
              : spelling === 'hex'
                ? `0x${a.toString(16)}.0x${b.toString(16)}.0x${c.toString(16)}.0x${d.toString(16)}`
                : spelling === 'oct'
                  ? `0${a.toString(8)}.0${b.toString(8)}.0${c.toString(8)}.0${d.toString(8)}`
                  : spelling === 'int'
                    ? `${int}`
                    : `${a}.${(b << 16) + (c << 8) + d}`;
          expect(classifyHost(host)).toBe(classifyAddress(v4));
          expect(classifyHost(new URL(`http://${host}/`).hostname)).toBe(classifyAddress(v4));
        },
      ),
    );
  });
});
