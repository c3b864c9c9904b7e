/**
 * Segment membership for the segments candidate rules target: stored members for static and SQL segments,
 * and for attribute segments their conditions evaluated on the learner's match context, at match time.
 * Segment definitions (type, compiled conditions) are cached on the context until the segments revision
 * moves: a definition change through any process applies everywhere within POLL_MS.
 */
import type { EngineContext } from "../context";
import { cacheArea } from "../db/content-cache";
import { compileCondition, type CompiledCondition } from "./compile-condition";
import type { Condition } from "./conditions.schema";
import type { MatchContext } from "./match-context";

type SegmentDefinitions = Map<string, { type: string; test: CompiledCondition | null }>;

const SEGMENT_DEFINITIONS = cacheArea<SegmentDefinitions>({ name: "segment-definitions", kind: "segments" });

type MembershipContext = Pick<EngineContext, "database" | "cache">;

/** A membership test over `segmentKeys` for this learner and context. Unknown segments have no members. */
export async function loadMemberships(engine: MembershipContext, learnerId: string, segmentKeys: string[], ctx: MatchContext): Promise<(key: string) => boolean> {
  const [test] = await loadMembershipsBatch(engine, [{ learnerId, segmentKeys, ctx }]);
  return test;
}

/** Membership tests for many learners at once: one query for all their stored memberships, in the order asked. */
export async function loadMembershipsBatch(engine: MembershipContext, asks: Array<{ learnerId: string; segmentKeys: string[]; ctx: MatchContext }>): Promise<Array<(key: string) => boolean>> {
  const keys = [...new Set(asks.flatMap((a) => a.segmentKeys))];
  if (keys.length === 0) return asks.map(() => () => false);
  const pool = engine.database.pool;
  const defs = await loadDefinitions(engine);
  const storedKeys = keys.filter((k) => defs.get(k)?.type !== "attributes");
  const stored = new Set<string>();
  // Only the (learner, segment) pairs asked about, each an index probe: not every learner × every segment.
  const isStored = new Set(storedKeys);
  const pairs = new Map<string, [string, string]>();
  for (const a of asks) for (const key of a.segmentKeys) if (isStored.has(key)) pairs.set(`${a.learnerId}\n${key}`, [a.learnerId, key]);
  if (pairs.size) {
    const { rows } = await pool.query<{ learner_id: string; segment_key: string }>(
      `SELECT k.learner_id, k.segment_key FROM unnest($1::text[], $2::text[]) AS k(learner_id, segment_key)
        WHERE EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_key = k.segment_key AND m.learner_id = k.learner_id)`,
      [[...pairs.values()].map(([learnerId]) => learnerId), [...pairs.values()].map(([, key]) => key)],
    );
    for (const r of rows) stored.add(`${r.learner_id}\n${r.segment_key}`);
  }
  return asks.map(({ learnerId, ctx }) => (key) => {
    const def = defs.get(key);
    if (!def) return false;
    return def.type === "attributes" ? Boolean(def.test?.(ctx)) : stored.has(`${learnerId}\n${key}`);
  });
}

/** Every segment's type and compiled conditions: few rows, read once per segments revision. */
async function loadDefinitions(engine: MembershipContext): Promise<SegmentDefinitions> {
  return engine.cache.get(SEGMENT_DEFINITIONS, "all", async () => {
    const { rows } = await engine.database.pool.query<{ key: string; type: string; conditions: Condition | null }>(`SELECT key, type, conditions FROM segments`);
    return new Map(rows.map((r) => [r.key, { type: r.type, test: r.type === "attributes" && r.conditions ? compileCondition(r.conditions) : null }]));
  });
}
