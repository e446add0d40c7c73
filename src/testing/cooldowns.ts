/**
 * Group `cooldowns`: `putKeyCooldown` keeps the later cooldown of a key
 * (also under concurrent writes), `loadKeyCooldowns` returns only the
 * tenant's cooldowns that end after `now`, and a cooldown expires on its
 * own at `until`.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { KeyCooldownRecord } from '../store/cooldown-storage.js';
import type { StorageAdapter } from '../store/types.js';
import { makeTenantIds } from './fixtures.js';
import { createConfig, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

/** An ISO time `ms` from now. */
const fromNow = (ms: number) => new Date(Date.now() + ms).toISOString();

function cooldown(tenantId: string, configId: string, until: string): KeyCooldownRecord {
  return { tenantId, configId, until, reason: 'rate_limited', setAt: new Date().toISOString() };
}

async function untilOf(
  store: StorageAdapter,
  tenantId: string,
  configId: string,
  now = new Date().toISOString(),
): Promise<string | null> {
  const found = await store.loadKeyCooldowns(tenantId, [configId], now);
  return found.length === 0 ? null : found[0]!.until;
}

/** Registers the `cooldowns` group. */
export function describeCooldowns(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'cooldowns'), () => {
    const sut = useStore(options);

    it('putKeyCooldown stores a cooldown that loadKeyCooldowns returns equal; keys without one are absent', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const one = await createConfig(store, { tenantId: a, name: 'one' });
      const two = await createConfig(store, { tenantId: a, name: 'two' });
      const record = cooldown(a, one.id, fromNow(60_000));
      await store.putKeyCooldown(a, record);
      expect(await store.loadKeyCooldowns(a, [one.id, two.id, 'cfg_missing'], new Date().toISOString())).toStrictEqual([
        record,
      ]);
      expect(await store.loadKeyCooldowns(a, [], new Date().toISOString())).toStrictEqual([]);
      // The config itself is untouched.
      expect((await store.getConfig(a, one.id))?.revision).toBe(1);
    });

    it('the later cooldown wins: a shorter one never shortens a longer one', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const longer = fromNow(120_000);
      await store.putKeyCooldown(a, cooldown(a, 'cfg_k', fromNow(30_000)));
      await store.putKeyCooldown(a, cooldown(a, 'cfg_k', longer));
      await store.putKeyCooldown(a, cooldown(a, 'cfg_k', fromNow(60_000)));
      expect(await untilOf(store, a, 'cfg_k')).toBe(longer);
    });

    it('concurrent puts of one key end at the latest until', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const untils = Array.from({ length: 12 }, (_, i) => fromNow(10_000 + ((i * 7) % 12) * 1000));
      await Promise.all(untils.map((until) => store.putKeyCooldown(a, cooldown(a, 'cfg_race', until))));
      expect(await untilOf(store, a, 'cfg_race')).toBe([...untils].sort().at(-1));
    });

    it('a cooldown that ends at or before `now` is not returned (compared as ISO strings)', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const until = fromNow(60_000);
      await store.putKeyCooldown(a, cooldown(a, 'cfg_t', until));
      expect(await untilOf(store, a, 'cfg_t', until)).toBeNull();
      expect(await untilOf(store, a, 'cfg_t', new Date(Date.parse(until) - 1).toISOString())).toBe(until);
    });

    it('a cooldown expires on its own: after its until it is gone, and a new one can be set', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      await store.putKeyCooldown(a, cooldown(a, 'cfg_e', fromNow(150)));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await store.loadKeyCooldowns(a, ['cfg_e'], new Date().toISOString())).toStrictEqual([]);
      const next = fromNow(60_000);
      await store.putKeyCooldown(a, cooldown(a, 'cfg_e', next));
      expect(await untilOf(store, a, 'cfg_e')).toBe(next);
    });

    it('cooldowns are per tenant: another tenant’s are never returned, and its puts never touch this one’s', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const mine = fromNow(30_000);
      await store.putKeyCooldown(a, cooldown(a, 'cfg_shared', mine));
      await store.putKeyCooldown(b, cooldown(b, 'cfg_shared', fromNow(90_000)));
      expect(await untilOf(store, a, 'cfg_shared')).toBe(mine);
      const theirs = await store.loadKeyCooldowns(b, ['cfg_shared'], new Date().toISOString());
      expect(theirs.map((c) => c.tenantId)).toStrictEqual([b]);
      // Stored under the tenant of the call, whatever the record says.
      await store.putKeyCooldown(a, cooldown(b, 'cfg_named_b', fromNow(30_000)));
      expect(await untilOf(store, b, 'cfg_named_b')).toBeNull();
      expect((await store.loadKeyCooldowns(a, ['cfg_named_b'], new Date().toISOString()))[0]?.tenantId).toBe(a);
    });
  });
}
