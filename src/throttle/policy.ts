/**
 * The throttling policy: the contract's shape, with documented defaults for anything left out.
 * PUT replaces the whole policy; a field left out takes its default (so a PUT is never half-merged).
 */
import { z } from "zod";
import { isValidTimeZone } from "../lib/timezones";

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM (24-hour)");

export const policySchema = z.strictObject({
  maxPerDay: z.number().int().min(0).max(1_000_000).default(3),
  maxPerWeek: z.number().int().min(0).max(1_000_000).default(10),
  minGapMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(60),
  /**
   * Nudges matched for one learner within this many minutes of each other compete: only the highest
   * priority is delivered, the others are suppressed as `lower_priority`. Each nudge waits at least this long
   * so that later matches in its window can still outrank it. 0 (the default): nudges compete per event only.
   */
  decisionWindowMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(0),
  quietHours: z.strictObject({ start: hhmm, end: hhmm }).nullable().default({ start: "22:00", end: "08:00" }),
  adaptive: z
    .strictObject({
      dismissStreak: z.number().int().min(1).max(100).default(3),
      backoffHours: z
        .number()
        .min(0)
        .max(24 * 90)
        .default(72),
      /** A delivered message nobody looked at within this many hours is the soft "not now" signal. */
      unseenWindowHours: z
        .number()
        .min(1)
        .max(24 * 30)
        .default(48),
      /** Every this many unseen messages (within the last 7 days) lowers the daily cap by 1, never below 1. */
      unseenPerCapStep: z.number().int().min(1).max(100).default(3),
    })
    .default({ dismissStreak: 3, backoffHours: 72, unseenWindowHours: 48, unseenPerCapStep: 3 }),
  autoPause: z.strictObject({ minVotes: z.number().int().min(1).default(30), minHelpfulRate: z.number().min(0).max(1).default(0.3) }).default({ minVotes: 30, minHelpfulRate: 0.3 }),
  /** Learners without a (valid) time zone are treated as living here. */
  defaultTimezone: z.string().refine(isValidTimeZone, "must be an IANA time zone").default("UTC"),
});

export type Policy = z.infer<typeof policySchema>;

export const DEFAULT_POLICY: Policy = policySchema.parse({});

/** What is in force when the throttle is switched off (COACH_THROTTLE=off): a policy that never limits. */
export const UNLIMITED_POLICY: Policy = policySchema.parse({
  maxPerDay: 1_000_000,
  maxPerWeek: 1_000_000,
  minGapMinutes: 0,
  quietHours: null,
  adaptive: { dismissStreak: 100, backoffHours: 0 },
});

/** A stored policy (possibly from an older version of the engine) with defaults filled in. */
export function parsePolicy(stored: unknown): Policy {
  const parsed = policySchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : DEFAULT_POLICY;
}
