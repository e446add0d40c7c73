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
-- Ids of one (scope, provider); the provider's length first, so no scope or provider text can make two keys meet.
local function provKey(scope, provider) return base .. 'prov:' .. #provider .. ':' .. provider .. ':' .. scope end
local function indexProvider(id, scope, provider) redis.call('ZADD', provKey(scope, provider), 0, id) end
local function unindexProvider(id, scope, provider) redis.call('ZREM', provKey(scope, provider), id) end
-- The 'prov:' indexes are whole once 'prov-index' exists. Every write makes sure of it first: a
-- tenant written before the indexes existed gets them built (once) by its next write.
local function ensureProviderIndex()
  if redis.call('EXISTS', base .. 'prov-index') == 1 then return end
  for _, id in ipairs(redis.call('ZRANGE', base .. 'ids', 0, -1)) do
    local f = redis.call('HMGET', cfgKey(id), 'scope', 'provider')
    if f[1] and f[2] then indexProvider(id, f[1], f[2]) end
  end
  redis.call('SET', base .. 'prov-index', '1')
end
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
ensureProviderIndex()
redis.call('HSET', base .. 'names', name, id)
redis.call('ZADD', base .. 'ids', 0, id)
redis.call('ZADD', scopeKey(scope), 0, id)
if ARGV[8] == '1' then makeDefault(scope, id) end
redis.call('HSET', cfgKey(id), unpack(ARGV, 9))
indexProvider(id, scope, redis.call('HGET', cfgKey(id), 'provider'))
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
local cur = redis.call('HMGET', key, 'revision', 'name', 'scope', 'isDefault', 'provider')
if expected ~= '' and cur[1] ~= expected then return {'CONCURRENT_UPDATE'} end
local sets, dels = {}, {}
local newName, newScope, newDefault, newProvider = nil, nil, nil, nil
for i = 0, n - 1 do
  local field, value = ARGV[8 + 2 * i], ARGV[9 + 2 * i]
  sets[#sets + 1] = field
  sets[#sets + 1] = value
  if field == 'name' then newName = value
  elseif field == 'scope' then newScope = value
  elseif field == 'isDefault' then newDefault = value
  elseif field == 'provider' then newProvider = value end
end
for i = 8 + 2 * n, #ARGV do dels[#dels + 1] = ARGV[i] end
if newName and newName ~= cur[2] then
  local owner = redis.call('HGET', base .. 'names', newName)
  if owner and owner ~= id then return {'NAME_TAKEN'} end
end
writeAudit(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
ensureProviderIndex()
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
local provider = newProvider or cur[5]
if scope ~= oldScope or provider ~= cur[5] then
  unindexProvider(id, oldScope, cur[5])
  indexProvider(id, scope, provider)
end
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
local cur = redis.call('HMGET', key, 'name', 'scope', 'provider')
writeAudit(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
ensureProviderIndex()
if redis.call('HGET', base .. 'names', cur[1]) == id then redis.call('HDEL', base .. 'names', cur[1]) end
redis.call('ZREM', base .. 'ids', id)
redis.call('ZREM', scopeKey(cur[2]), id)
unindexProvider(id, cur[2], cur[3])
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

/** ARGV: scopes (distinct). The unfiltered resolution read: every config of the scopes, with sealed keys. */
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
 * ARGV: now · provider ref · config ref · pool ('1' or '0') · scopes
 * (distinct, in walk order). The filtered resolution read (see
 * \`StorageAdapter.loadCandidates\`): the named config (by id or name, in
 * the scopes), the winner of the walk and, with pool, the winner's pool,
 * reading each group's ids newest first from its index and stopping at the
 * first usable config. Reads only: a tenant whose per-provider indexes are
 * not whole yet (no \`prov-index\` marker: not written since they were
 * added) is walked through its scope indexes instead.
 */
export const FILTERED_CANDIDATES_SCRIPT = luaScript(
  'filtered-candidates',
  `${PRELUDE}
local now, provider, config, pool = ARGV[1], opt(ARGV[2]), opt(ARGV[3]), ARGV[4] == '1'
local scopes = {}
for i = 5, #ARGV do scopes[ARGV[i]] = true end
-- Without whole 'prov:' indexes (a tenant not written since they were added), walk each scope's index.
local indexed = redis.call('EXISTS', base .. 'prov-index') == 1
local function groupIndex(scope, of)
  if indexed then return provKey(scope, of) end
  return scopeKey(scope)
end
-- Byte order, as JavaScript and SQL's C collation compare (Lua's own < follows the server's locale).
local function greater(a, b)
  if a == b then return false end
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end
-- One read per config looked at: the fields the walk needs.
local function fieldsOf(id)
  return redis.call('HMGET', cfgKey(id), 'provider', 'routes', 'enabled', 'sealedKey', 'keyHint', 'keyExpiresAt', 'isDefault')
end
local function usable(f)
  return f[3] == '1' and (f[4] ~= false or f[5] ~= false) and (f[6] == false or greater(f[6], now))
end
local function routes(f)
  if not f[2] then return false end
  for _, route in ipairs(cjson.decode(f[2])) do if route == provider then return true end end
  return false
end
local function ofProvider(f) return f[1] == provider end
local function isCustom(f) return f[1] == 'custom' and routes(f) end
local function any() return true end
-- The first usable config of one group: the scope's default if it belongs, then the index newest first.
local function firstUsable(scope, index, belongs)
  local default = redis.call('HGET', base .. 'defaults', scope)
  if default then
    local f = fieldsOf(default)
    if f[7] == '1' then
      if belongs(f) and usable(f) then return default end
    else
      default = nil
    end
  end
  local max = '+'
  while true do
    local ids = redis.call('ZREVRANGEBYLEX', index, max, '-', 'LIMIT', 0, 16)
    for _, id in ipairs(ids) do
      if id ~= default then
        local f = fieldsOf(id)
        if f[1] and belongs(f) and usable(f) then return id end
      end
    end
    if #ids < 16 then return nil end
    max = '(' .. ids[#ids]
  end
end
local out, seen = {}, {}
local function add(id)
  if id and not seen[id] then
    seen[id] = true
    out[#out + 1] = row(id, true)
  end
end
if config then
  for _, id in ipairs({config, redis.call('HGET', base .. 'names', config)}) do
    if id and scopes[redis.call('HGET', cfgKey(id), 'scope') or ''] and redis.call('EXISTS', cfgKey(id)) == 1 then add(id) end
  end
end
if provider or not config then
  for i = 5, #ARGV do
    local scope, winner, own = ARGV[i], nil, false
    if not provider then
      winner = firstUsable(scope, scopeKey(scope), any)
    else
      if provider ~= 'custom' then winner = firstUsable(scope, groupIndex(scope, 'custom'), isCustom) end
      if not winner then
        winner = firstUsable(scope, groupIndex(scope, provider), ofProvider)
        own = true
      end
    end
    if winner then
      add(winner)
      -- The winner's pool: every other usable config of the provider in its scope.
      if pool and own then
        for _, id in ipairs(redis.call('ZRANGE', groupIndex(scope, provider), 0, -1)) do
          if not seen[id] then
            local f = fieldsOf(id)
            if f[1] and ofProvider(f) and usable(f) then add(id) end
          end
        end
      end
      break
    end
  end
end
return {'OK', out}
`,
);

/**
 * ARGV: cursor ('' for none) · want (limit + 1) · scope ref · provider ref ·
 * kekIdNot ref · '1' to include sealed keys (\`listSealedConfigs\`), else ''.
 * Walks the id index (or the scope's index) in batches until it has `want`
 * matches, so a page is full whenever enough matches exist.
 */
export const LIST_CONFIGS_SCRIPT = luaScript(
  'list-configs',
  `${PRELUDE}
local want = tonumber(ARGV[2])
local scope, provider, kekNot = opt(ARGV[3]), opt(ARGV[4]), opt(ARGV[5])
local withSecret = ARGV[6] == '1'
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
      out[#out + 1] = row(id, withSecret)
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

/**
 * ARGV: per swap, 8 values: id · from · to · updatedAt · audit(4). Each
 * swap applies only while the stored sealed key is exactly \`from\`; an
 * applied one sets the key and updatedAt, bumps the revision and writes its
 * event (first, as every change here). Replies one '1' or '0' per swap.
 */
export const SWAP_SEALED_SCRIPT = luaScript(
  'swap-sealed',
  `${PRELUDE}
local applied = {}
for i = 1, #ARGV, 8 do
  local id, from, to, updatedAt = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local key = cfgKey(id)
  if redis.call('HGET', key, 'sealedKey') == from then
    writeAudit(ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7])
    redis.call('HSET', key, 'sealedKey', to, 'updatedAt', updatedAt)
    redis.call('HDEL', key, 'kekId')
    redis.call('HINCRBY', key, 'revision', 1)
    applied[#applied + 1] = '1'
  else
    applied[#applied + 1] = '0'
  end
end
return {'OK', applied}
`,
);

/**
 * ARGV[1]: the items as one JSON array of \`{ id, name, scope, isDefault,
 * fields: [field, value, ...], audit: [[evtId, json, configRef, type], ...] }\`.
 * An item whose id or name is taken, or that is a second default of its
 * scope, is skipped ('conflict'); every check of an item runs before its
 * first write. Replies 'created' or 'conflict' per item.
 */
export const IMPORT_SCRIPT = luaScript(
  'import',
  `${PRELUDE}
local outcomes = {}
for _, item in ipairs(cjson.decode(ARGV[1])) do
  local id, name, scope = item.id, item.name, item.scope
  local taken = redis.call('EXISTS', cfgKey(id)) == 1 or redis.call('HEXISTS', base .. 'names', name) == 1
  if not taken and item.isDefault then
    local current = redis.call('HGET', base .. 'defaults', scope)
    taken = current ~= false and redis.call('EXISTS', cfgKey(current)) == 1
  end
  if taken then
    outcomes[#outcomes + 1] = 'conflict'
  else
    for _, event in ipairs(item.audit) do writeAudit(event[1], event[2], event[3], event[4]) end
    ensureProviderIndex()
    redis.call('HSET', base .. 'names', name, id)
    redis.call('ZADD', base .. 'ids', 0, id)
    redis.call('ZADD', scopeKey(scope), 0, id)
    if item.isDefault then redis.call('HSET', base .. 'defaults', scope, id) end
    redis.call('HSET', cfgKey(id), unpack(item.fields))
    indexProvider(id, scope, redis.call('HGET', cfgKey(id), 'provider'))
    outcomes[#outcomes + 1] = 'created'
  end
end
return {'OK', outcomes}
`,
);
