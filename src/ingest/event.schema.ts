/** The contract's event, as zod schemas: one event, or a batch of 1–500 with an optional `sentAt`. */
import { z } from "zod";
import { isValidTimeZone } from "../lib/timezones";
import { isPlausibleClientTime } from "./clock-skew";

export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_.]{0,63}$/;
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_BATCH = 500;

const id = z.string().min(1, "must not be empty").max(128, "must be at most 128 characters");
/** An instant as events carry it: ISO 8601 with a zone, within [1970, 2200). */
export const isoDate = z.iso
  .datetime({ offset: true, message: "must be an ISO 8601 date-time with a time zone, e.g. 2026-11-23T10:00:00Z", abort: true })
  .refine((text) => isPlausibleClientTime(new Date(text)), "must be from 1970-01-01 up to 2199-12-31");

export const LOCALE_PATTERN = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/;

export const learnerProfileSchema = z.strictObject({
  name: z.string().max(200).nullable().optional(),
  locale: z.string().regex(LOCALE_PATTERN, "must be a language tag like en or pt-BR").nullable().optional(),
  timezone: z.string().refine(isValidTimeZone, "must be an IANA time zone like Europe/London").nullable().optional(),
  attributes: z.record(z.string().max(128), z.json()).optional(),
});
export type LearnerProfile = z.infer<typeof learnerProfileSchema>;

export const eventSchema = z
  .strictObject({
    id,
    type: z.string().regex(EVENT_TYPE_PATTERN, "must match ^[a-z][a-z0-9_.]{0,63}$"),
    learnerId: id,
    courseId: id.optional(),
    moduleId: id.optional(),
    occurredAt: isoDate,
    /** Accepted on a single event too: the client's clock when sending. */
    sentAt: isoDate.optional(),
    properties: z.record(z.string().max(128), z.json()).optional(),
    learner: learnerProfileSchema.optional(),
  })
  .superRefine((event, ctx) => {
    // The built-in templates read these; bad values here would silently mis-target nudges.
    if (event.type === "quiz.submitted" && event.properties) {
      const { score, passed } = event.properties;
      if (score !== undefined && (typeof score !== "number" || score < 0 || score > 1)) {
        ctx.addIssue({ code: "custom", path: ["properties", "score"], message: "must be a number from 0 to 1" });
      }
      if (passed !== undefined && typeof passed !== "boolean") {
        ctx.addIssue({ code: "custom", path: ["properties", "passed"], message: "must be true or false" });
      }
    }
  });
export type IncomingEvent = z.infer<typeof eventSchema>;

export const batchEnvelopeSchema = z.strictObject({
  events: z.array(z.unknown()).min(1, "must hold at least 1 event").max(MAX_BATCH, `must hold at most ${MAX_BATCH} events`),
  sentAt: isoDate.optional(),
  context: z.record(z.string(), z.json()).optional(),
});
