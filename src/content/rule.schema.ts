/** The contract's rule as a zod schema: an event trigger or an inactivity trigger, conditions validated on save. */
import { z } from "zod";
import { conditionSchema } from "../matching/conditions.schema";
import { EVENT_TYPE_PATTERN } from "../ingest/event.schema";
import { experimentSchema, gateSchema, holdoutSchema } from "../experiments/settings";

export const RULE_KEY = /^[a-z0-9][a-z0-9-_.]{0,63}$/;

const eventTrigger = z.strictObject({
  eventType: z.string().regex(EVENT_TYPE_PATTERN, "must be an event type like quiz.submitted"),
  courseId: z.string().min(1).max(128).nullable().optional(),
  where: conditionSchema.nullable().optional(),
});
const inactivityTrigger = z.strictObject({
  inactiveDays: z.number().int().min(1).max(365),
  courseId: z.string().min(1).max(128).nullable().optional(),
});

const ruleFields = {
  name: z.string().trim().min(1).max(200),
  enabled: z.boolean().default(true),
  trigger: z.union([eventTrigger, inactivityTrigger]),
  segmentKey: z.string().min(1).max(64).nullable().optional(),
  templateKey: z.string().min(1).max(64),
  delaySeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(0),
  priority: z.number().int().min(-1000).max(1000).default(0),
  cooldownHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 365)
    .nullable()
    .optional(),
  maxPerLearner: z.number().int().min(1).max(10_000).nullable().optional(),
  expiresAfterHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .nullable()
    .optional(),
  essential: z.boolean().default(false),
  experiment: experimentSchema.nullable().optional(),
  holdout: holdoutSchema.nullable().optional(),
  /** Shorthand for `holdout: {share}` kept from the first API; `holdout` wins when both are given. */
  holdoutShare: z.number().min(0).max(0.5).optional(),
  gate: gateSchema.nullable().optional(),
};

export const createRuleSchema = z.strictObject({ key: z.string().regex(RULE_KEY, "must match ^[a-z0-9][a-z0-9-_.]{0,63}$"), ...ruleFields });
/**
 * PUT /v1/rules/{key}: the definition, and also exactly what GET returned, so GET-edit-PUT works. Of the
 * read-only fields, `key` must be the path's and `version` is a precondition (as If-Match); the others are
 * ignored.
 */
export const updateRuleSchema = z.strictObject({
  ...ruleFields,
  key: z.string().optional(),
  version: z.number().int().min(1).optional(),
  createdAt: z.unknown().optional(),
  updatedAt: z.unknown().optional(),
});
export type CreateRuleInput = z.infer<typeof createRuleSchema>;
export type UpdateRuleInput = z.infer<typeof updateRuleSchema>;
