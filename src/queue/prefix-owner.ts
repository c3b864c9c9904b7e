/**
 * One engine per queue prefix. Two engines with different databases sharing a Redis and a prefix take each
 * other's jobs: a job naming an event of one database runs against the other, finds nothing, and completes,
 * while the sweeper of the first keeps re-enqueueing work the second keeps swallowing. So the prefix records
 * which database owns it (`<prefix>:engine`), every process of that database's engine checks it, and a process
 * of another database refuses to start.
 */
import type { RedisClient } from "./connection";
import type { EngineIdentity } from "../db/engine-identity";

export type { EngineIdentity };

/** Why a process may not use a queue prefix: another database's engine owns it. */
export class PrefixInUseError extends Error {
  constructor(
    readonly prefix: string,
    readonly key: string,
    readonly owner: EngineIdentity,
    readonly mine: EngineIdentity,
  ) {
    super(
      `Queue prefix ${prefix} is in use by the engine of database "${owner.database}" (engine ${owner.engineId}); ` +
        `this process runs on database "${mine.database}" (engine ${mine.engineId}). Two databases sharing one prefix ` +
        `would take each other's jobs. Set COACH_QUEUE_PREFIX to a prefix of its own for one of them ` +
        `(or, if the engine of "${owner.database}" is gone for good, delete the Redis key ${key}).`,
    );
    this.name = "PrefixInUseError";
  }
}

/** The Redis key that records a prefix's owner (inside the prefix's hash tag, so it lives with its queues). */
export function ownerKey(prefix: string): string {
  return `${prefix}:engine`;
}

/**
 * Records `mine` as the prefix's owner unless one is recorded; throws PrefixInUseError when the recorded owner
 * is another database. Processes of one engine share the engine id, so any number of them pass.
 */
export async function claimPrefix(redis: RedisClient, prefix: string, mine: EngineIdentity): Promise<void> {
  const key = ownerKey(prefix);
  const value = JSON.stringify(mine);
  if ((await redis.set(key, value, "NX")) === "OK") return;
  const recorded = await redis.get(key);
  if (recorded === null) {
    await redis.set(key, value, "NX"); // released in between: claim again (a racing owner wins, and is checked next time)
    return;
  }
  const owner = parseIdentity(recorded);
  if (owner && owner.engineId === mine.engineId) return;
  throw new PrefixInUseError(prefix, key, owner ?? { engineId: "unknown", database: recorded.slice(0, 100) }, mine);
}

function parseIdentity(text: string): EngineIdentity | null {
  try {
    const value = JSON.parse(text) as Partial<EngineIdentity>;
    return typeof value.engineId === "string" && typeof value.database === "string" ? { engineId: value.engineId, database: value.database } : null;
  } catch {
    return null;
  }
}

/** Deletes the claim if it is `mine` (throwaway prefixes of tests and the simulator). */
export async function releasePrefix(redis: RedisClient, prefix: string, mine: EngineIdentity): Promise<void> {
  const key = ownerKey(prefix);
  const recorded = await redis.get(key);
  if (recorded !== null && parseIdentity(recorded)?.engineId === mine.engineId) await redis.del(key);
}
