// The conformance suite must be able to fail: it runs (in a child vitest)
// against FlawedStore with one flaw switched on at a time, and each flaw must
// fail the check written for its rule, while the flawless store passes all.
import { beforeAll, describe, expect, it } from 'vitest';
import { FLAWS } from './broken/flawed-store.js';
import type { Flaw } from './broken/flawed-store.js';
import { runChildVitest } from './child-vitest.js';

/** The check (group › test title prefix) each flaw must fail. */
const EXPECTED: Record<Flaw, string> = {
  tenantBlindGet: 'tenant isolation › tenant B cannot read, list, update, delete or load',
  tenantBlindUpdate: 'tenant isolation › tenant B cannot read, list, update, delete or load',
  undefinedForMissing: 'records › missing records are null or false',
  noRevisionBump: 'records › revision starts at 1 and grows by exactly 1',
  ignoreExpectedRevision: 'rewrap compare-and-swap › a stale expectedRevision throws CONCURRENT_UPDATE',
  noDefaultClearing: 'defaults › createConfig with isDefault clears the default',
  defaultsClearedAcrossScopes:
    'defaults › createConfig with isDefault clears the default of the same (tenant, scope) only',
  caseInsensitiveNames: 'names › names match exactly',
  noRenameCheck: 'names › a rename onto a taken name throws NAME_TAKEN',
  sealedKeyInGet: 'records › no read but loadCandidates returns a sealedKey property',
  prefixScopes: 'resolution read › returns exactly the configs whose scope is one of the given scopes',
  auditOldestFirst: 'audit › lists newest first',
  auditBeforeNameCheck: 'names › createConfig with a taken name throws NAME_TAKEN and writes nothing',
  softDelete: 'keys › deleteConfig removes the sealed key from the backend',
  racyDefaults: 'defaults › race: 200 concurrent updateConfig(isDefault: true)',
  racyNames: 'names › race: 20 concurrent createConfig calls with one name',
  splitKeyWrite: 'keys › race: concurrent key replacements never leave a half-written record',
  auditAfterChange: 'audit › a change and its audit event commit together',
  cursorOnLastPage: 'pagination › respects the limit and ends with nextCursor null',
  cursorSkipsOne: 'pagination › walks 23 configs',
  listByInsertion: 'pagination › orders by id (creation order), not by insertion order',
  kekIdNotIncludesNoKey:
    'rewrap compare-and-swap › listConfigs(kekIdNot) returns exactly the configs with a key under another KEK',
  auditCascade: 'audit › create, update and delete each write exactly their event',
  undefinedPatchClears: 'records › a patch changes only the fields it names',
  clearDefaultsBeforeRevisionCheck: 'defaults › a stale expectedRevision with isDefault: true',
  clearDefaultsForMissing:
    'defaults › updateConfig of a missing id with { scope, isDefault: true } returns null and changes nothing',
  noDefaultClearingOnMove: 'defaults › a default record moved with { scope } alone stays default in its new scope',
  racyMoves: 'defaults › race: default records moved into a scope with { scope } alone',
  patchOverwritesFixedFields: 'records › a patch carrying revision, createdAt, id or tenantId does not change them',
  idKeyedRows: 'tenant isolation › the same config id in two tenants is two separate records',
  auditUnderEventTenant: 'tenant isolation › an audit event is stored under the tenant of the call',
  storedKekId: 'sealed read › kekId is the KEK id the stored sealed key names',
  tenantBlindSealedRead:
    'sealed read › loadSealedConfig returns null for a missing id, a deleted config, and another tenant',
  sealedReadWithoutKey: 'sealed read › loadSealedConfig returns the config with its sealed key',
  healthBumpsRevision: 'key health › never touches the config',
  racyHealth: 'key health › race: 40 concurrent failure reports lose nothing',
  tenantBlindHealth: 'key health › returns null and writes nothing for a missing config or another tenant',
  healthSurvivesDelete: 'key health › deleteConfig removes the config’s health record',
  staleSuccessClears: 'key health › a success older than the last failure clears nothing',
  noHealthAudit: 'key health › failures make the key failing',
  settingsIgnoreRevision: 'settings › a stale or wrong expectedRevision throws CONCURRENT_UPDATE',
  racySettings: 'settings › race: 20 concurrent first writes',
  tenantBlindAccessKey: 'access keys › getAccessKey is null for a missing id and for another tenant',
  revokeTwice: 'access keys › revokeAccessKey sets revokedAt once',
  candidatesOfAllTenants: 'access keys › loadAccessKeyCandidates returns the key, exactly the candidates of its tenant',
  candidatesByPrefix: 'access keys › loadAccessKeyCandidates returns the key, exactly the candidates of its tenant',
  racyQuota: 'quotas › race: 200 concurrent uses against a limit of 50',
  quotaCountsRefusals: 'quotas › a requests quota counts up to its limit, then refuses without counting',
  tokenBudgetIgnored: 'quotas › a token budget refuses a use once',
  lostTokenCharges: 'quotas › race: 200 concurrent token charges all add up',
  usageAcrossTenants: 'quotas › counters and usage are per tenant',
  poolIgnored: 'candidate filter › with pool: the winner and every other usable config',
  cooldownShortened: 'cooldowns › the later cooldown wins',
  cooldownTenantBlind: 'cooldowns › cooldowns are per tenant',
  cooldownNeverExpires: 'cooldowns › a cooldown that ends at or before `now` is not returned',
  racyCooldowns: 'cooldowns › concurrent puts of one key end at the latest until',
  filterDropsWinner: 'candidate filter › returns every row that can win, for every filter shape and scope chain',
  filterIgnoresExpiry: 'candidate filter › the winner skips disabled, keyless and expired rows',
  filterSkipsCustomEndpoints: 'candidate filter › the winner: a usable custom endpoint routing the provider beats',
  filterIgnored:
    'candidate filter › returns every row that can win, for every filter shape and scope chain, and nothing else',
  swapIgnoresStoredKey: 'sealed key swaps › a swap applies only while the stored sealed key is the one read',
  swapWithoutAudit: 'sealed key swaps › a swap applies only while the stored sealed key is the one read',
  racySwaps: 'sealed key swaps › race: concurrent swaps of the same key from the same value: exactly one applies',
  sealedListingWithoutKeys:
    'sealed key swaps › listSealedConfigs pages, in id order, exactly the keys under another KEK',
  importOverwritesNames: 'config imports › a taken name (stored or earlier in the call)',
  importConflictFailsBatch: 'config imports › a taken name (stored or earlier in the call)',
  importSkipsDefaultCheck: 'config imports › a taken name (stored or earlier in the call)',
  walkActiveSlotOnly:
    'keyring walk › listSealedConfigsAcrossTenants pages every tenant’s configs with a key under another KEK (any slot)',
  walkCursorIgnoresTenant: 'keyring walk › listSealedConfigsAcrossTenants pages every tenant’s configs',
  countIgnoresExpiry: 'keyring walk › countKeysByKek counts keys per KEK id and state',
  stagedKeysInPlainReads: 'keyring walk › pending and previous sealed keys come back only from the sealed reads',
};

let results: Map<string, { failed: string[]; passed: number; total: number }>;

beforeAll(async () => {
  results = new Map();
  for (const file of await runChildVitest('test/testing/broken/vitest.config.ts')) {
    for (const test of file.assertionResults) {
      const match = /\[conformance\] flaw=(\w+) › (.*)$/.exec(test.ancestorTitles[0] ?? '');
      if (!match) continue;
      const entry = results.get(match[1]!) ?? { failed: [], passed: 0, total: 0 };
      entry.total++;
      if (test.status === 'failed') entry.failed.push(`${match[2]} › ${test.title}`);
      if (test.status === 'passed') entry.passed++;
      results.set(match[1]!, entry);
    }
  }
}, 150_000);

describe('the conformance suite catches broken adapters', () => {
  it('passes a store without flaws, every check of it', () => {
    const clean = results.get('none');
    expect(clean?.total).toBeGreaterThan(50);
    expect(clean?.failed).toStrictEqual([]);
    expect(clean?.passed).toBe(clean?.total);
  });

  it.each(FLAWS)('fails a store with flaw %s on the check for its rule', (flaw) => {
    const failed = results.get(flaw)?.failed ?? [];
    expect(
      failed.some((title) => title.startsWith(EXPECTED[flaw])),
      `failed checks: ${failed.join(' | ')}`,
    ).toBe(true);
  });
});
