/**
 * The course player's answers as zod schemas, for the OpenAPI document (and so for the generated client's
 * types). They describe what the presenters return; the events body is the contract's single event or batch.
 */
import { z } from "zod";
import { batchEnvelopeSchema, eventSchema } from "../../ingest/event.schema";

/** POST /v1/events: one event, or a batch (each event validated on its own, see parse-events.ts). */
export const eventsBodySchema = z.union([eventSchema, batchEnvelopeSchema.extend({ events: z.array(eventSchema).min(1).max(500) })]);

export const eventsAcceptedSchema = z.object({ accepted: z.number().int(), duplicates: z.number().int() });

export const learnerTokenSchema = z.object({ token: z.string(), learnerId: z.string(), expiresAt: z.iso.datetime() });

const responseSpecSchema = z.union([
  z.object({ type: z.literal("text"), maxLength: z.number().int() }),
  z.object({ type: z.literal("scale"), min: z.number().int(), max: z.number().int(), labels: z.record(z.string(), z.string()).optional() }),
]);

/** A message as the inbox, the stream and feedback answers show it (presenters/message.presenter.ts). */
export const messageSchema = z.object({
  id: z.string(),
  learnerId: z.string(),
  courseId: z.string().nullable(),
  kind: z.enum(["nudge", "goal_prompt", "goal_reminder", "self_assessment"]),
  title: z.string(),
  body: z.string(),
  cta: z.object({ label: z.string(), url: z.string() }).nullable(),
  response: responseSpecSchema.nullable(),
  templateKey: z.string().nullable(),
  templateVersion: z.number().int().nullable(),
  variant: z.string().nullable(),
  ruleKey: z.string().nullable(),
  status: z.string(),
  createdAt: z.iso.datetime(),
  deliveredAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  dueAt: z.iso.datetime().nullable(),
  engagement: z.object({
    seenAt: z.iso.datetime().nullable(),
    clickedAt: z.iso.datetime().nullable(),
    dismissedAt: z.iso.datetime().nullable(),
    respondedAt: z.iso.datetime().nullable(),
    vote: z.enum(["helpful", "not_helpful"]).nullable(),
  }),
  answer: z.json().nullable(),
});

export const inboxSchema = z.object({ messages: z.array(messageSchema) });
