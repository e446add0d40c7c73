/**
 * A custom adapter built on an ORM or a driver: when a write fails, the
 * error names the statement's parameters (drizzle-orm's DrizzleQueryError:
 * "Failed query: <sql>\nparams: <params>"; a PostgreSQL error's `detail`:
 * "Failing row contains (...)"). The vault wraps it as STORE_FAILED and
 * keeps only a scrubbed copy as `cause`.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createVault, Keyring, MemoryStore, type ConfigPatch, type UpdateOptions } from '../../src/index.js';
import { storeErrorCause } from '../../src/vault/context.js';

const KEY = 'sk-proj-CANARY0000000000000000000000001';

/** A memory store whose writes fail the way an ORM-backed adapter's do, parameters in the error. */
class OrmBackedStore extends MemoryStore {
  failWrites = false;
  override async updateConfig(tenantId: string, id: string, patch: ConfigPatch, options: UpdateOptions) {
    if (this.failWrites) {
      const params = [patch.sealedKey, patch.keyHint, tenantId, id];
      const pgError = Object.assign(new Error('could not serialize access due to concurrent update'), {
        code: '40001',
        severity: 'ERROR',
        detail: `Failing row contains (${tenantId}, ${id}, ${patch.sealedKey})`,
      });
      throw Object.assign(
        new Error(
          `Failed query: update "configs" set "sealed_key" = $1, "key_hint" = $2 where ("tenant_id" = $3 and "id" = $4)\nparams: ${params.join(',')}`,
        ),
        { name: 'DrizzleQueryError', params, query: 'update "configs" ...', cause: pgError },
      );
    }
    return super.updateConfig(tenantId, id, patch, options);
  }
}

describe("a custom adapter's failed write", () => {
  it('is STORE_FAILED whose cause chain keeps the failure (names, messages, codes) and no sealed value', async () => {
    const store = new OrmBackedStore();
    const vault = createVault({ store, keyring: Keyring.generate('k1') });
    const admin = vault.as({ tenantId: 'acme', actor: { id: 'o', role: 'owner' } });
    const cfg = await admin.createConfig({ name: 'c', provider: 'openai' });
    store.failWrites = true;
    const error = (await admin.setKey(cfg.id, KEY).catch((e: unknown) => e)) as Error & {
      cause: Error & { cause: Error };
    };
    expect(error).toMatchObject({ code: 'STORE_FAILED' });
    const shown = inspect(error, { depth: 10, showHidden: true }) + JSON.stringify(error.cause);
    expect(shown).not.toMatch(/byokit:1:/);
    expect(shown).not.toContain('CANARY');
    expect(error.cause).toMatchObject({
      name: 'DrizzleQueryError',
      message: expect.stringContaining('params: [sealed value],sk-'),
    });
    expect(error.cause.cause).toMatchObject({
      message: 'could not serialize access due to concurrent update',
      code: '40001',
      severity: 'ERROR',
    });
    // Only what identifies the failure: not the parameters, the query or the failing row.
    expect(Object.keys(error.cause).sort()).toEqual(['cause', 'name']);
    expect(Object.keys(error.cause.cause).sort()).toEqual(['code', 'name', 'severity']);
  });

  it('the copy removes sealed values cut short, keeps numbers and strings of the identifying fields, and stops at depth', () => {
    let deep: unknown = new Error('bottom byokit:1:k1:AAAA');
    for (let i = 0; i < 10; i++) deep = Object.assign(new Error(`level ${i}`), { cause: deep });
    const copy = storeErrorCause(
      Object.assign(new Error('x byokit:1:k2:abc-_:de'), {
        errno: 19,
        sqlState: 'HY000',
        constraint: 'c1',
        sql: 'secret sql',
        cause: deep,
      }),
    );
    expect(copy).toMatchObject({ message: 'x [sealed value]', errno: 19, sqlState: 'HY000', constraint: 'c1' });
    expect(copy).not.toHaveProperty('sql');
    let depth = 0;
    for (let e: unknown = copy; e instanceof Error; e = e.cause) depth++;
    expect(depth).toBe(5);
    expect(storeErrorCause('a thrown string byokit:1:k1:zzz')).toMatchObject({
      name: 'Error',
      message: 'a thrown string [sealed value]',
    });
  });
});
