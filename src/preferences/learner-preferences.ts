/**
 * The learner's own say over coaching: snooze everything until a time, or opt out of kinds of message.
 * Matching and delivery read these through the throttle (`preferences.snoozed`, `preferences.opted_out`).
 */
import { z } from "zod";
import type { Pool } from "pg";
import { bumpDeliveryVersionsSql } from "../delivery/delivery-version";

const KINDS = ["nudge", "goal_prompt", "goal_reminder", "self_assessment"] as const;

export const putPreferencesSchema = z
  .strictObject({
    /** Optional: the path names the learner; given, it must be the same (a learner token's must be its own). */
    learnerId: z.string().min(1).max(128).optional(),
    snoozeHours: z
      .number()
      .min(0)
      .max(24 * 90)
      .optional(),
    snoozedUntil: z.iso.datetime({ offset: true }).nullable().optional(),
    optedOutKinds: z.array(z.enum(KINDS)).max(KINDS.length).optional(),
  })
  .refine((p) => !(p.snoozeHours !== undefined && p.snoozedUntil !== undefined), { message: "give snoozeHours or snoozedUntil, not both", path: ["snoozeHours"] });
export type PutPreferencesInput = z.infer<typeof putPreferencesSchema>;

export interface LearnerPreferences {
  learnerId: string;
  snoozedUntil: string | null;
  optedOutKinds: string[];
  updatedAt: string | null;
}

/** Reads a learner's preferences (defaults when never set). */
export async function getPreferences(pool: Pool, learnerId: string): Promise<LearnerPreferences> {
  const { rows } = await pool.query(`SELECT snoozed_until, opted_out_kinds::text[] AS kinds, updated_at FROM learner_preferences WHERE learner_id = $1`, [learnerId]);
  const r = rows[0];
  return { learnerId, snoozedUntil: r?.snoozed_until?.toISOString() ?? null, optedOutKinds: r?.kinds ?? [], updatedAt: r?.updated_at?.toISOString() ?? null };
}

/** Sets the fields given; others keep their value. `snoozeHours: 0` or `snoozedUntil: null` ends a snooze. */
export async function putPreferences(pool: Pool, learnerId: string, input: PutPreferencesInput, now: Date): Promise<LearnerPreferences> {
  const snoozedUntil =
    input.snoozeHours !== undefined
      ? input.snoozeHours === 0
        ? null
        : new Date(now.getTime() + input.snoozeHours * 3_600_000)
      : input.snoozedUntil === undefined
        ? undefined
        : input.snoozedUntil === null
          ? null
          : new Date(input.snoozedUntil);
  // With the learner's delivery version, in the same statement: a decision made on the preferences read
  // before is not written (src/delivery/delivery-version.ts).
  await pool.query(
    `WITH stored AS (
       INSERT INTO learner_preferences AS p (learner_id, snoozed_until, opted_out_kinds, updated_at)
       VALUES ($1, $2, COALESCE($3::text[], '{}')::"MessageKind"[], $4)
       ON CONFLICT (learner_id) DO UPDATE SET
         snoozed_until = CASE WHEN $5 THEN EXCLUDED.snoozed_until ELSE p.snoozed_until END,
         opted_out_kinds = CASE WHEN $3::text[] IS NULL THEN p.opted_out_kinds ELSE EXCLUDED.opted_out_kinds END,
         updated_at = EXCLUDED.updated_at
       RETURNING learner_id
     )
     ${bumpDeliveryVersionsSql("SELECT learner_id FROM stored")}`,
    [learnerId, snoozedUntil ?? null, input.optedOutKinds ?? null, now, snoozedUntil !== undefined],
  );
  return getPreferences(pool, learnerId);
}
