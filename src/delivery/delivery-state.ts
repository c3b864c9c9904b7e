/**
 * What a throttle decision (at matching, at delivery, and for the learner's profile) reads about the learner,
 * in one query: their delivery history, their preferences, and their delivery version — the counter the
 * delivery write must find unchanged (write-delivery.ts). The history is bounded: every delivery of the last
 * 8 days (day and week caps, gap, unseen signal), every delivery of the rule in question when its limits reach
 * past those 8 days (a lifetime cap, a cooldown longer than the window) or when no streak ends within the walk
 * below (the streak then runs on into them), and of the 50 most recent those the dismiss streak can reach,
 * merged without duplicates. The streak is walked newest first and ends at the first message the learner
 * engaged with other than by dismissing it (seen or voted without a dismissal, voted helpful, answered: see
 * decide.ts's backoffUntil), so the 50 are cut at the newest such message, which is kept: what decide and
 * throttleState compute is the same as on all 50 and all of the rule's deliveries (tested), while a returning
 * learner's history shrinks from ~50 entries to ~15, and the rule's older deliveries — scattered rows, most of
 * what the read cost the database — are read only when something reads them. With the throttle off the history
 * is not read and the version is not checked.
 *
 * A state read for some rules at some time also holds, without a second read, the state a decision about one of
 * those rules at that time or later would read, as long as the learner's version has not moved
 * (deriveDeliveryState): matching's read is reused at delivery (delivery-state-handoff.ts).
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

/** A state as loadDeliveryStates read it: also when (the window's end) and for which rules, so a later state can be derived from it. */
export interface LoadedDeliveryState extends DeliveryState {
  readAt: Date;
  ruleKeys: ReadonlySet<string>;
  /** Of those, the rules whose limits read their deliveries older than the window (readsOlderDeliveries). */
  olderRuleKeys: ReadonlySet<string>;
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
/** STREAK_ENDS on a loaded entry. */
const endsStreak = (h: HistoryEntry) => h.vote === "helpful" || h.respondedAt !== null || (h.dismissedAt === null && (h.seenAt !== null || h.vote !== null));
/** Of the newest deliveries, the walk keeps this many whatever the streak (then stops at the first row past the 8 days). */
const NEWEST_KEPT = 50;
/** What the throttle reads of a delivery (the parts are disjoint: no id to tell their rows apart). */
const HISTORY_COLUMNS = `rule_key, delivered_at, seen_at, dismissed_at, vote, responded_at`;

/** The limits of a rule that read its deliveries older than the history's window. */
export interface RuleLimits {
  cooldownHours: number | null;
  maxPerLearner: number | null;
}

/** A rule a decision is about: its key and its limits. */
export interface AskedRule extends RuleLimits {
  key: string;
}

/**
 * Whether a decision about the rule reads its deliveries older than the window: a lifetime cap counts them
 * all, and a cooldown longer than the window can still be running from one of them. A shorter cooldown
 * cannot (a decision at the read's time or later is more than the window past them), and nothing else in
 * decide.ts reads a rule's own deliveries.
 */
export function readsOlderDeliveries(rule: RuleLimits): boolean {
  return rule.maxPerLearner !== null || (rule.cooldownHours ?? 0) * 3_600_000 > HISTORY_WINDOW_MS;
}

/** The learner's state for decisions about `rules` at `now` (none: only what every decision reads, as the profile shows it); history newest first. */
export async function loadDeliveryState(pool: Pool, learnerId: string, rules: AskedRule[], now: Date, throttle: boolean): Promise<LoadedDeliveryState> {
  const states = await loadDeliveryStates(pool, [{ learnerId, rules }], now, throttle);
  return states.get(learnerId)!;
}

/**
 * The states of many learners in one query (a learner named twice is read once), each holding what decisions
 * about every rule in its `rules` read: a batch of decisions reads once. Decisions at `now` or later may use it
 * (the window only grows older).
 */
export async function loadDeliveryStates(pool: Pool, learners: Array<{ learnerId: string; rules: AskedRule[] }>, now: Date, throttle: boolean): Promise<Map<string, LoadedDeliveryState>> {
  const states = new Map<string, LoadedDeliveryState>();
  const asked = new Map<string, { keys: Set<string>; older: Set<string> }>();
  for (const l of learners) {
    const rules = asked.get(l.learnerId) ?? { keys: new Set<string>(), older: new Set<string>() };
    for (const rule of l.rules) {
      rules.keys.add(rule.key);
      if (readsOlderDeliveries(rule)) rules.older.add(rule.key);
    }
    asked.set(l.learnerId, rules);
  }
  if (asked.size === 0) return states;
  // Two reads, disjoint, so UNION ALL merges them with nothing to compare. The learner's deliveries, newest
  // first, until the walk is past both the 8 days and the dismiss streak (or the 50): `ends_newer` counts the
  // rows that end a streak among those delivered after this one (strictly: ties with the end are kept, as
  // before), `past` the rows so far that are older than the 8 days and past the streak or the 50; both only
  // grow, so `past = 0` is a run condition that ends the index scan at the first such row. And the older
  // deliveries of the rules that read them (`whole`), which that walk leaves out: those whose limits reach
  // past the window, or every asked rule when no streak ends within the walk (backoffUntil and the profile's
  // streak then walk on into them); else older rows of a rule are read by nothing, so they are not read.
  const { rows } = await pool.query<StateRow & { learner_id: string }>(
    `SELECT k.learner_id,
       (SELECT COALESCE(json_agg(json_build_array(h.rule_key, ${ms("h.delivered_at")}, ${ms("h.seen_at")}, ${ms("h.dismissed_at")}, h.vote, ${ms("h.responded_at")})
                                 ORDER BY h.delivered_at DESC), '[]'::json) FROM (
          WITH walk AS (
            SELECT ${HISTORY_COLUMNS}, ends FROM (
              SELECT ${HISTORY_COLUMNS}, ends,
                     count(*) FILTER (WHERE delivered_at < $3 AND (ends_newer > 0 OR n > ${NEWEST_KEPT})) OVER (ORDER BY delivered_at DESC ROWS UNBOUNDED PRECEDING) AS past
                FROM (
                  SELECT ${HISTORY_COLUMNS}, COALESCE(${STREAK_ENDS}, false) AS ends, row_number() OVER newer AS n, count(*) FILTER (WHERE ${STREAK_ENDS}) OVER newer AS ends_newer
                    FROM messages WHERE $4 AND learner_id = k.learner_id AND delivered_at IS NOT NULL
                  WINDOW newer AS (ORDER BY delivered_at DESC GROUPS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) numbered) walked
             WHERE past = 0
          ), whole AS (
            SELECT CASE WHEN EXISTS (SELECT 1 FROM walk WHERE ends) THEN r.older ELSE r.keys END AS keys
          )
          SELECT ${HISTORY_COLUMNS} FROM walk, whole WHERE delivered_at >= $3 OR rule_key <> ALL(whole.keys)
          UNION ALL
          SELECT ${HISTORY_COLUMNS} FROM messages, whole
           WHERE $4 AND learner_id = k.learner_id AND rule_key = ANY(whole.keys) AND delivered_at < $3) h) AS history,
       (SELECT row_to_json(p) FROM (SELECT snoozed_until, opted_out_kinds::text[] AS kinds FROM learner_preferences WHERE learner_id = k.learner_id) p) AS preferences,
       (SELECT COALESCE((SELECT version FROM learner_delivery_versions WHERE learner_id = k.learner_id), 0)::text) AS version
       FROM unnest($1::text[], $2::jsonb[], $5::jsonb[]) AS k(learner_id, rule_keys, older_keys)
       CROSS JOIN LATERAL (SELECT ARRAY(SELECT jsonb_array_elements_text(k.rule_keys)) AS keys, ARRAY(SELECT jsonb_array_elements_text(k.older_keys)) AS older) r`,
    [
      [...asked.keys()],
      [...asked.values()].map((rules) => JSON.stringify([...rules.keys])),
      new Date(now.getTime() - HISTORY_WINDOW_MS),
      throttle,
      [...asked.values()].map((rules) => JSON.stringify([...rules.older])),
    ],
  );
  for (const row of rows) {
    const rules = asked.get(row.learner_id)!;
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
      readAt: now,
      ruleKeys: rules.keys,
      olderRuleKeys: rules.older,
    });
  }
  return states;
}

/**
 * The walk of the query over a loaded history for a window starting at `since` (epoch ms): where it stops
 * (the first row older than the window that is past a streak end — strictly newer, ties kept, as GROUPS ...
 * 1 PRECEDING counts — or past the newest 50), and whether a row before that ends a streak. Exact while the
 * rows before the stop are the learner's newest deliveries without a gap (see deriveDeliveryState).
 */
function walkOf(history: HistoryEntry[], since: number): { stop: number; ends: boolean } {
  let ends = 0;
  let endsNewer = 0;
  let groupAt = Number.NaN;
  for (let i = 0; i < history.length; i++) {
    const t = history[i].deliveredAt.getTime();
    if (t !== groupAt) {
      endsNewer = ends;
      groupAt = t;
    }
    if (t < since && (endsNewer > 0 || i + 1 > NEWEST_KEPT)) return { stop: i, ends: ends > 0 };
    if (endsStreak(history[i])) ends++;
  }
  return { stop: history.length, ends: ends > 0 };
}

/**
 * The state loadDeliveryStates would read for `rules` at `at`, derived from `state` (read earlier, or at the
 * same time, for rules including these) when the learner's data is what it was then: the caller must write
 * its decisions only while the learner's version is still `state.version` (write-delivery.ts checks it, and
 * every change to a learner's deliveries, feedback or preferences moves it). Null when it cannot be derived:
 * another rule, an earlier time, no version (throttle off), or older deliveries of a rule that the later read
 * would hold and the earlier did not read.
 *
 * Why it is exact: the earlier read holds the learner's newest deliveries as one unbroken run (its walk, which
 * stopped at the first row older than its 8 days and past the streak or the 50) followed only by older rows of
 * the rules it read whole. A later window starts later, so the later walk stops at that row or before it, and
 * every row the later walk looks at lies in the unbroken run, where each row's position and the streak ends
 * newer than it are counted here as the query counts them (`n`, `ends_newer`); so is the earlier walk's end,
 * and with it which rules the earlier read holds whole. The rules the later read would hold whole must be among
 * them (their rows newer than the earlier window lie in its walk); then the later walk is replayed and their
 * rows past its stop are kept, newest first as the query sends them. tests/integration/delivery-state-reuse.test.ts
 * compares this with a read, row for row.
 */
export function deriveDeliveryState(state: LoadedDeliveryState, rules: AskedRule[], at: Date): DeliveryState | null {
  if (state.version === null || at.getTime() < state.readAt.getTime() || rules.some((rule) => !state.ruleKeys.has(rule.key))) return null;
  const history = state.history;
  const earlier = walkOf(history, state.readAt.getTime() - HISTORY_WINDOW_MS);
  const heldWhole = earlier.ends ? state.olderRuleKeys : state.ruleKeys;
  const later = walkOf(history, at.getTime() - HISTORY_WINDOW_MS);
  const whole = new Set(rules.filter((rule) => !later.ends || readsOlderDeliveries(rule)).map((rule) => rule.key));
  for (const key of whole) if (!heldWhole.has(key)) return null;
  const kept = history.slice(0, later.stop);
  for (let i = later.stop; i < history.length; i++) if (whole.has(history[i].ruleKey)) kept.push(history[i]);
  return { history: kept, preferences: state.preferences, version: state.version };
}
