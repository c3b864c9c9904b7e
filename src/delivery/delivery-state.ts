/**
 * What a throttle decision (at matching, at delivery, and for the learner's profile) reads about the learner,
 * in one query: their delivery history, their preferences, and their delivery version — the counter the
 * delivery write must find unchanged (write-delivery.ts). The history is bounded: every delivery of the last
 * 8 days (day and week caps, gap, unseen signal), every delivery of the rule in question (cooldown, lifetime
 * cap), and of the 50 most recent those the dismiss streak can reach, merged without duplicates. The streak is
 * walked newest first and ends at the first message the learner engaged with other than by dismissing it
 * (seen or voted without a dismissal, voted helpful, answered: see decide.ts's backoffUntil), so the 50 are
 * cut at the newest such message, which is kept: what decide and throttleState compute is the same as on all
 * 50 (tested), while a returning learner's history shrinks from ~50 entries to ~15. With the throttle off the
 * history is not read and the version is not checked.
 */
import type { Pool } from "pg";

/** A delivered message as the throttle weighs it (decide.ts's HistoryMessage): which rule, when, and what the learner did with it. */
export interface HistoryEntry {
  ruleKey: string;
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

/**
 * One history entry as the query sends it: an array, not an object (no key repeated 50 times per learner),
 * with times as epoch milliseconds (a number to read instead of a date string to parse), and only what the
 * throttle reads. A returning learner's history is ~50 entries read twice per nudge (matching, delivery):
 * its size is most of what the throttle costs this process, in parsing and in garbage collection.
 */
type HistoryTuple = [ruleKey: string, deliveredAt: number, seenAt: number | null, dismissedAt: number | null, vote: string | null, respondedAt: number | null];

interface StateRow {
  history: HistoryTuple[];
  preferences: { snoozed_until: string | null; kinds: string[] | null } | null;
  version: string | null;
}

const date = (iso: string | null) => (iso === null ? null : new Date(iso));
const dateOf = (ms: number | null) => (ms === null ? null : new Date(ms));

/** Epoch milliseconds of a timestamptz column, exact (the columns keep milliseconds). */
const ms = (column: string) => `(extract(epoch FROM ${column}) * 1000)::bigint`;
/** A message that ends a dismiss streak walked newest first (decide.ts's backoffUntil, throttle-state.ts's countStreak). */
const STREAK_ENDS = `vote = 'helpful' OR responded_at IS NOT NULL OR (dismissed_at IS NULL AND (seen_at IS NOT NULL OR vote IS NOT NULL))`;
/** What the throttle reads of a delivery (the parts are disjoint: no id to tell their rows apart). */
const HISTORY_COLUMNS = `rule_key, delivered_at, seen_at, dismissed_at, vote, responded_at`;

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
  // Two reads, disjoint, so UNION ALL merges them with nothing to compare. The learner's deliveries, newest
  // first, until the walk is past both the 8 days and the dismiss streak (or the 50): `ends_newer` counts the
  // rows that end a streak among those delivered after this one (strictly: ties with the end are kept, as
  // before), `past` the rows so far that are older than the 8 days and past the streak or the 50; both only
  // grow, so `past = 0` is a run condition that ends the index scan at the first such row. And the rule's
  // deliveries older than the 8 days, which that walk leaves out.
  const { rows } = await pool.query<StateRow & { learner_id: string }>(
    `SELECT k.learner_id,
       (SELECT COALESCE(json_agg(json_build_array(h.rule_key, ${ms("h.delivered_at")}, ${ms("h.seen_at")}, ${ms("h.dismissed_at")}, h.vote, ${ms("h.responded_at")})
                                 ORDER BY h.delivered_at DESC), '[]'::json) FROM (
          SELECT ${HISTORY_COLUMNS} FROM (
            SELECT ${HISTORY_COLUMNS},
                   count(*) FILTER (WHERE delivered_at < $3 AND (ends_newer > 0 OR n > 50)) OVER (ORDER BY delivered_at DESC ROWS UNBOUNDED PRECEDING) AS past
              FROM (
                SELECT ${HISTORY_COLUMNS}, row_number() OVER newer AS n, count(*) FILTER (WHERE ${STREAK_ENDS}) OVER newer AS ends_newer
                  FROM messages WHERE $4 AND learner_id = k.learner_id AND delivered_at IS NOT NULL
                WINDOW newer AS (ORDER BY delivered_at DESC GROUPS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) numbered) walk
           WHERE past = 0 AND (delivered_at >= $3 OR rule_key <> ALL(r.keys))
          UNION ALL
          SELECT ${HISTORY_COLUMNS} FROM messages
           WHERE $4 AND learner_id = k.learner_id AND rule_key = ANY(r.keys) AND delivered_at < $3) h) AS history,
       (SELECT row_to_json(p) FROM (SELECT snoozed_until, opted_out_kinds::text[] AS kinds FROM learner_preferences WHERE learner_id = k.learner_id) p) AS preferences,
       (SELECT COALESCE((SELECT version FROM learner_delivery_versions WHERE learner_id = k.learner_id), 0)::text) AS version
       FROM unnest($1::text[], $2::jsonb[]) AS k(learner_id, rule_keys)
       CROSS JOIN LATERAL (SELECT ARRAY(SELECT jsonb_array_elements_text(k.rule_keys)) AS keys) r`,
    [[...ruleKeys.keys()], [...ruleKeys.values()].map((keys) => JSON.stringify([...keys])), new Date(now.getTime() - HISTORY_WINDOW_MS), throttle],
  );
  for (const row of rows) {
    states.set(row.learner_id, {
      history: row.history.map(([ruleKey, deliveredAt, seenAt, dismissedAt, vote, respondedAt]) => ({
        ruleKey,
        deliveredAt: new Date(deliveredAt),
        seenAt: dateOf(seenAt),
        dismissedAt: dateOf(dismissedAt),
        vote,
        respondedAt: dateOf(respondedAt),
      })),
      preferences: { snoozedUntil: date(row.preferences?.snoozed_until ?? null), optedOutKinds: row.preferences?.kinds ?? [] },
      version: throttle ? row.version : null,
    });
  }
  return states;
}
