/**
 * The Lua scripts behind the Redis adapter's key cooldowns. One string key
 * per cooldown, `<base>cd:<configId>`, holding `until \t reason \t setAt`
 * with a Redis expiry at `until`: Redis drops it on its own, so cooldowns
 * never pile up, and every process sharing the Redis sees the same ones.
 *
 * @module
 */
import type { KeyCooldownRecord } from '../../src/store/cooldown-storage.js';
import { luaScript } from './client.js';
import { BYTE_ORDER } from './scripts.js';

/** The byte-order comparison, and the end of a cooldown value. */
const COOLDOWN_FUNCTIONS = `
${BYTE_ORDER}local function untilOf(value) return string.match(value, '^([^\\t]*)') end
`;

/**
 * KEYS: tenant base. ARGV: configId · until · reason · setAt · ttl (ms).
 * Keeps the later cooldown: a stored one ending at or after `until` stays.
 */
export const COOLDOWN_PUT_SCRIPT = luaScript(
  'cooldown-put',
  `local base = KEYS[1]
${COOLDOWN_FUNCTIONS}
local key = base .. 'cd:' .. ARGV[1]
local held = redis.call('GET', key)
if held and not greater(ARGV[2], untilOf(held)) then return {'OK', 0} end
redis.call('SET', key, ARGV[2] .. '\\t' .. ARGV[3] .. '\\t' .. ARGV[4], 'PX', ARGV[5])
return {'OK', 1}
`,
);

/** KEYS: tenant base. ARGV: now · configIds. The cooldowns that end after `now`, as `{id, value}` pairs. */
export const COOLDOWN_LOAD_SCRIPT = luaScript(
  'cooldown-load',
  `local base = KEYS[1]
${COOLDOWN_FUNCTIONS}
local out = {}
for i = 2, #ARGV do
  local value = redis.call('GET', base .. 'cd:' .. ARGV[i])
  if value and greater(untilOf(value), ARGV[1]) then out[#out + 1] = {ARGV[i], value} end
end
return {'OK', out}
`,
);

/** A record from one `{id, value}` pair of {@link COOLDOWN_LOAD_SCRIPT}. */
export function decodeCooldown(tenantId: string, entry: unknown): KeyCooldownRecord {
  if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string')
    throw new TypeError('unexpected script payload');
  const [until, reason, setAt] = entry[1].split('\t');
  if (until === undefined || reason !== 'rate_limited' || setAt === undefined)
    throw new TypeError('unexpected cooldown value');
  return { tenantId, configId: entry[0], until, reason, setAt };
}
