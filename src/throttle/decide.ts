/**
 * (5) decide: the throttle as a pure function of (learner history, policy, now) → send | defer | suppress.
 *
 * Checks run in this order, and the first that refuses names the reason — chosen so the recorded reason
 * is the most useful one:
 *   1. the learner's own say (`preferences.opted_out`, `preferences.snoozed`): their wish outranks everything;
 *   2. `expired`: nothing else matters for a nudge that is no longer relevant;
 *   3. `adaptive.backoff`: after `dismissStreak` dismissals in a row, nothing for `backoffHours`;
 *   4. the rule's own limits: `max_per_learner` (lifetime), then `cooldown`;
 *   5. the learner's caps: `cap.day`, `cap.week`, counted per local calendar day / week in their time zone;
 *   6. `min_gap` → defer until the gap has passed;
 *   7. `quiet_hours` → defer until they end.
 * Caps and limits suppress (a nudge is about a moment: tomorrow's "retry that quiz" is stale); gap and quiet
 * hours defer (the moment is still right, just not this minute) unless the deferral would pass `expiresAt`.
 * Essential messages (e.g. a goal reminder the learner asked for) count toward caps but are not blocked by
 * backoff, caps or the gap; they still respect the learner's preferences, expiry and quiet hours.
 */
import type { Policy } from "./policy";
import { isValidTimeZone } from "../lib/timezones";
import { localDate, localDayStart, localWeekStart, quietHoursEnd } from "./local-time";

export interface HistoryMessage {
  ruleKey: string;
  deliveredAt: Date;
  seenAt: Date | null;
  dismissedAt: Date | null;
  vote: string | null;
  respondedAt: Date | null;
}

export interface ThrottleInput {
  now: Date;
  policy: Policy;
  learner: { timezone: string | null };
  message: { ruleKey: string; kind: string; essential: boolean; expiresAt: Date | null };
  rule: { cooldownHours: number | null; maxPerLearner: number | null };
  /** The learner's delivered messages (all courses); at least the last 8 days, this rule's, and the last 50. */
  history: HistoryMessage[];
  preferences: { snoozedUntil: Date | null; optedOutKinds: string[] };
}

export type Details = Record<string, unknown> & { explanation: string };

export type ThrottleDecision = { type: "send" } | { type: "defer"; until: Date; reason: "min_gap" | "quiet_hours"; details: Details } | { type: "suppress"; reason: string; details: Details };

const HOUR = 3_600_000;

/** Decides whether a message may be delivered to the learner at `now`. */
export function decide(input: ThrottleInput): ThrottleDecision {
  const { now, policy, message, rule, preferences } = input;
  const tz = input.learner.timezone && isValidTimeZone(input.learner.timezone) ? input.learner.timezone : policy.defaultTimezone;
  // Deliveries stamped after `now` (a concurrent worker whose clock read came later) still count: caps must
  // hold whatever order the clocks were read in.
  const history = input.history;
  const suppress = (reason: string, details: Details): ThrottleDecision => ({ type: "suppress", reason, details });

  if (preferences.optedOutKinds.includes(message.kind)) return suppress("preferences.opted_out", { kind: message.kind, explanation: `the learner opted out of ${message.kind} messages` });
  if (preferences.snoozedUntil && preferences.snoozedUntil.getTime() > now.getTime()) {
    return suppress("preferences.snoozed", { snoozedUntil: preferences.snoozedUntil.toISOString(), explanation: `the learner snoozed coaching until ${preferences.snoozedUntil.toISOString()}` });
  }
  if (message.expiresAt && message.expiresAt.getTime() <= now.getTime())
    return suppress("expired", { expiresAt: message.expiresAt.toISOString(), explanation: "the message expired before it could be sent" });

  if (!message.essential) {
    const backoff = backoffUntil(history, policy);
    if (backoff && backoff.until.getTime() > now.getTime()) {
      return suppress("adaptive.backoff", {
        streak: backoff.streak,
        dismissStreak: policy.adaptive.dismissStreak,
        until: backoff.until.toISOString(),
        explanation: `${backoff.streak} dismissals in a row: no nudges until ${backoff.until.toISOString()}`,
      });
    }
  }

  const ofRule = history.filter((h) => h.ruleKey === message.ruleKey);
  if (rule.maxPerLearner != null && ofRule.length >= rule.maxPerLearner) {
    return suppress("max_per_learner", { delivered: ofRule.length, cap: rule.maxPerLearner, explanation: `${ofRule.length} of ${rule.maxPerLearner} allowed by this rule already delivered` });
  }
  if (rule.cooldownHours != null && rule.cooldownHours > 0) {
    const last = latest(ofRule);
    if (last && now.getTime() - last.getTime() < rule.cooldownHours * HOUR) {
      return suppress("cooldown", {
        lastDeliveredAt: last.toISOString(),
        cooldownHours: rule.cooldownHours,
        explanation: `this rule last reached the learner ${hoursAgo(now, last)} h ago; cooldown is ${rule.cooldownHours} h`,
      });
    }
  }

  if (!message.essential) {
    const dayStart = localDayStart(now, tz).getTime();
    const today = countSince(history, dayStart);
    const dayCap = effectiveDayCap(history, policy, now);
    if (today >= dayCap) {
      return suppress("cap.day", {
        delivered: today,
        cap: dayCap,
        configuredCap: policy.maxPerDay,
        timezone: tz,
        localDay: localDate(now, tz),
        explanation: `${today} of ${dayCap} delivered today in ${tz}`,
      });
    }
    const weekStart = localWeekStart(now, tz);
    const week = countSince(history, weekStart.getTime());
    if (week >= policy.maxPerWeek) {
      return suppress("cap.week", {
        delivered: week,
        cap: policy.maxPerWeek,
        timezone: tz,
        weekStart: localDate(weekStart, tz),
        explanation: `${week} of ${policy.maxPerWeek} delivered this week in ${tz}`,
      });
    }
    const last = latest(history);
    if (last && policy.minGapMinutes > 0 && now.getTime() - last.getTime() < policy.minGapMinutes * 60_000) {
      const until = new Date(last.getTime() + policy.minGapMinutes * 60_000);
      const details = {
        lastDeliveredAt: last.toISOString(),
        minGapMinutes: policy.minGapMinutes,
        explanation: `last message ${Math.round((now.getTime() - last.getTime()) / 60_000)} min ago; the minimum gap is ${policy.minGapMinutes} min`,
      };
      if (message.expiresAt && until >= message.expiresAt) return suppress("min_gap", details);
      return { type: "defer", until, reason: "min_gap", details };
    }
  }

  if (policy.quietHours) {
    const until = quietHoursEnd(now, tz, policy.quietHours.start, policy.quietHours.end);
    if (until) {
      const details = { timezone: tz, quietHours: policy.quietHours, explanation: `quiet hours ${policy.quietHours.start}–${policy.quietHours.end} in ${tz}` };
      if (message.expiresAt && until >= message.expiresAt) return suppress("quiet_hours", details);
      return { type: "defer", until, reason: "quiet_hours", details };
    }
  }
  return { type: "send" };
}

/**
 * The dismiss streak: walking back from the newest delivery, dismissed messages without a helpful vote or a
 * response count; messages not interacted with yet are neutral; any other engagement ends the walk.
 * Backoff lasts `backoffHours` from the dismissal that completed the streak.
 */
export function backoffUntil(history: HistoryMessage[], policy: Policy): { streak: number; until: Date } | null {
  const sorted = newestFirst(history);
  let streak = 0;
  let lastDismissal: Date | null = null;
  for (const h of sorted) {
    const endsStreak = h.vote === "helpful" || h.respondedAt !== null;
    if (endsStreak) break;
    if (h.dismissedAt) {
      streak++;
      if (!lastDismissal || h.dismissedAt > lastDismissal) lastDismissal = h.dismissedAt;
      continue;
    }
    if (h.seenAt || h.vote) break; // engaged without dismissing: not "in a row"
  }
  if (streak < policy.adaptive.dismissStreak || !lastDismissal) return null;
  return { streak, until: new Date(lastDismissal.getTime() + policy.adaptive.backoffHours * HOUR) };
}

/**
 * The soft signal: messages delivered and never seen within `unseenWindowHours` (looking back 7 days)
 * lower the daily cap by 1 per `unseenPerCapStep` of them, never below 1.
 */
export function effectiveDayCap(history: HistoryMessage[], policy: Policy, now: Date): number {
  if (policy.maxPerDay <= 1) return policy.maxPerDay;
  const windowMs = policy.adaptive.unseenWindowHours * HOUR;
  const t = now.getTime();
  let unseen = 0;
  for (const h of history) {
    if (h.seenAt) continue;
    const age = t - h.deliveredAt.getTime();
    if (age > windowMs && age < 7 * 24 * HOUR) unseen++;
  }
  return Math.max(1, policy.maxPerDay - Math.floor(unseen / policy.adaptive.unseenPerCapStep));
}

/** The history newest first; the loader already returns it so, and then no copy or sort is made. */
export function newestFirst(history: HistoryMessage[]): HistoryMessage[] {
  for (let i = 1; i < history.length; i++) {
    if (history[i].deliveredAt.getTime() > history[i - 1].deliveredAt.getTime()) return [...history].sort((a, b) => b.deliveredAt.getTime() - a.deliveredAt.getTime());
  }
  return history;
}

function latest(history: HistoryMessage[]): Date | null {
  let max: Date | null = null;
  for (const h of history) if (!max || h.deliveredAt.getTime() > max.getTime()) max = h.deliveredAt;
  return max;
}

/** Deliveries at or after `since` (epoch ms); numeric compares, since Date comparisons are slow in V8. */
function countSince(history: HistoryMessage[], since: number): number {
  let n = 0;
  for (const h of history) if (h.deliveredAt.getTime() >= since) n++;
  return n;
}

function hoursAgo(now: Date, then: Date): number {
  return Math.round(((now.getTime() - then.getTime()) / HOUR) * 10) / 10;
}
