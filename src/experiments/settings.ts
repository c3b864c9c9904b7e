/**
 * A rule's learning-loop settings as zod schemas with their documented defaults: how it picks a variant
 * (`experiment`), whom it deliberately leaves out (`holdout`), and whether it asks the helpfulness gate.
 */
import { z } from "zod";
import { EVENT_TYPE_PATTERN } from "../ingest/event.schema";

export const experimentSchema = z.strictObject({
  mode: z.enum(["split", "bandit"]).default("split"),
  /** Bandit only: the share of traffic assigned uniformly at random, so no variant is ever starved. */
  minExplorationShare: z.number().min(0).max(1).default(0.05),
  /** Bandit only: what Thompson sampling maximizes. */
  reward: z.enum(["helpful", "engagement"]).default("helpful"),
  /** Bandit only: seeds the draws; the same seed, learner and trigger always give the same variant. */
  seed: z.string().min(1).max(128).optional(),
  /** The variant the others are tested against (default: the template's first variant). */
  control: z.string().min(1).max(64).optional(),
});
export type ExperimentSettings = z.infer<typeof experimentSchema>;

export const holdoutSchema = z.strictObject({
  share: z.number().min(0).max(0.5).default(0.1),
  /** What lift is measured on: did the learner do `eventType` within `withinDays` of the (would-be) nudge? */
  followUp: z
    .strictObject({
      eventType: z.string().regex(EVENT_TYPE_PATTERN, "must be an event type like module.completed"),
      withinDays: z.number().int().min(1).max(90).default(7),
    })
    .optional(),
});
export type HoldoutSettings = z.infer<typeof holdoutSchema>;

export const gateSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Learners with fewer settled messages than this always get the message (exploration). */
  minHistory: z.number().int().min(0).max(100).default(2),
  /** Weight of the message's prior against the learner's own outcomes, in pseudo-messages. */
  priorStrength: z.number().min(0.1).max(100).default(4),
  /** What each outcome is worth; the message is sent when the expected value is positive. */
  values: z
    .strictObject({
      helpful: z.number().min(-10).max(10).default(1),
      notHelpful: z.number().min(-10).max(10).default(-1),
      noInteraction: z.number().min(-10).max(10).default(0),
    })
    .default({ helpful: 1, notHelpful: -1, noInteraction: 0 }),
  /** Share of negative decisions sent anyway, so the estimate can recover when a learner changes. */
  explorationShare: z.number().min(0).max(1).default(0.05),
});
export type GateSettings = z.infer<typeof gateSchema>;

/** Stored settings with today's defaults filled in; null when absent (or, defensively, unreadable). */
export function readSettings<S extends z.ZodType>(schema: S, stored: unknown): z.infer<S> | null {
  if (stored === null || stored === undefined) return null;
  const parsed = schema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/** A rule's holdout: the stored settings, or for a rule saved before they existed, its bare `holdout_share`. */
export function readHoldout(stored: unknown, holdoutShare: number): HoldoutSettings | null {
  return readSettings(holdoutSchema, stored) ?? (holdoutShare > 0 ? { share: holdoutShare } : null);
}
