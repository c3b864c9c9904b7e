/**
 * What a throttle decision (at matching and at delivery) reads about the learner, in one query: the delivery history the throttle needs
 * (the same bounded selection as loadLearnerHistory), their preferences, and their delivery version — the
 * counter the delivery write must find unchanged (write-delivery.ts). With the throttle off the history is
 * not read and the version is not checked.
 */
import type { Pool } from "pg";
import { HISTORY_IDS_SQL, HISTORY_WINDOW_MS, type HistoryEntry } from "./learner-history";

export interface DeliveryState {
  history: HistoryEntry[];
  preferences: { snoozedUntil: Date | null; optedOutKinds: string[] };
  /** The learner's delivery counter as read; null with the throttle off (deliveries are then not serialized). */
  version: string | null;
}

interface StateRow {
  history: Array<{ id: string; rule_key: string; kind: string; essential: boolean; delivered_at: string; seen_at: string | null; dismissed_at: string | null; vote: string | null; responded_at: string | null }>;
  preferences: { snoozed_until: string | null; kinds: string[] | null } | null;
  version: string | null;
}

const date = (iso: string | null) => (iso === null ? null : new Date(iso));

export async function loadDeliveryState(pool: Pool, learnerId: string, ruleKey: string, now: Date, throttle: boolean): Promise<DeliveryState> {
  const { rows } = await pool.query<StateRow>(
    `SELECT
       (SELECT COALESCE(json_agg(h ORDER BY h.delivered_at DESC), '[]'::json) FROM (
          SELECT id, rule_key, kind, essential, delivered_at, seen_at, dismissed_at, vote, responded_at FROM messages
           WHERE $4 AND learner_id = $1 AND delivered_at IS NOT NULL AND id IN (${HISTORY_IDS_SQL})) h) AS history,
       (SELECT row_to_json(p) FROM (SELECT snoozed_until, opted_out_kinds::text[] AS kinds FROM learner_preferences WHERE learner_id = $1) p) AS preferences,
       (SELECT COALESCE((SELECT version FROM learner_delivery_versions WHERE learner_id = $1), 0)::text) AS version`,
    [learnerId, new Date(now.getTime() - HISTORY_WINDOW_MS), ruleKey, throttle],
  );
  const row = rows[0];
  return {
    history: row.history.map((h) => ({
      id: h.id, ruleKey: h.rule_key, kind: h.kind, essential: h.essential, deliveredAt: new Date(h.delivered_at),
      seenAt: date(h.seen_at), dismissedAt: date(h.dismissed_at), vote: h.vote, respondedAt: date(h.responded_at),
    })),
    preferences: { snoozedUntil: date(row.preferences?.snoozed_until ?? null), optedOutKinds: row.preferences?.kinds ?? [] },
    version: throttle ? row.version : null,
  };
}
