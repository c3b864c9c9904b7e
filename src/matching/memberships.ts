/**
 * Segment membership for the segments candidate rules target: stored members for static and SQL segments,
 * and for attribute segments their conditions evaluated on the learner's match context, at match time.
 * Attribute-segment definitions are compiled once and cached briefly (they change rarely).
 */
import type { Pool } from "pg";
import { compileCondition, type CompiledCondition } from "./compile-condition";
import type { Condition } from "./conditions.schema";
import type { MatchContext } from "./match-context";

const CACHE_MS = 1_000;
const definitions = new WeakMap<Pool, Map<string, { type: string; test: CompiledCondition | null; at: number }>>();

/** A membership test over `segmentKeys` for this learner and context. Unknown segments have no members. */
export async function loadMemberships(pool: Pool, learnerId: string, segmentKeys: string[], ctx: MatchContext): Promise<(key: string) => boolean> {
  const keys = [...new Set(segmentKeys)];
  if (keys.length === 0) return () => false;
  const defs = await loadDefinitions(pool, keys);
  const storedKeys = keys.filter((k) => defs.get(k)?.type !== "attributes");
  const stored = new Set<string>();
  if (storedKeys.length) {
    const { rows } = await pool.query<{ segment_key: string }>(
      `SELECT segment_key FROM segment_members WHERE learner_id = $1 AND segment_key = ANY($2::text[])`,
      [learnerId, storedKeys],
    );
    for (const r of rows) stored.add(r.segment_key);
  }
  return (key) => {
    const def = defs.get(key);
    if (!def) return false;
    return def.type === "attributes" ? Boolean(def.test?.(ctx)) : stored.has(key);
  };
}

async function loadDefinitions(pool: Pool, keys: string[]) {
  let cache = definitions.get(pool);
  if (!cache) definitions.set(pool, (cache = new Map()));
  const now = Date.now();
  const missing = keys.filter((k) => !(cache.get(k) && now - cache.get(k)!.at < CACHE_MS));
  if (missing.length) {
    const { rows } = await pool.query<{ key: string; type: string; conditions: Condition | null }>(`SELECT key, type, conditions FROM segments WHERE key = ANY($1::text[])`, [missing]);
    for (const k of missing) cache.delete(k);
    for (const r of rows) cache.set(r.key, { type: r.type, test: r.type === "attributes" && r.conditions ? compileCondition(r.conditions) : null, at: now });
  }
  return cache;
}
