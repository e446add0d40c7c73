/**
 * The Lua scripts behind the store-wide reads of a KEK rotation
 * (`listSealedConfigsAcrossTenants`, `countKeysByKek`) and the tenant
 * registry they walk.
 *
 * Redis has no table to scan across tenants, and a tenant's keys live in
 * its own cluster slot, so the store keeps one registry outside every
 * tenant: `<keyPrefix>tenants`, a zset of tenant ids (score 0, lex order).
 * A tenant is added before its first config is written (`createConfig`,
 * `importConfigs`), so a registered tenant may have no config, never the
 * reverse; `RedisStore.indexTenants()` fills the registry once for data
 * written before it existed.
 *
 * @module
 */
import { luaScript } from './client.js';
import { BYTE_ORDER, PRELUDE } from './scripts.js';

/** The registry key of every tenant that has (or had) configs. */
export function tenantRegistryKey(keyPrefix: string): string {
  return `${keyPrefix}tenants`;
}

/** KEYS[1]: the registry. ARGV: tenant ids. Registers them (idempotent). */
export const TENANT_REGISTER_SCRIPT = luaScript(
  'tenant-register',
  `
for i = 1, #ARGV do redis.call('ZADD', KEYS[1], 0, ARGV[i]) end
return {'OK'}
`,
);

/** KEYS[1]: the registry. ARGV: min ('-', or '[tenant' inclusive) · count. Tenant ids in byte order. */
export const TENANT_PAGE_SCRIPT = luaScript(
  'tenant-page',
  `
return {'OK', redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], '+', 'LIMIT', 0, tonumber(ARGV[2]))}
`,
);

/**
 * ARGV: now. One tenant's sealed keys counted per KEK id and state, as a
 * flat list: kekId ('' for none, else '='..id) · state · count, repeated.
 */
export const TENANT_COUNT_SCRIPT = luaScript(
  'tenant-count',
  `${PRELUDE}
local now = ARGV[1]
${BYTE_ORDER}local counts, order = {}, {}
local function add(sealed, state)
  local kek = kekIdOf(sealed)
  local ref = ''
  if kek then ref = '=' .. kek end
  local key = ref .. ' ' .. state
  if not counts[key] then
    counts[key] = 0
    order[#order + 1] = {ref, state, key}
  end
  counts[key] = counts[key] + 1
end
for _, id in ipairs(redis.call('ZRANGE', base .. 'ids', 0, -1)) do
  local f = redis.call('HMGET', cfgKey(id), 'sealedKey', 'pendingSealedKey', 'previousSealedKey', 'enabled', 'keyExpiresAt')
  if f[1] then
    local state = 'active'
    if f[4] ~= '1' then state = 'disabled'
    elseif f[5] and not greater(f[5], now) then state = 'expired' end
    add(f[1], state)
  end
  if f[2] then add(f[2], 'pending') end
  if f[3] then add(f[3], 'previous') end
end
local out = {}
for _, entry in ipairs(order) do
  out[#out + 1] = entry[1]
  out[#out + 1] = entry[2]
  out[#out + 1] = tostring(counts[entry[3]])
end
return {'OK', out}
`,
);

/**
 * KEYS[1]: the registry. ARGV: SCAN cursor · count hint. One SCAN step
 * over the keys of this server that look like a tenant's id index
 * (`<prefix>{<tenant>}:ids`), registering each tenant found (the escaped
 * id unescaped). Replies the next cursor ('0' when done).
 */
export const TENANT_INDEX_SCRIPT = luaScript(
  'tenant-index',
  `
local registry = KEYS[1]
local prefix = string.sub(registry, 1, #registry - #'tenants')
local function escapeGlob(s) return (string.gsub(s, '[%*%?%[%]\\\\]', '\\\\%0')) end
local reply = redis.call('SCAN', ARGV[1], 'MATCH', escapeGlob(prefix) .. '{*}:ids', 'COUNT', tonumber(ARGV[2]))
for _, key in ipairs(reply[2]) do
  local inner = string.sub(key, #prefix + 2, #key - #'}:ids')
  if string.find(inner, '[{}]') == nil and redis.call('TYPE', key).ok == 'zset' then
    local tenant = ''
    if inner ~= '%' then tenant = string.gsub(inner, '%%(%x%x)', function(h) return string.char(tonumber(h, 16)) end) end
    redis.call('ZADD', registry, 0, tenant)
  end
end
return {'OK', reply[1]}
`,
);
