/**
 * The key health scripts: `health:<id>`, one hash per config whose key has
 * been reported on, beside (not inside) the config hash, so health writes
 * never touch the config's fields or revision. `mergeKeyHealth` written in
 * Lua: the script reads, merges and writes in one atomic step, so
 * concurrent reports from several processes lose nothing.
 *
 * @module
 */
import type { KeyHealthRecord } from '../../src/store/types.js';
import { luaScript } from './client.js';
import { PRELUDE } from './scripts.js';

const HEALTH_PRELUDE = `
local FIELDS = {'keySetAt', 'state', 'firstFailureAt', 'lastFailureAt', 'failureCount', 'lastUsedAt', 'lastSuccessAt', 'lastValidAt'}
local function later(a, b)
  if b == nil then return a end
  if a == nil or b > a then return b end
  return a
end
local function readHealth(id)
  local flat = redis.call('HGETALL', base .. 'health:' .. id)
  local h = {}
  for i = 1, #flat, 2 do h[flat[i]] = flat[i + 1] end
  return h, #flat > 0
end
`;

/**
 * ARGV: failing audit(4) · recovered audit(4) · configId · keySetAt · usedAt
 * ref · successAt ref · validAt ref · failure count · first failure ref ·
 * last failure ref. Replies `{'NOT_FOUND'}` or `{'OK', fields, transition}`
 * (`''`, `'failing'` or `'recovered'`).
 */
export const HEALTH_RECORD_SCRIPT = luaScript(
  'health-record',
  `${PRELUDE}${HEALTH_PRELUDE}
local id, K = ARGV[9], ARGV[10]
if redis.call('EXISTS', cfgKey(id)) == 0 then return {'NOT_FOUND'} end
local U, S, V = opt(ARGV[11]), opt(ARGV[12]), opt(ARGV[13])
local Fc, Ff, Fl = tonumber(ARGV[14]), opt(ARGV[15]), opt(ARGV[16])
local cur, exists = readHealth(id)
local out, transition = nil, ''
if exists and cur.keySetAt > K then
  -- News about a key since replaced: it was used, nothing more.
  cur.lastUsedAt = later(cur.lastUsedAt, U)
  out = cur
else
  local b = cur
  if not (exists and cur.keySetAt == K) then
    b = {keySetAt = K, state = 'ok', failureCount = '0', lastUsedAt = cur.lastUsedAt}
  end
  local n = {
    keySetAt = K, state = b.state, firstFailureAt = b.firstFailureAt, lastFailureAt = b.lastFailureAt,
    failureCount = tonumber(b.failureCount), lastUsedAt = later(b.lastUsedAt, U), lastValidAt = later(b.lastValidAt, V),
    lastSuccessAt = later(later(b.lastSuccessAt, S), V),
  }
  if Fc > 0 then
    if b.state == 'failing' then
      n.failureCount = tonumber(b.failureCount) + Fc
    else
      n.failureCount = Fc
      n.firstFailureAt = Ff
    end
    n.lastFailureAt = later(b.lastFailureAt, Fl)
    n.state = 'failing'
  end
  if n.state == 'failing' and n.lastSuccessAt and n.lastSuccessAt >= n.lastFailureAt then
    n.state = 'ok'
    n.failureCount = 0
    n.firstFailureAt = nil
  end
  if b.state ~= n.state then
    if n.state == 'failing' then transition = 'failing' else transition = 'recovered' end
  end
  out = n
end
-- The audit event is the first write: a failure there leaves nothing changed.
if transition == 'failing' then writeAudit(ARGV[1], ARGV[2], ARGV[3], ARGV[4]) end
if transition == 'recovered' then writeAudit(ARGV[5], ARGV[6], ARGV[7], ARGV[8]) end
local sets = {}
for _, field in ipairs(FIELDS) do
  if out[field] ~= nil then
    sets[#sets + 1] = field
    sets[#sets + 1] = tostring(out[field])
  end
end
redis.call('DEL', base .. 'health:' .. id)
redis.call('HSET', base .. 'health:' .. id, unpack(sets))
return {'OK', sets, transition}
`,
);

/** ARGV: config ids (distinct). Replies `{'OK', {{id, fields}, ...}}` for the ids that have a record. */
export const HEALTH_LOAD_SCRIPT = luaScript(
  'health-load',
  `${PRELUDE}${HEALTH_PRELUDE}
local out = {}
for i = 1, #ARGV do
  local flat = redis.call('HGETALL', base .. 'health:' .. ARGV[i])
  if #flat > 0 then out[#out + 1] = {ARGV[i], flat} end
end
return {'OK', out}
`,
);

/** A record from a script's flat field list. */
export function decodeKeyHealth(tenantId: string, configId: string, flat: unknown): KeyHealthRecord {
  if (!Array.isArray(flat)) throw new TypeError('unexpected script payload');
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(String(flat[i]), String(flat[i + 1]));
  const keySetAt = fields.get('keySetAt');
  const state = fields.get('state');
  if (keySetAt === undefined || (state !== 'ok' && state !== 'failing'))
    throw new TypeError('unexpected key health hash');
  const text = (name: string) => fields.get(name) ?? null;
  return {
    tenantId,
    configId,
    keySetAt,
    state,
    firstFailureAt: text('firstFailureAt'),
    lastFailureAt: text('lastFailureAt'),
    failureCount: Number(fields.get('failureCount') ?? 0),
    lastUsedAt: text('lastUsedAt'),
    lastSuccessAt: text('lastSuccessAt'),
    lastValidAt: text('lastValidAt'),
  };
}
