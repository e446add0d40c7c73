/**
 * The Lua scripts behind the settings document and access keys of
 * {@link RedisStore}, with the conventions of `scripts.ts` (a reply
 * `{status, payload}`, every check before the first write, the audit event
 * as the first write, `''` / `'='..value` for optional values).
 *
 * Keys below the tenant base (none starts with `a`, the audit keys' letter):
 *
 * | key                    | type   | holds                                              |
 * | ---------------------- | ------ | -------------------------------------------------- |
 * | `settings`             | hash   | tenantId, document (JSON), revision, updatedAt     |
 * | `key:<id>`             | hash   | an access key: `json` (the record without `revokedAt`), `scope`, `revokedAt` |
 * | `keys`                 | zset   | the tenant's access key ids, score 0 (lex = id order) |
 * | `counter:<id>`         | hash   | quota counters: `rw`/`r` requests window and count, `tw`/`t` token window and count |
 * | `usage`                | zset   | `<period>:<id>` of every usage record, score 0     |
 * | `usage:key:<id>`       | zset   | the periods of one key's usage records             |
 * | `usage:requests`       | hash   | `<period>:<id>` → resolutions                      |
 * | `usage:tokens`         | hash   | `<period>:<id>` → reported tokens                  |
 *
 * And one key outside any tenant: `<keyPrefix>locate:<id>` → the tenant of
 * access key `<id>` (a token names its key, not its tenant).
 *
 * @module
 */
import { luaScript } from './client.js';
import { PRELUDE, TENANT_FUNCTIONS } from './scripts.js';

/** ARGV: (none). The tenant's settings hash, flat (empty when none). */
export const SETTINGS_GET_SCRIPT = luaScript(
  'settings-get',
  `${PRELUDE}
return {'OK', redis.call('HGETALL', base .. 'settings')}
`,
);

/** ARGV: audit(4) · expected revision · revision · document JSON · updatedAt · tenantId. */
export const SETTINGS_PUT_SCRIPT = luaScript(
  'settings-put',
  `${PRELUDE}
local key = base .. 'settings'
if tonumber(redis.call('HGET', key, 'revision') or '0') ~= tonumber(ARGV[5]) then return {'CONCURRENT_UPDATE'} end
writeAudit(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
redis.call('HSET', key, 'tenantId', ARGV[9], 'document', ARGV[7], 'revision', ARGV[6], 'updatedAt', ARGV[8])
return {'OK', redis.call('HGETALL', key)}
`,
);

/** KEYS[1]: the locator key. ARGV: tenantId. Claims the id for the tenant; `ID_TAKEN` when it is claimed. */
export const LOCATOR_CLAIM_SCRIPT = luaScript(
  'locator-claim',
  `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then return {'OK'} end
return {'ID_TAKEN'}
`,
);

/** KEYS[1]: the locator key. ARGV: tenantId. Releases a claim a failed create left behind. */
export const LOCATOR_RELEASE_SCRIPT = luaScript(
  'locator-release',
  `
if redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('EXISTS', KEYS[2]) == 0 then redis.call('DEL', KEYS[1]) end
return {'OK'}
`,
);

/** KEYS[1]: the locator key. The tenant of the access key, or `NOT_FOUND`. */
export const LOCATOR_GET_SCRIPT = luaScript(
  'locator-get',
  `
local tenant = redis.call('GET', KEYS[1])
if not tenant then return {'NOT_FOUND'} end
return {'OK', tenant}
`,
);

/** ARGV: audit(4) · id · record JSON · scope. */
export const ACCESS_KEY_CREATE_SCRIPT = luaScript(
  'access-key-create',
  `${PRELUDE}
local key = base .. 'key:' .. ARGV[5]
if redis.call('EXISTS', key) == 1 then return {'ID_TAKEN'} end
writeAudit(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
redis.call('HSET', key, 'json', ARGV[6], 'scope', ARGV[7])
redis.call('ZADD', base .. 'keys', 0, ARGV[5])
return {'OK'}
`,
);

/** ARGV: id. `{json, revokedAt}` of the access key, or `NOT_FOUND`. */
export const ACCESS_KEY_GET_SCRIPT = luaScript(
  'access-key-get',
  `${PRELUDE}
local key = base .. 'key:' .. ARGV[1]
if redis.call('EXISTS', key) == 0 then return {'NOT_FOUND'} end
return {'OK', redis.call('HMGET', key, 'json', 'revokedAt')}
`,
);

/** ARGV: cursor ('' for none) · want (limit + 1). */
export const ACCESS_KEY_LIST_SCRIPT = luaScript(
  'access-key-list',
  `${PRELUDE}
local min = '-'
if ARGV[1] ~= '' then min = '(' .. ARGV[1] end
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYLEX', base .. 'keys', min, '+', 'LIMIT', 0, tonumber(ARGV[2]))) do
  out[#out + 1] = redis.call('HMGET', base .. 'key:' .. id, 'json', 'revokedAt')
end
return {'OK', out}
`,
);

/** ARGV: audit(4) · id · revokedAt. Sets `revokedAt` (with the event) only when it is not set yet. */
export const ACCESS_KEY_REVOKE_SCRIPT = luaScript(
  'access-key-revoke',
  `${PRELUDE}
local key = base .. 'key:' .. ARGV[5]
if redis.call('EXISTS', key) == 0 then return {'NOT_FOUND'} end
if redis.call('HEXISTS', key, 'revokedAt') == 0 then
  writeAudit(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
  redis.call('HSET', key, 'revokedAt', ARGV[6])
end
return {'OK', redis.call('HMGET', key, 'json', 'revokedAt')}
`,
);

/**
 * The authenticating read below a tenant base already set: the key, the
 * candidates on its scope chain (computed here: '', 'a', 'a/b', ...) and
 * the settings. ARGV[1]: the access key id.
 */
const CANDIDATES_BODY = `
local key = base .. 'key:' .. ARGV[1]
if redis.call('EXISTS', key) == 0 then return {'NOT_FOUND'} end
local chain, acc = {''}, nil
for segment in string.gmatch(redis.call('HGET', key, 'scope'), '[^/]+') do
  if acc then acc = acc .. '/' .. segment else acc = segment end
  chain[#chain + 1] = acc
end
local candidates = {}
for _, scope in ipairs(chain) do
  for _, id in ipairs(redis.call('ZRANGE', scopeKey(scope), 0, -1)) do candidates[#candidates + 1] = row(id, true) end
end
return {'OK', redis.call('HMGET', key, 'json', 'revokedAt'), candidates, redis.call('HGETALL', base .. 'settings')}
`;

/**
 * KEYS[1]: the locator key. ARGV: id. One round trip: the locator names
 * the tenant, whose base is derived here (the prefix of KEYS[1], so a
 * client-side prefix carries over, and the tenant escaped as in
 * `escapeTenant`), then the read below it. The tenant's keys are in
 * another cluster slot than the locator: standalone Redis only.
 */
export const ACCESS_KEY_CANDIDATES_SCRIPT = luaScript(
  'access-key-candidates',
  `
local tenant = redis.call('GET', KEYS[1])
if not tenant then return {'NOT_FOUND'} end
local escaped = '%'
if tenant ~= '' then
  escaped = (string.gsub(tenant, '[%%{}]', function(c) return string.format('%%%02X', string.byte(c)) end))
end
local base = string.sub(KEYS[1], 1, #KEYS[1] - #ARGV[1] - #'locate:') .. '{' .. escaped .. '}:'
${TENANT_FUNCTIONS}
${CANDIDATES_BODY}`,
);

/** KEYS[1]: the tenant base (found with the locator first). ARGV: id. The read on a Redis Cluster. */
export const TENANT_ACCESS_KEY_CANDIDATES_SCRIPT = luaScript(
  'tenant-access-key-candidates',
  `${PRELUDE}
${CANDIDATES_BODY}`,
);

/**
 * ARGV: id · period · requests window ref · requests limit ref · token
 * window ref · token limit ref. Check, then count, in one script: no other
 * command runs in between. Counts are kept with HINCRBY (exact integers).
 */
export const ACCESS_KEY_USE_SCRIPT = luaScript(
  'access-key-use',
  `${PRELUDE}
local id, period = ARGV[1], ARGV[2]
local rw, rlimit, tw, tlimit = opt(ARGV[3]), tonumber(opt(ARGV[4])), opt(ARGV[5]), tonumber(opt(ARGV[6]))
local ckey = base .. 'counter:' .. id
local c = redis.call('HMGET', ckey, 'rw', 'r', 'tw', 't')
-- A window id other than the stored one is a new window: its count starts at 0.
local r, t = '0', '0'
if rw and c[1] == rw then r = c[2] end
if tw and c[3] == tw then t = c[4] end
if tlimit and tonumber(t) >= tlimit then return {'OK', 'tokens', r, t} end
if rlimit and tonumber(r) >= rlimit then return {'OK', 'requests', r, t} end
if rw then
  if c[1] == rw then
    r = tostring(redis.call('HINCRBY', ckey, 'r', 1))
  else
    redis.call('HSET', ckey, 'rw', rw, 'r', '1')
    r = '1'
  end
end
local member = period .. ':' .. id
redis.call('HINCRBY', base .. 'usage:requests', member, 1)
redis.call('ZADD', base .. 'usage', 0, member)
redis.call('ZADD', base .. 'usage:key:' .. id, 0, period)
return {'OK', '', r, t}
`,
);

/** ARGV: id · period · tokens · token window ref. */
export const ACCESS_KEY_CHARGE_SCRIPT = luaScript(
  'access-key-charge',
  `${PRELUDE}
local id, period, tokens, tw = ARGV[1], ARGV[2], ARGV[3], opt(ARGV[4])
local member = period .. ':' .. id
redis.call('HINCRBY', base .. 'usage:tokens', member, tokens)
redis.call('ZADD', base .. 'usage', 0, member)
redis.call('ZADD', base .. 'usage:key:' .. id, 0, period)
if tw then
  local ckey = base .. 'counter:' .. id
  if redis.call('HGET', ckey, 'tw') == tw then redis.call('HINCRBY', ckey, 't', tokens) else redis.call('HSET', ckey, 'tw', tw, 't', tokens) end
end
return {'OK'}
`,
);

/**
 * ARGV: cursor ('' or the last item's `period:id`) · want (limit + 1) ·
 * key id ref · from ref · to ref. In period, then key id order: members
 * `period:id` sort so (':' sorts below every id character).
 */
export const USAGE_LIST_SCRIPT = luaScript(
  'usage-list',
  `${PRELUDE}
local cursor, want = ARGV[1], tonumber(ARGV[2])
local keyId, from, to = opt(ARGV[3]), opt(ARGV[4]), opt(ARGV[5])
local members = {}
if keyId then
  local min, max = '-', '+'
  if from then min = '[' .. from end
  if to then max = '[' .. to end
  local after = string.match(cursor, '^([^:]*)')
  if cursor ~= '' and (not from or after >= from) then min = '(' .. after end
  for _, period in ipairs(redis.call('ZRANGEBYLEX', base .. 'usage:key:' .. keyId, min, max, 'LIMIT', 0, want)) do
    members[#members + 1] = period .. ':' .. keyId
  end
else
  local min, max = '-', '+'
  if from then min = '[' .. from end
  -- Every member of period 'to' starts with 'to:', and ':' sorts just below ';'.
  if to then max = '(' .. to .. ';' end
  if cursor ~= '' and (not from or cursor >= from) then min = '(' .. cursor end
  members = redis.call('ZRANGEBYLEX', base .. 'usage', min, max, 'LIMIT', 0, want)
end
local out = {}
for _, member in ipairs(members) do
  out[#out + 1] = {member, redis.call('HGET', base .. 'usage:requests', member) or '0', redis.call('HGET', base .. 'usage:tokens', member) or '0'}
end
return {'OK', out}
`,
);
