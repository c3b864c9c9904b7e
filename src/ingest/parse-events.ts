/**
 * Validates an ingest body atomically: every problem of every event is collected, and one bad event
 * rejects the whole batch. Valid events come back normalized, with clock skew corrected.
 */
import { ValidationError, type FieldError } from "../lib/errors";
import { zodFieldErrors } from "../lib/zod-errors";
import { batchEnvelopeSchema, eventSchema, MAX_EVENT_BYTES, type LearnerProfile } from "./event.schema";
import { correctClockSkew, correctedTimeProblem } from "./clock-skew";
import { findUnsafeText } from "../lib/unsafe-text";

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
  /** The original record (xAPI statement, Caliper event, Segment call) an event was mapped from, stored beside it. */
  source?: EventSourceRecord;
}

/** What recordEvents writes to event_sources beside an event that came from a learning-record standard. */
export interface EventSourceRecord {
  format: "xapi" | "caliper" | "segment";
  mappingKey: string | null;
  kind: Record<string, unknown>;
  body: unknown;
  /** `body` as UTF-8 JSON, the bytes as sent, when the route has them (stored instead of serializing `body` again). */
  bodyBytes?: Uint8Array;
}

/**
 * Parses a single event or `{events: […], sentAt?}`; throws ValidationError naming `events[i].field`.
 * `bodyBytes`: the size of the JSON body, when known; a body within MAX_EVENT_BYTES cannot hold an
 * oversized event, so its events are not measured one by one.
 */
export function parseEvents(body: unknown, receivedAt: Date, bodyBytes?: number): NormalizedEvent[] {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ValidationError('The body must be one event or {"events": [...]}', [{ path: "", message: "must be a JSON object" }]);
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
  const measure = !(bodyBytes !== undefined && bodyBytes <= MAX_EVENT_BYTES);
  rawEvents.forEach((raw, index) => {
    const parsed = parseOneEvent(raw, { prefix: isBatch ? `events[${index}]` : "", batchSentAt, receivedAt, measure });
    if ("errors" in parsed) errors.push(...parsed.errors);
    else events.push(parsed.event);
  });
  if (errors.length > 0) {
    throw new ValidationError(
      isBatch ? `${new Set(errors.map((e) => e.path.split(".")[0])).size} event(s) in the batch are invalid; nothing was stored` : "The event is invalid; nothing was stored",
      errors,
    );
  }
  return events;
}

/**
 * Validates and normalizes one event: its size (when `measure`), unstorable text, the schema, and the
 * skew-corrected time. For routes that keep the valid items of a batch and drop the others one by one
 * (Segment-compatible calls, learning-record standards) as well as for parseEvents.
 */
export function parseOneEvent(
  raw: unknown,
  /**
   * `measure: false` skips the size check (the body is known to be small enough); `checkText: false` skips the
   * walk for NUL and lone surrogates (the caller built the event from strings it has already checked).
   */
  options: { prefix: string; batchSentAt?: string; receivedAt: Date; measure?: boolean; checkText?: boolean },
): { event: NormalizedEvent } | { errors: FieldError[] } {
  const { prefix, batchSentAt, receivedAt } = options;
  const at = (field: string) => (prefix && field ? `${prefix}.${field}` : prefix || field);
  if (options.measure !== false && Buffer.byteLength(JSON.stringify(raw ?? null)) > MAX_EVENT_BYTES) {
    return { errors: [{ path: prefix, message: `An event may be at most ${MAX_EVENT_BYTES / 1024} KB of JSON` }] };
  }
  // Checked here too, not only at the HTTP boundary: routes that take calls one by one (Segment, xAPI) land here.
  if (options.checkText !== false) {
    const unsafe = findUnsafeText(raw, prefix);
    if (unsafe.length > 0) return { errors: unsafe };
  }
  const parsed = eventSchema.safeParse(raw);
  if (!parsed.success) return { errors: zodFieldErrors(parsed.error, prefix) };
  const e = parsed.data;
  const sentAtText = batchSentAt ?? e.sentAt;
  const sentAt = sentAtText ? new Date(sentAtText) : null;
  const occurredAt = correctClockSkew(new Date(e.occurredAt), sentAt, receivedAt);
  const timeProblem = correctedTimeProblem(occurredAt, receivedAt);
  if (timeProblem) return { errors: [{ path: at("occurredAt"), message: timeProblem }] };
  return {
    event: {
      id: e.id,
      type: e.type,
      learnerId: e.learnerId,
      courseId: e.courseId ?? null,
      moduleId: e.moduleId ?? null,
      occurredAt,
      sentAt,
      properties: (e.properties ?? {}) as Record<string, unknown>,
      learner: e.learner ?? null,
    },
  };
}
