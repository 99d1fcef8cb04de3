import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run by its SHA (EVALSHA), so the script text is not sent and parsed on every
 * call; falls back to EVAL once when the server does not know it yet (NOSCRIPT).
 */
export function redisScript(redis: Redis, lua: string, numberOfKeys: number) {
  const sha = shaOf(lua);
  return async (...keysAndArgs: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, numberOfKeys, ...keysAndArgs);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
        return redis.eval(lua, numberOfKeys, ...keysAndArgs);
      }
      throw err;
    }
  };
}

const shas = new Map<string, string>();
function shaOf(lua: string): string {
  let sha = shas.get(lua);
  if (!sha) {
    sha = createHash('sha1').update(lua).digest('hex');
    shas.set(lua, sha);
  }
  return sha;
}
