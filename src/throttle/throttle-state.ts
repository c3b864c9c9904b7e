/** Where a learner stands against the policy right now: caps used, the soft-signal cap, streak and backoff. */
import type { Policy } from "./policy";
import { backoffUntil, effectiveDayCap, newestFirst, type HistoryMessage } from "./decide";
import { localDate, localDayStart, localWeekStart } from "./local-time";
import { isValidTimeZone } from "../lib/timezones";

export interface ThrottleState {
  timezone: string;
  localDay: string;
  deliveredToday: number;
  dayCap: number;
  deliveredThisWeek: number;
  weekCap: number;
  dismissStreak: number;
  backoffUntil: string | null;
}

/** The learner's throttle state at `now` (pure: the same inputs as `decide`). */
export function throttleState(history: HistoryMessage[], policy: Policy, timezone: string | null, now: Date): ThrottleState {
  const tz = timezone && isValidTimeZone(timezone) ? timezone : policy.defaultTimezone;
  const dayStart = localDayStart(now, tz);
  const weekStart = localWeekStart(now, tz);
  const backoff = backoffUntil(history, policy);
  return {
    timezone: tz,
    localDay: localDate(now, tz),
    deliveredToday: history.filter((h) => h.deliveredAt >= dayStart).length,
    dayCap: effectiveDayCap(history, policy, now),
    deliveredThisWeek: history.filter((h) => h.deliveredAt >= weekStart).length,
    weekCap: policy.maxPerWeek,
    dismissStreak: countStreak(history),
    backoffUntil: backoff && backoff.until > now ? backoff.until.toISOString() : null,
  };
}

function countStreak(history: HistoryMessage[]): number {
  let streak = 0;
  for (const h of newestFirst(history)) {
    if (h.vote === "helpful" || h.respondedAt) break;
    if (h.dismissedAt) streak++;
    else if (h.seenAt || h.vote) break;
  }
  return streak;
}
