/**
 * Property tests (fast-check) of the key pool entry points: whatever a
 * caller passes to keyPools, setPoolPolicy, removePoolPolicy, listPools or
 * withKey, the call succeeds or rejects with a typed ByokitError; a rejected
 * admin call writes nothing; withKey with bad arguments makes no call.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyPools } from '../../src/index.js';
import { dumpAll } from '../store/memory-helpers.js';
import { RUNS, configId, junk, provider, scope, typedOrDone } from '../fuzz/arbitraries.js';
import { poolVault } from './helpers.js';

const member = (ids: readonly string[]) =>
  fc.record(
    {
      configId: configId(ids),
      priority: fc.oneof(fc.integer({ min: -5, max: 2000 }), junk),
      weight: fc.oneof(fc.integer({ min: -5, max: 2000 }), junk),
    },
    { requiredKeys: [] },
  );

describe('key pool inputs: typed errors only', () => {
  it('keyPools with any options', async () => {
    const option = fc.oneof(
      fc.integer({ min: -10, max: 2_000_000 }),
      fc.double(),
      fc.constantFrom('fail', 'platform', 'x'),
      junk,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.dictionary(
            fc.constantFrom(
              'factsTtlMs',
              'backoffMs',
              'maxCooldownMs',
              'maxKeys',
              'maxAttempts',
              'timeoutMs',
              'onFailure',
              'other',
            ),
            option,
          ),
          junk,
        ),
        async (options) => {
          await typedOrDone(() => keyPools(options as never));
        },
      ),
      RUNS,
    );
  });

  it('setPoolPolicy, removePoolPolicy and listPools with any input; a rejected write changes nothing', async () => {
    const setup = await poolVault(['a', 'b']);
    const ids = Object.values(setup.ids);
    const policy = fc.record(
      {
        scope,
        provider,
        policy: fc.oneof(fc.constantFrom('default', 'failover', 'round-robin', 'weighted', 'random'), junk),
        members: fc.oneof(fc.array(member(ids), { maxLength: 4 }), junk),
        extra: junk,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(policy, junk),
        fc.oneof(fc.record({ scope, provider }, { requiredKeys: [] }), junk),
        async (input, key) => {
          const dump = () => dumpAll(setup.store as never);
          const code = await typedOrDone(() => setup.owner.setPoolPolicy(input as never), [], undefined);
          if (code !== 'ok') await typedOrDone(() => setup.owner.setPoolPolicy(input as never), [], dump);
          await typedOrDone(() => setup.owner.removePoolPolicy(key as never));
          await typedOrDone(() => setup.owner.listPools(key as never), [], dump);
        },
      ),
      { numRuns: 60 },
    );
    // Whatever was written, resolution still works and names a pool key.
    const r = await setup.vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(ids).toContain(r.configId);
  });

  it('withKey with any request, function and options: typed errors, and no call when they are bad', async () => {
    const setup = await poolVault(['a']);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.record({ tenantId: fc.constantFrom('acme', ''), provider }, { requiredKeys: [] }), junk),
        fc.oneof(fc.constant('fn'), junk),
        fc.oneof(
          fc.record(
            {
              maxAttempts: fc.oneof(fc.integer({ min: -1, max: 20 }), junk),
              timeoutMs: junk,
              onFailure: junk,
              signal: fc.oneof(junk, fc.record({ aborted: fc.boolean() })),
              expect: junk,
              clientOptions: junk,
            },
            { requiredKeys: [] },
          ),
          junk,
        ),
        async (request, fn, options) => {
          let calls = 0;
          const run = fn === 'fn' ? async () => (calls += 1) : fn;
          const code = await typedOrDone(() => setup.vault.withKey(request as never, run as never, options as never));
          if (code !== 'ok') expect(calls).toBe(0);
        },
      ),
      { numRuns: 80 },
    );
  });
});
