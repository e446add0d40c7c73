/**
 * The stored form of an access key's secret: HMAC-SHA256, keyed by a key
 * derived from the vault's dedicated access-key keyring (never a KEK), over
 * the secret AND the key's grants (tenant, id, scope, allow-lists, quota).
 *
 * Why a keyed hash: the secret has 256 bits of entropy, so a salted fast
 * hash would already resist guessing; the key adds what the database alone
 * can't forge. Someone who can write rows but holds no hashing key can't
 * mint a valid token, nor move a key to another tenant or scope, nor widen
 * its allow-lists or quota: each of those changes the MAC. Why a dedicated
 * keyring: KEKs rotate (and a KMS never hands out KEK bytes), while a token
 * must keep verifying for its whole life; each record names the hashing
 * key id that made it, so hashing keys rotate the same way KEKs do.
 *
 * @module
 */
import { equalBytes, utf8ToBytes } from '@noble/ciphers/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeFields } from '../crypto/aad.js';
import { decodeBase64Url, encodeBase64Url } from '../crypto/base64url.js';
import { keyringEntry, type Keyring } from '../crypto/keyring.js';
import type { AccessKeyRecord } from '../store/access-key-storage.js';

const DOMAIN = 'byokit/access-key/1';

/** The fields a MAC binds: everything that decides whom a token serves and how far. */
export type AccessKeyGrants = Pick<AccessKeyRecord, 'id' | 'tenantId' | 'scope' | 'providers' | 'models' | 'quota'>;

function macKey(keyring: Keyring, id: string): Uint8Array {
  // A derived key: the same bytes listed as a KEK elsewhere never key a hash directly.
  return hkdf(sha256, keyringEntry(keyring, id)!, undefined, utf8ToBytes('byokit/access-key-hash/1'), 32);
}

function mac(keyring: Keyring, hashKeyId: string, grants: AccessKeyGrants, secret: string): Uint8Array {
  const { requests, tokens } = grants.quota ?? {};
  const quota = [requests?.limit, requests?.per, tokens?.limit, tokens?.per].map((v) => v ?? null);
  const message = encodeFields([
    DOMAIN,
    grants.tenantId,
    grants.id,
    grants.scope,
    JSON.stringify(grants.providers),
    JSON.stringify(grants.models),
    JSON.stringify(quota),
    secret,
  ]);
  return hmac(sha256, macKey(keyring, hashKeyId), message);
}

/** The stored hash of a new key's secret, under the keyring's primary entry. */
export function hashAccessKeySecret(
  keyring: Keyring,
  grants: AccessKeyGrants,
  secret: string,
): { secretHash: string; hashKeyId: string } {
  return {
    secretHash: encodeBase64Url(mac(keyring, keyring.primaryKekId, grants, secret)),
    hashKeyId: keyring.primaryKekId,
  };
}

/**
 * Whether `secret` is the one `record` was made for, with the grants it
 * holds now, and `id` the record's own id: compared in constant time.
 * With no record (an unknown id) a MAC is still computed and compared, so
 * an unknown id costs what a known one does.
 */
export function verifyAccessKeySecret(
  keyring: Keyring,
  id: string,
  record: AccessKeyRecord | null,
  secret: string,
): boolean {
  const known = record !== null && keyring.hasKek(record.hashKeyId);
  const grants: AccessKeyGrants = known
    ? { ...record, id }
    : { id, tenantId: '', scope: '', providers: null, models: null, quota: null };
  const computed = mac(keyring, known ? record.hashKeyId : keyring.primaryKekId, grants, secret);
  const stored = known ? decodeBase64Url(record.secretHash) : null;
  const whole = stored !== null && stored.length === computed.length;
  return equalBytes(computed, whole ? stored : new Uint8Array(computed.length)) && whole;
}
