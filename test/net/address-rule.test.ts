import { describe, expect, it } from 'vitest';
import { AddressRule } from '../../src/net/address-rule.js';
import { checkEndpoint, networkPolicy, overridePolicy } from '../../src/net/endpoint-policy.js';

const url = (text: string) => new URL(text);

describe('the default address rule (no opt-in)', () => {
  const rule = AddressRule.from(undefined);

  it.each([
    'http://127.0.0.1:11434',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://metadata/',
    'http://10.0.0.1/',
    'http://192.168.1.1/',
    'http://172.16.5.4/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://[::]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[2002:7f00:1::]/',
    'http://[fe80::1]/',
    'http://localhost:8080/',
    'http://LOCALHOST./',
    'http://tenant.localhost/',
  ])('refuses %s', (text) => {
    expect(rule.checkUrl(url(text))).toMatch(/address/);
  });

  it.each([
    'https://api.openai.com/v1',
    'https://8.8.8.8/',
    'https://[2606:4700::1111]/',
    'http://gateway.example.com/',
  ])('allows %s', (text) => {
    expect(rule.checkUrl(url(text))).toBeNull();
  });

  it('refuses other schemes and credentials', () => {
    expect(rule.checkUrl(url('ftp://example.com/'))).toMatch(/http/);
    expect(rule.checkUrl(url('https://user:pw@example.com/'))).toMatch(/credentials/);
  });

  it('checks resolved addresses of any name', () => {
    expect(rule.checkResolved('api.example.com', '10.0.0.5')).toBe('a private address');
    expect(rule.checkResolved('api.example.com', '::ffff:169.254.169.254')).toBe('a cloud metadata address');
    expect(rule.checkResolved('api.example.com', '104.18.0.1')).toBeNull();
  });
});

describe('allowPrivateEndpoints', () => {
  it('true allows loopback, private and link-local, never metadata or unspecified', () => {
    const rule = AddressRule.from(true);
    for (const text of [
      'http://127.0.0.1/',
      'http://localhost/',
      'http://10.1.1.1/',
      'http://[fd12::1]/',
      'http://169.254.10.10/',
    ]) {
      expect(rule.checkUrl(url(text)), text).toBeNull();
    }
    for (const text of [
      'http://169.254.169.254/',
      'http://metadata.google.internal/',
      'http://0.0.0.0/',
      'http://[fd00:ec2::254]/',
    ]) {
      expect(rule.checkUrl(url(text)), text).not.toBeNull();
    }
  });

  it('a list allows exactly the names, IPs and CIDRs it holds', () => {
    const rule = AddressRule.from(['ollama.internal', '*.svc.cluster.local', '10.20.0.0/16', '127.0.0.1']);
    expect(rule.checkUrl(url('http://ollama.internal:11434/'))).toBeNull();
    expect(rule.checkResolved('ollama.internal', '10.99.0.1')).toBeNull();
    expect(rule.checkResolved('llm.ns.svc.cluster.local', '172.20.0.9')).toBeNull();
    expect(rule.checkResolved('evil.example.com', '172.20.0.9')).toBe('a private address');
    expect(rule.checkUrl(url('http://10.20.3.4/'))).toBeNull();
    expect(rule.checkUrl(url('http://[::ffff:10.20.3.4]/'))).toBeNull();
    expect(rule.checkUrl(url('http://10.21.0.1/'))).toBe('a private address');
    expect(rule.checkUrl(url('http://127.0.0.1:9/'))).toBeNull();
    expect(rule.checkUrl(url('http://127.0.0.2/'))).toBe('a loopback address');
    expect(rule.checkUrl(url('http://localhost/'))).toMatch(/loopback/);
  });

  it('a metadata address passes only when listed exactly', () => {
    expect(AddressRule.from(['169.254.0.0/16']).checkUrl(url('http://169.254.169.254/'))).toBe(
      'a cloud metadata address',
    );
    expect(AddressRule.from(['169.254.0.0/16']).checkUrl(url('http://169.254.3.3/'))).toBeNull();
    expect(AddressRule.from(['169.254.169.254']).checkUrl(url('http://169.254.169.254/'))).toBeNull();
  });

  it.each([
    ['*.internal', 'http://metadata.google.internal/computeMetadata/v1'],
    ['*.google.internal', 'http://metadata.google.internal/computeMetadata/v1'],
    ['*.ec2.internal', 'http://instance-data.ec2.internal/latest/meta-data/'],
  ])('a wildcard entry %s never lets a metadata service name through (%s)', (entry, text) => {
    const rule = AddressRule.from([entry]);
    expect(rule.checkUrl(url(text))).toMatch(/metadata/);
    expect(rule.checkUrl(url(`http://llm.${entry.slice(2)}/`))).toBeNull();
  });

  it('a listed name that resolves to a metadata address is refused, unless that address is listed exactly', () => {
    const byName = AddressRule.from(['*.ec2.internal', 'gateway.corp']);
    expect(byName.checkResolved('instance-data.ec2.internal', '169.254.169.254')).toBe('a cloud metadata address');
    expect(byName.checkResolved('gateway.corp', '::ffff:169.254.169.254')).toBe('a cloud metadata address');
    expect(byName.checkResolved('gateway.corp', '10.0.0.7')).toBeNull();
    expect(AddressRule.from(['gateway.corp', '169.254.0.0/16']).checkResolved('gateway.corp', '169.254.169.254')).toBe(
      'a cloud metadata address',
    );
    const exact = AddressRule.from(['metadata.google.internal', '169.254.169.254']);
    expect(exact.checkUrl(url('http://metadata.google.internal/'))).toBeNull();
    expect(exact.checkResolved('metadata.google.internal', '169.254.169.254')).toBeNull();
    expect(
      AddressRule.from(['metadata.google.internal']).checkResolved('metadata.google.internal', '169.254.169.254'),
    ).toBe('a cloud metadata address');
  });

  it("Azure's WireServer (168.63.129.16) is a metadata address: refused by default and by `true`", () => {
    expect(AddressRule.from(undefined).checkUrl(url('http://168.63.129.16/machine?comp=goalstate'))).toBe(
      'a cloud metadata address',
    );
    expect(AddressRule.from(true).checkResolved('wire.example.com', '168.63.129.16')).toBe('a cloud metadata address');
    expect(AddressRule.from(['168.63.129.16']).checkUrl(url('http://168.63.129.16/'))).toBeNull();
  });

  it('rejects malformed entries with a typed VALIDATION_FAILED error naming them', () => {
    expect(() => AddressRule.from(['10.0.0.0/33'])).toThrow(/10\.0\.0\.0\/33/);
    for (const bad of [['http://x'], [''], 'yes']) {
      expect(() => AddressRule.from(bad as never)).toThrow(
        expect.objectContaining({ name: 'ValidationError', code: 'VALIDATION_FAILED' }),
      );
    }
  });

  it('equal opt-ins share a key (and so a connection pool)', () => {
    expect(AddressRule.from(['b.example', '10.0.0.0/8']).key).toBe(AddressRule.from(['10.0.0.0/8', 'B.example']).key);
    expect(AddressRule.from(undefined).key).not.toBe(AddressRule.from(true).key);
  });
});

describe('the whole policy: address rule, then the host function', () => {
  const request = { tenantId: 't', provider: 'openai', action: 'request' as const };

  it('the host function is asked only for URLs the address rule allows, and can narrow them', async () => {
    const asked: string[] = [];
    const policy = networkPolicy({
      endpointPolicy: (u) => {
        asked.push(u.hostname);
        return u.protocol === 'https:';
      },
    });
    expect(await checkEndpoint(policy, 'http://127.0.0.1/', request)).toMatch(/loopback/);
    expect(await checkEndpoint(policy, 'http://api.example.com/', request)).toBe('not allowed by the endpoint policy');
    expect(await checkEndpoint(policy, 'https://api.example.com/', request)).toBeNull();
    expect(asked).toEqual(['api.example.com', 'api.example.com']);
  });

  it('createClient options replace only the fields they set', () => {
    const host = () => true;
    const base = networkPolicy({ allowPrivateEndpoints: ['10.0.0.0/8'], endpointPolicy: host });
    const widened = overridePolicy(base, { allowPrivateEndpoints: true });
    expect(widened.endpointPolicy).toBe(host);
    expect(widened.rule.checkUrl(url('http://192.168.0.1/'))).toBeNull();
    expect(overridePolicy(base, {})).toBe(base);
  });
});
