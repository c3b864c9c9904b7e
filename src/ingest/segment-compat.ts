/**
 * Segment's tracking API spoken by our ingest: `/v1/track` and `/v1/batch` bodies become our events,
 * so a course player already instrumented with a Segment library can point it at the engine.
 * Mapping: userId→learnerId, event→type, messageId→id, timestamp→occurredAt,
 * properties.courseId/moduleId→courseId/moduleId, context.traits→learner.
 */
import { ValidationError, type FieldError } from "../lib/errors";

type Json = Record<string, unknown>;

const FIELD_BACK: Record<string, string> = {
  id: "messageId", type: "event", learnerId: "userId", occurredAt: "timestamp",
  courseId: "properties.courseId", moduleId: "properties.moduleId", learner: "context.traits", properties: "properties",
};

/** Segment event names are free text ("Quiz Submitted"); ours are dotted lower-case: spaces and dashes become "_". */
export function normalizeEventName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s-]+/g, "_");
}

/** One Segment call (track, identify, page, screen…) as our event body. */
export function fromSegmentCall(call: Json, batchContext: Json = {}): Json {
  const properties = { ...((call.properties as Json | undefined) ?? {}) };
  const { courseId, moduleId, ...rest } = properties;
  const context = { ...batchContext, ...((call.context as Json | undefined) ?? {}) };
  const traits = (call.type === "identify" ? call.traits : context.traits) as Json | undefined;
  const callType = typeof call.type === "string" ? call.type : "track";
  const eventName = callType === "track" ? call.event : callType;
  return stripUndefined({
    id: call.messageId,
    type: typeof eventName === "string" ? normalizeEventName(eventName) : eventName,
    learnerId: call.userId ?? call.anonymousId,
    courseId,
    moduleId,
    occurredAt: call.timestamp ?? call.originalTimestamp,
    sentAt: call.sentAt,
    properties: rest,
    learner: traits ? toLearner(traits) : undefined,
  });
}

/** A Segment `/v1/batch` body as our batch body. */
export function fromSegmentBatch(body: Json): Json {
  if (!Array.isArray(body.batch)) throw new ValidationError("The batch is invalid", [{ path: "batch", message: "must be an array of calls" }]);
  const context = (body.context as Json | undefined) ?? {};
  return stripUndefined({ events: body.batch.map((call) => fromSegmentCall((call ?? {}) as Json, context)), sentAt: body.sentAt });
}

/** Rewrites our error paths (`events[2].type`) into the caller's Segment terms (`batch[2].event`). */
export function toSegmentErrors(errors: FieldError[], batch: boolean): FieldError[] {
  return errors.map(({ path, message }) => {
    const m = /^(?:events\[(\d+)\]\.?)?([A-Za-z]+)?(.*)$/.exec(path);
    if (!m) return { path, message };
    const [, index, field, rest] = m;
    const mapped = field ? (FIELD_BACK[field] ?? field) + rest : rest.replace(/^\./, "");
    const prefix = index !== undefined ? `batch[${index}]` : batch && path === "events" ? "batch" : "";
    return { path: prefix && mapped ? `${prefix}.${mapped}` : prefix || mapped, message };
  });
}

function toLearner(traits: Json): Json {
  const { name, firstName, lastName, locale, timezone, ...attributes } = traits;
  const fullName = name ?? ([firstName, lastName].filter((x) => typeof x === "string").join(" ") || undefined);
  return stripUndefined({ name: fullName, locale, timezone, attributes: Object.keys(attributes).length ? attributes : undefined });
}

function stripUndefined(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
