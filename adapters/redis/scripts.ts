/**
 * The Lua scripts behind {@link RedisStore}. Each store call is one script,
 * so each change, its index updates and its audit event apply as one atomic
 * step (Redis runs a script with no other command in between).
 *
 * Conventions every script keeps:
 * - `KEYS[1]` is the tenant base (`<prefix>{<tenant>}:`); every key is
 *   derived from it, so all keys share the tenant's hash tag (one cluster
 *   slot) and any client-side prefix applied to KEYS carries over.
 * - Reply `{status, payload}`; status `OK` or a conflict marker the store
 *   maps to a typed error (`NAME_TAKEN`, `CONCURRENT_UPDATE`, `NOT_FOUND`,
 *   `ID_TAKEN`).
 * - Fail closed: every check runs before the first write, and the audit
 *   event is the first write. Redis does not roll back a script that fails
 *   halfway, so this order is what makes "change and audit together" hold:
 *   a failure in a check or in the audit write (e.g. OOM) leaves nothing
 *   changed.
 * - Optional values travel as `''` for "none" or `'='..value`, so an empty
 *   string value stays distinct from no value.
 * - Lists are read with ZRANGEBYLEX over zsets whose scores are all 0, so
 *   the members (time-ordered ids) sort lexicographically.
 *
 * @module
 */
import { luaScript } from './client.js';

/**
 * The helpers every tenant script uses, over a `base` the script has set
 * (`KEYS[1]`, or one it derived from the tenant an access key names).
 */
export const TENANT_FUNCTIONS = `
local function cfgKey(id) return base .. 'cfg:' .. id end
local function scopeKey(scope) return base .. 'scope:' .. scope end
local function opt(v) if v == '' then return nil end return string.sub(v, 2) end
-- The KEK id a sealed value names (sealedKekId): the text between 'byokit:1:' and the next ':'
-- when it is 1-32 characters of A-Z a-z 0-9 _ -, else nil.
local function kekIdOf(sealed)
  if not sealed then return nil end
  local id = string.match(sealed, '^byokit:1:([A-Za-z0-9_%-]+):')
  if id and #id <= 32 then return id end
  return nil
end
-- A config hash as a flat field list. 'kekId' is never read from the hash (a field
-- 0.1 stored, or one written behind the adapter): it is derived from 'sealedKey'.
local function row(id, withSecret)
  local flat = redis.call('HGETALL', cfgKey(id))
  local out, sealed = {}, nil
  for i = 1, #flat, 2 do
    local field = flat[i]
    if field == 'sealedKey' then sealed = flat[i + 1] end
    if field ~= 'kekId' and (withSecret or field ~= 'sealedKey') then
      out[#out + 1] = field
      out[#out + 1] = flat[i + 1]
    end
  end
  local kekId = kekIdOf(sealed)
  if kekId then
    out[#out + 1] = 'kekId'
    out[#out + 1] = kekId
  end
  return out
end
local function writeAudit(evtId, json, configRef, eventType)
  redis.call('ZADD', base .. 'audit', 0, evtId)
  redis.call('HSET', base .. 'audit:data', evtId, json)
  redis.call('ZADD', base .. 'audit:type:' .. eventType, 0, evtId)
  local configId = opt(configRef)
  if configId then redis.call('ZADD', base .. 'audit:cfg:' .. configId, 0, evtId) end
end
local function makeDefault(scope, id)
  local prev = redis.call('HGET', base .. 'defaults', scope)
  if prev and prev ~= id and redis.call('EXISTS', cfgKey(prev)) == 1 then
    redis.call('HSET', cfgKey(prev), 'isDefault', '0')
  end
  redis.call('HSET', base .. 'defaults', scope, id)
end
local function dropDefault(scope, id)
  if redis.call('HGET', base .. 'defaults', scope) == id then
    redis.call('HDEL', base .. 'defaults', scope)
  end
end
`;

/** The start of every tenant script: the base is `KEYS[1]`. */
export const PRELUDE = `
local base = KEYS[1]
${TENANT_FUNCTIONS}`;

/** ARGV: audit(4) · id · name · scope · isDefault ('1'|'0') · field, value, ... */
export const CREATE_SCRIPT = luaScript(
  'create',
  `${PRELUDE}
local id, name, scope = ARGV[5], ARGV[6], ARGV[7]
if redis.call('EXISTS', cfgKey(id)) == 1 then return {'ID_TAKEN'} end
if redis.call('HEXISTS', base .. 'names', name) == 1 then return {'NAME_TAKEN'} end
writeAudit(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
redis.call('HSET', base .. 'names', name, id)
redis.call('ZADD', base .. 'ids', 0, id)
redis.call('ZADD', scopeKey(scope), 0, id)
if ARGV[8] == '1' then makeDefault(scope, id) end
redis.call('HSET', cfgKey(id), unpack(ARGV, 9))
return {'OK'}
`,
);

/**
 * ARGV: audit(4) · id · expectedRevision ('' for none) · n · n field/value
 * pairs to set · fields to delete (null values).
 */
export const UPDATE_SCRIPT = luaScript(
  'update',
  `${PRELUDE}
local id, expected, n = ARGV[5], ARGV[6], tonumber(ARGV[7])
local key = cfgKey(id)
if redis.call('EXISTS', key) == 0 then return {'NOT_FOUND'} end
local cur = redis.call('HMGET', key, 'revision', 'name', 'scope', 'isDefault')
if expected ~= '' and cur[1] ~= expected then return {'CONCURRENT_UPDATE'} end
local sets, dels = {}, {}
local newName, newScope, newDefault = nil, nil, nil
for i = 0, n - 1 do
  local field, value = ARGV[8 + 2 * i], ARGV[9 + 2 * i]
  sets[#sets + 1] = field
  sets[#sets + 1] = value
  if field == 'name' then newName = value
  elseif field == 'scope' then newScope = value
  elseif field == 'isDefault' then newDefault = value end
end
for i = 8 + 2 * n, #ARGV do dels[#dels + 1] = ARGV[i] end
if newName and newName ~= cur[2] then
  local owner = redis.call('HGET', base .. 'names', newName)
  if owner and owner ~= id then return {'NAME_TAKEN'} end
end
writeAudit(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
if newName and newName ~= cur[2] then
  if redis.call('HGET', base .. 'names', cur[2]) == id then redis.call('HDEL', base .. 'names', cur[2]) end
  redis.call('HSET', base .. 'names', newName, id)
end
local oldScope = cur[3]
local scope = newScope or oldScope
if scope ~= oldScope then
  redis.call('ZREM', scopeKey(oldScope), id)
  redis.call('ZADD', scopeKey(scope), 0, id)
  dropDefault(oldScope, id)
end
local isDefault = cur[4] == '1'
if newDefault ~= nil then isDefault = newDefault == '1' end
if isDefault then makeDefault(scope, id) else dropDefault(scope, id) end
if #sets > 0 then redis.call('HSET', key, unpack(sets)) end
if #dels > 0 then redis.call('HDEL', key, unpack(dels)) end
redis.call('HINCRBY', key, 'revision', 1)
return {'OK', row(id, false)}
`,
);

/** ARGV: audit(4) · id */
export const DELETE_SCRIPT = luaScript(
  'delete',
  `${PRELUDE}
local id = ARGV[5]
local key = cfgKey(id)
if redis.call('EXISTS', key) == 0 then return {'NOT_FOUND'} end
local cur = redis.call('HMGET', key, 'name', 'scope')
writeAudit(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
if redis.call('HGET', base .. 'names', cur[1]) == id then redis.call('HDEL', base .. 'names', cur[1]) end
redis.call('ZREM', base .. 'ids', id)
redis.call('ZREM', scopeKey(cur[2]), id)
dropDefault(cur[2], id)
redis.call('DEL', key)
redis.call('DEL', base .. 'health:' .. id)
return {'OK'}
`,
);

/** ARGV: id */
export const GET_SCRIPT = luaScript(
  'get',
  `${PRELUDE}
if redis.call('EXISTS', cfgKey(ARGV[1])) == 0 then return {'NOT_FOUND'} end
return {'OK', row(ARGV[1], false)}
`,
);

/** ARGV: id. One of the two scripts that return sealed keys: one config, one hash read. */
export const SEALED_CONFIG_SCRIPT = luaScript(
  'sealed-config',
  `${PRELUDE}
if redis.call('EXISTS', cfgKey(ARGV[1])) == 0 then return {'NOT_FOUND'} end
return {'OK', row(ARGV[1], true)}
`,
);

/** ARGV: scopes (distinct). One of the two scripts that return sealed keys. */
export const CANDIDATES_SCRIPT = luaScript(
  'candidates',
  `${PRELUDE}
local out = {}
for i = 1, #ARGV do
  local ids = redis.call('ZRANGE', scopeKey(ARGV[i]), 0, -1)
  for _, id in ipairs(ids) do out[#out + 1] = row(id, true) end
end
return {'OK', out}
`,
);

/**
 * ARGV: cursor ('' for none) · want (limit + 1) · scope ref · provider ref ·
 * kekIdNot ref. Walks the id index (or the scope's index) in batches until
 * it has `want` matches, so a page is full whenever enough matches exist.
 */
export const LIST_CONFIGS_SCRIPT = luaScript(
  'list-configs',
  `${PRELUDE}
local want = tonumber(ARGV[2])
local scope, provider, kekNot = opt(ARGV[3]), opt(ARGV[4]), opt(ARGV[5])
local src = base .. 'ids'
if scope then src = scopeKey(scope) end
local min = '-'
if ARGV[1] ~= '' then min = '(' .. ARGV[1] end
local batch = math.max(want, 100)
local out = {}
while #out < want do
  local ids = redis.call('ZRANGEBYLEX', src, min, '+', 'LIMIT', 0, batch)
  for _, id in ipairs(ids) do
    local f = redis.call('HMGET', cfgKey(id), 'provider', 'sealedKey')
    local match = true
    if provider and f[1] ~= provider then match = false end
    if kekNot and ((not f[2]) or kekIdOf(f[2]) == kekNot) then match = false end
    if match then
      out[#out + 1] = row(id, false)
      if #out >= want then break end
    end
  end
  if #ids < batch then break end
  min = '(' .. ids[#ids]
end
return {'OK', out}
`,
);

/**
 * ARGV: cursor ('' for none) · want (limit + 1) · configId ref · type ref.
 * Newest first. With both filters it walks the config's index and keeps
 * the events that are also in the type's index.
 */
export const LIST_AUDIT_SCRIPT = luaScript(
  'list-audit',
  `${PRELUDE}
local want = tonumber(ARGV[2])
local configId, eventType = opt(ARGV[3]), opt(ARGV[4])
local src = base .. 'audit'
local typeIndex = nil
if configId then
  src = base .. 'audit:cfg:' .. configId
  if eventType then typeIndex = base .. 'audit:type:' .. eventType end
elseif eventType then
  src = base .. 'audit:type:' .. eventType
end
local max = '+'
if ARGV[1] ~= '' then max = '(' .. ARGV[1] end
local batch = math.max(want, 100)
local out = {}
while #out < want do
  local ids = redis.call('ZREVRANGEBYLEX', src, max, '-', 'LIMIT', 0, batch)
  for _, id in ipairs(ids) do
    if (not typeIndex) or redis.call('ZSCORE', typeIndex, id) then
      out[#out + 1] = redis.call('HGET', base .. 'audit:data', id)
      if #out >= want then break end
    end
  end
  if #ids < batch then break end
  max = '(' .. ids[#ids]
end
return {'OK', out}
`,
);
