/**
 * Validates an ingest body atomically: every problem of every event is collected, and one bad event
 * rejects the whole batch. Valid events come back normalized, with clock skew corrected.
 */
import { ValidationError, type FieldError } from "../lib/errors";
import { zodFieldErrors } from "../lib/zod-errors";
import { batchEnvelopeSchema, eventSchema, MAX_EVENT_BYTES, type LearnerProfile } from "./event.schema";
import { correctClockSkew, MAX_FUTURE_MS } from "./clock-skew";

export interface NormalizedEvent {
  id: string;
  type: string;
  learnerId: string;
  courseId: string | null;
  moduleId: string | null;
  occurredAt: Date;
  sentAt: Date | null;
  properties: Record<string, unknown>;
  learner: LearnerProfile | null;
}

/**
 * Parses a single event or `{events: […], sentAt?}`; throws ValidationError naming `events[i].field`.
 * `bodyBytes`: the size of the JSON body, when known; a body within MAX_EVENT_BYTES cannot hold an
 * oversized event, so its events are not measured one by one.
 */
export function parseEvents(body: unknown, receivedAt: Date, bodyBytes?: number): NormalizedEvent[] {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ValidationError("The body must be one event or {\"events\": [...]}", [{ path: "", message: "must be a JSON object" }]);
  }
  const isBatch = "events" in body;
  let rawEvents: unknown[];
  let batchSentAt: string | undefined;
  if (isBatch) {
    const envelope = batchEnvelopeSchema.safeParse(body);
    if (!envelope.success) throw new ValidationError("The batch is invalid", zodFieldErrors(envelope.error));
    rawEvents = envelope.data.events;
    batchSentAt = envelope.data.sentAt;
  } else {
    rawEvents = [body];
  }

  const errors: FieldError[] = [];
  const events: NormalizedEvent[] = [];
  rawEvents.forEach((raw, index) => {
    const prefix = isBatch ? `events[${index}]` : "";
    const at = (field: string) => (prefix && field ? `${prefix}.${field}` : prefix || field);
    if (!(bodyBytes !== undefined && bodyBytes <= MAX_EVENT_BYTES) && Buffer.byteLength(JSON.stringify(raw ?? null)) > MAX_EVENT_BYTES) {
      errors.push({ path: prefix, message: `An event may be at most ${MAX_EVENT_BYTES / 1024} KB of JSON` });
      return;
    }
    const parsed = eventSchema.safeParse(raw);
    if (!parsed.success) {
      errors.push(...zodFieldErrors(parsed.error, prefix));
      return;
    }
    const e = parsed.data;
    const sentAtText = batchSentAt ?? e.sentAt;
    const sentAt = sentAtText ? new Date(sentAtText) : null;
    const occurredAt = correctClockSkew(new Date(e.occurredAt), sentAt, receivedAt);
    if (occurredAt.getTime() - receivedAt.getTime() > MAX_FUTURE_MS) {
      errors.push({ path: at("occurredAt"), message: "is more than 1 hour in the future (after clock-skew correction)" });
      return;
    }
    events.push({
      id: e.id,
      type: e.type,
      learnerId: e.learnerId,
      courseId: e.courseId ?? null,
      moduleId: e.moduleId ?? null,
      occurredAt,
      sentAt,
      properties: (e.properties ?? {}) as Record<string, unknown>,
      learner: e.learner ?? null,
    });
  });
  if (errors.length > 0) {
    throw new ValidationError(isBatch ? `${new Set(errors.map((e) => e.path.split(".")[0])).size} event(s) in the batch are invalid; nothing was stored` : "The event is invalid; nothing was stored", errors);
  }
  return events;
}
