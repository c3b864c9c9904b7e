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

/** Day and week caps and the gap look this far back (a week in any time zone, plus a day). */
export const HISTORY_WINDOW_MS = 8 * 86_400_000;

/** The ids of the messages a decision about rule $3 reads for learner $1 (deliveries since $2, of the rule, the latest 50). */
export const HISTORY_IDS_SQL = `(SELECT id FROM messages WHERE learner_id = $1 AND delivered_at >= $2)
        UNION (SELECT id FROM messages WHERE learner_id = $1 AND rule_key = $3 AND delivered_at IS NOT NULL)
        UNION (SELECT id FROM messages WHERE learner_id = $1 AND delivered_at IS NOT NULL ORDER BY delivered_at DESC LIMIT 50)`;

/** The learner's delivered messages relevant to a decision about `ruleKey` at `now`, newest first. */
export async function loadLearnerHistory(db: Pool | PoolClient, learnerId: string, ruleKey: string, now: Date): Promise<HistoryEntry[]> {
  const { rows } = await db.query(
    `SELECT id, rule_key, kind, essential, delivered_at, seen_at, dismissed_at, vote, responded_at FROM messages
      WHERE learner_id = $1 AND delivered_at IS NOT NULL AND id IN (${HISTORY_IDS_SQL})
      ORDER BY delivered_at DESC`,
    [learnerId, new Date(now.getTime() - HISTORY_WINDOW_MS), ruleKey],
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
