/**
 * What a throttle decision (at matching, at delivery, and for the learner's profile) reads about the learner,
 * in one query: their delivery history, their preferences, and their delivery version — the counter the
 * delivery write must find unchanged (write-delivery.ts). The history is bounded: every delivery of the last
 * 8 days (day and week caps, gap), every delivery of the rule in question (cooldown, lifetime cap), and the
 * 50 most recent (dismiss streak, unseen signal), merged without duplicates. With the throttle off the
 * history is not read and the version is not checked.
 */
import type { Pool } from "pg";

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
const HISTORY_WINDOW_MS = 8 * 86_400_000;

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

/** The learner's state for a decision about `ruleKey` at `now`; history newest first. */
export async function loadDeliveryState(pool: Pool, learnerId: string, ruleKey: string, now: Date, throttle: boolean): Promise<DeliveryState> {
  const states = await loadDeliveryStates(pool, [{ learnerId, ruleKeys: [ruleKey] }], now, throttle);
  return states.get(learnerId)!;
}

/**
 * The states of many learners in one query (a learner named twice is read once), each with the full history of every rule in its `ruleKeys`:
 * a batch of decisions reads once. Decisions at `now` or later may use it (the window only grows older).
 */
export async function loadDeliveryStates(pool: Pool, learners: Array<{ learnerId: string; ruleKeys: string[] }>, now: Date, throttle: boolean): Promise<Map<string, DeliveryState>> {
  const states = new Map<string, DeliveryState>();
  const ruleKeys = new Map<string, Set<string>>();
  for (const l of learners) {
    const keys = ruleKeys.get(l.learnerId) ?? new Set<string>();
    for (const key of l.ruleKeys) keys.add(key);
    ruleKeys.set(l.learnerId, keys);
  }
  if (ruleKeys.size === 0) return states;
  const { rows } = await pool.query<StateRow & { learner_id: string }>(
    `SELECT k.learner_id,
       (SELECT COALESCE(json_agg(h ORDER BY h.delivered_at DESC), '[]'::json) FROM (
          SELECT id, rule_key, kind, essential, delivered_at, seen_at, dismissed_at, vote, responded_at FROM messages
           WHERE $4 AND learner_id = k.learner_id AND delivered_at IS NOT NULL AND id IN (
             (SELECT id FROM messages WHERE learner_id = k.learner_id AND delivered_at >= $3)
             UNION (SELECT id FROM messages WHERE learner_id = k.learner_id AND rule_key IN (SELECT jsonb_array_elements_text(k.rule_keys)) AND delivered_at IS NOT NULL)
             UNION (SELECT id FROM messages WHERE learner_id = k.learner_id AND delivered_at IS NOT NULL ORDER BY delivered_at DESC LIMIT 50))) h) AS history,
       (SELECT row_to_json(p) FROM (SELECT snoozed_until, opted_out_kinds::text[] AS kinds FROM learner_preferences WHERE learner_id = k.learner_id) p) AS preferences,
       (SELECT COALESCE((SELECT version FROM learner_delivery_versions WHERE learner_id = k.learner_id), 0)::text) AS version
       FROM unnest($1::text[], $2::jsonb[]) AS k(learner_id, rule_keys)`,
    [[...ruleKeys.keys()], [...ruleKeys.values()].map((keys) => JSON.stringify([...keys])), new Date(now.getTime() - HISTORY_WINDOW_MS), throttle],
  );
  for (const row of rows) {
    states.set(row.learner_id, {
      history: row.history.map((h) => ({
        id: h.id, ruleKey: h.rule_key, kind: h.kind, essential: h.essential, deliveredAt: new Date(h.delivered_at),
        seenAt: date(h.seen_at), dismissedAt: date(h.dismissed_at), vote: h.vote, respondedAt: date(h.responded_at),
      })),
      preferences: { snoozedUntil: date(row.preferences?.snoozed_until ?? null), optedOutKinds: row.preferences?.kinds ?? [] },
      version: throttle ? row.version : null,
    });
  }
  return states;
}
