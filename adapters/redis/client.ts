/**
 * The slice of a Redis client the adapter uses, and the EVALSHA-then-EVAL
 * script runner over it.
 *
 * @module
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * The methods {@link RedisStore} calls on a Redis client: script calls only,
 * so every operation is one atomic server-side step. An ioredis `Redis` or
 * `Cluster` fits as is; any other client fits through a two-method wrapper.
 * Replies are expected the ioredis way: bulk strings as JS strings, arrays as
 * arrays, `nil` as `null`; error replies reject with an `Error` whose
 * message starts with the Redis error code (e.g. `NOSCRIPT ...`).
 */
export interface RedisClientLike {
  /** `EVALSHA sha numkeys key... arg...`. */
  evalsha(sha1: string, numkeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /** `EVAL script numkeys key... arg...`, used when the server does not have the script cached. */
  eval(script: string, numkeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /**
   * `true` on a Redis Cluster client (ioredis `Cluster` sets it). The
   * access-key read then takes two scripts, the key's locator and then its
   * tenant, since they live in different slots; one script otherwise.
   */
  readonly isCluster?: boolean;
}

/** A Lua script with its SHA-1, computed once. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

/** Builds a {@link LuaScript}. */
export function luaScript(name: string, source: string): LuaScript {
  return { name, source, sha: bytesToHex(sha1(utf8ToBytes(source))) };
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Runs a script by its SHA (one round trip once the server has it cached)
 * and falls back to sending the source on `NOSCRIPT` (after a restart,
 * `SCRIPT FLUSH` or on a fresh cluster node), which also caches it.
 */
export async function runScript(
  client: RedisClientLike,
  script: LuaScript,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return await client.eval(script.source, keys.length, ...keys, ...args);
  }
}
