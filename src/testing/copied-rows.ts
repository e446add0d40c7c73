/**
 * Group `copiedRows`: the "copied row" attack, run through the real vault
 * over the adapter under test. Someone with write access to the backend
 * copies tenant A's keyed config (sealed key included) into tenant B's
 * keyspace, then, as B's owner, tries to use it, re-point it at their own
 * server and have `validateKey` send it there. The vault builds every open
 * context from the tenant of the call and refuses records whose stored
 * tenant disagrees, so every attempt must fail and A's key must never leave.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
// By the package name, as in vault-round-trip: the same vault and error classes as the host's.
import { Keyring, createVault } from 'byokit';
import { makeTenantIds, uniqueSuffix } from './fixtures.js';
import { dumpOf, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

/** Reason printed when the copied-row checks are skipped. */
const NO_COPY_HOOK = 'raw copy; skipped when createStore returns no copyRowBehindAdapter';

/** A local server standing in for the attacker's: it records every request that reaches it. */
async function attackerServer(): Promise<{ url: string; received: string[]; close: () => Promise<void> }> {
  const received: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    received.push(`${request.method} ${request.url} ${JSON.stringify(request.headers)}`);
    request.resume();
    response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"no"}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Everything an error shows: message, stack and the whole cause chain. */
function textOf(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 10; depth++) {
    parts.push(String(e), e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : (JSON.stringify(e) ?? ''));
    e = e instanceof Error ? (e as { cause?: unknown }).cause : undefined;
  }
  return parts.join('\n');
}

/** Registers the `copiedRows` group. */
export function describeCopiedRows(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'copied rows'), () => {
    const sut = useStore(options);

    const kinds = [
      { keepStoredTenant: true, title: 'a verbatim copy (its tenant field still names tenant A)' },
      { keepStoredTenant: false, title: 'a copy whose tenant field was rewritten to tenant B' },
    ];
    for (const { keepStoredTenant, title } of kinds) {
      it(`${title} of A's keyed config in B's keyspace never opens for B, can't be re-pointed, and A's key never leaves (${NO_COPY_HOOK})`, async (ctx) => {
        const current = sut();
        if (!current.copyRowBehindAdapter) ctx.skip('createStore returned no copyRowBehindAdapter');
        const { store } = current;
        const { a, b } = makeTenantIds();
        const server = await attackerServer();
        try {
          // Allow any endpoint: the attack must fail because of the vault's checks, not because a policy refused the URL.
          const vault = createVault({ store, keyring: Keyring.generate(), allowPrivateEndpoints: ['127.0.0.1'] });
          const ownerA = vault.as({ tenantId: a, actor: { id: 'owner-a', role: 'owner' } });
          const canary = `sk-proj-canary${uniqueSuffix()}${uniqueSuffix()}${uniqueSuffix()}${uniqueSuffix()}`;
          const config = await ownerA.createConfig({
            name: 'gateway',
            provider: 'custom',
            routes: ['openai'],
            baseUrl: 'https://gateway-a.example/v1',
          });
          await ownerA.setKey(config.id, canary);
          const rowOfA = await store.loadSealedConfig(a, config.id);

          const copied = await current.copyRowBehindAdapter!({ tenantId: a, id: config.id }, b, { keepStoredTenant });
          if (!copied)
            ctx.skip(`this backend cannot hold ${keepStoredTenant ? 'a verbatim copy' : 'a rewritten copy'}`);
          const before = await dumpOf(current);
          const copyOfB = await store.loadSealedConfig(b, config.id);
          expect(copyOfB?.sealedKey, 'the copy holds A’s sealed key').toBe(rowOfA!.sealedKey);

          const ownerB = vault.as({ tenantId: b, actor: { id: 'owner-b', role: 'owner' } });
          // One after the other, as an attacker would: re-point first, then have the vault call the new URL.
          const attempts: Record<string, () => Promise<unknown>> = {
            resolveByProvider: () => vault.resolve({ tenantId: b, provider: 'openai' }),
            resolveByConfig: () => vault.resolve({ tenantId: b, config: config.id }),
            repointBaseUrl: () => ownerB.updateConfig(config.id, { baseUrl: server.url }),
            validateKey: () => ownerB.validateKey(config.id),
          };
          for (const [name, attempt] of Object.entries(attempts)) {
            const outcome = await attempt().then(
              (value) => ({ value }),
              (error: unknown) => ({ error }),
            );
            expect('error' in outcome, `${name} must fail`).toBe(true);
            const error = (outcome as { error: unknown }).error;
            expect(['RECORD_MISMATCH', 'KEY_UNDECRYPTABLE'], `${name}: ${String(error)}`).toContain(
              (error as { code?: unknown }).code,
            );
            expect(textOf(error)).not.toContain(canary);
          }

          expect(server.received, 'requests that reached the attacker’s server').toStrictEqual([]);
          expect(JSON.stringify(await store.listAudit(b, { limit: 100 }))).not.toContain(canary);
          expect(await store.loadSealedConfig(b, config.id)).toStrictEqual(copyOfB);
          if (before !== null) expect(await dumpOf(current)).toBe(before);
          // A is untouched and still served.
          expect(await store.loadSealedConfig(a, config.id)).toStrictEqual(rowOfA);
          expect((await vault.resolve({ tenantId: a, provider: 'openai' })).key.reveal()).toBe(canary);
        } finally {
          await server.close();
        }
      });
    }
  });
}
