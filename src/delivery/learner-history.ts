/**
 * The delivery history the throttle decides on, loaded with bounded queries: every delivery of the last
 * 8 days (day and week caps, gap), every delivery of the rule in question (cooldown, lifetime cap), and the
 * learner's 50 most recent deliveries (dismiss streak, unseen signal), merged without duplicates.
 */
import type { Pool, PoolClient } from "pg";

export interface HistoryEntry {
  id: string;
  ruleKey: string;
  kind: string;
  essential: boolean;
  deliveredAt: Date;
  seenAt: Date | null;
  dismissedAt: Date | null;
  vote: string | null;
  respondedAt: Date | null;
}

const WINDOW_MS = 8 * 86_400_000;

/** The learner's delivered messages relevant to a decision about `ruleKey` at `now`, newest first. */
export async function loadLearnerHistory(db: Pool | PoolClient, learnerId: string, ruleKey: string, now: Date): Promise<HistoryEntry[]> {
  const { rows } = await db.query(
    `SELECT id, rule_key, kind, essential, delivered_at, seen_at, dismissed_at, vote, responded_at FROM messages
      WHERE learner_id = $1 AND delivered_at IS NOT NULL AND id IN (
        (SELECT id FROM messages WHERE learner_id = $1 AND delivered_at >= $2)
        UNION (SELECT id FROM messages WHERE learner_id = $1 AND rule_key = $3 AND delivered_at IS NOT NULL)
        UNION (SELECT id FROM messages WHERE learner_id = $1 AND delivered_at IS NOT NULL ORDER BY delivered_at DESC LIMIT 50))
      ORDER BY delivered_at DESC`,
    [learnerId, new Date(now.getTime() - WINDOW_MS), ruleKey],
  );
  return rows.map((r) => ({
    id: r.id,
    ruleKey: r.rule_key,
    kind: r.kind,
    essential: r.essential,
    deliveredAt: r.delivered_at,
    seenAt: r.seen_at,
    dismissedAt: r.dismissed_at,
    vote: r.vote,
    respondedAt: r.responded_at,
  }));
}

/** The history a throttle decision reads; none with the throttle switched off, where nothing in it would count. */
export async function loadThrottleHistory(db: Pool | PoolClient, throttle: boolean, learnerId: string, ruleKey: string, now: Date): Promise<HistoryEntry[]> {
  return throttle ? loadLearnerHistory(db, learnerId, ruleKey, now) : [];
}

/** The learner's snooze and opted-out kinds (none when never set). */
export async function loadPreferences(db: Pool | PoolClient, learnerId: string): Promise<{ snoozedUntil: Date | null; optedOutKinds: string[] }> {
  // Cast to text[]: pg has no parser for the enum's array type and would hand back "{a,b}".
  const { rows } = await db.query(`SELECT snoozed_until, opted_out_kinds::text[] AS kinds FROM learner_preferences WHERE learner_id = $1`, [learnerId]);
  if (!rows[0]) return { snoozedUntil: null, optedOutKinds: [] };
  return { snoozedUntil: rows[0].snoozed_until, optedOutKinds: rows[0].kinds ?? [] };
}
