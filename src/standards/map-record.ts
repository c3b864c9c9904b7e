/**
 * One xAPI statement or Caliper event through the mappings: the event it becomes (valid as a /v1/events event
 * by construction, without parsing it again), or why it stays an original alone — no mapping applies
 * (unmapped), or the mapping's event would be invalid: no learner id could be read, or its time is out of
 * bounds after skew correction (unusable, with the reason). Pure.
 */
import { correctClockSkew, correctedTimeProblem, isPlausibleClientTime } from "../ingest/clock-skew";
import type { NormalizedEvent } from "../ingest/parse-events";
import { extractFields, findMapping, type MappingSet, type RecordKind } from "./mapping-set";
import type { StandardRecord } from "./record-standard-records";

export interface RecordToMap {
  id: string;
  kind: Exclude<RecordKind, { format: "segment" }>;
  body: Record<string, unknown>;
  /** `body` as UTF-8 JSON, the bytes as sent, when the route has them. */
  bodyBytes?: Uint8Array;
  /** When it happened as the sender says (xAPI timestamp, Caliper eventTime); absent: when it arrived. */
  occurredAt: string | undefined;
  /** The sender's clock at sending (Caliper sendTime), for skew correction. */
  sentAt?: string;
  /** Descriptive properties the event carries besides score, passed and completed: a fresh object, which the event takes over. */
  properties: Record<string, unknown>;
  learnerName?: string;
}

/** Maps one record; never throws. */
export function mapRecord(set: MappingSet, input: RecordToMap, receivedAt: Date): StandardRecord {
  const mapping = findMapping(set, input.kind, input.body);
  if (!mapping) return record(input, { status: "unmapped" });
  const fields = extractFields(mapping, input.body);
  if (fields.learner === undefined) {
    return record(input, { status: "unusable", mappingKey: mapping.key, learnerId: null, note: `mapping ${mapping.key}: none of its learner sources gave an id of 1–128 characters` });
  }
  // The caller's object, made for this record alone: completed in place.
  const properties = input.properties;
  if (fields.score !== undefined) properties.score = fields.score;
  if (fields.passed !== undefined) properties.passed = fields.passed;
  if (fields.completed !== undefined) properties.completed = fields.completed;
  const timing = eventTime(input.occurredAt, input.sentAt, receivedAt);
  if ("problem" in timing) {
    return record(input, { status: "unusable", mappingKey: mapping.key, learnerId: fields.learner, note: `mapping ${mapping.key} gives an invalid event: occurredAt ${timing.problem}` });
  }
  // Every part is valid by construction, as /v1/events would check it: the type was validated when the mapping
  // was saved, ids are 1–128 characters (extractFields), score 0–1 and passed a boolean, the name at most 200
  // characters, the property keys our own; the record's text was checked for NUL and lone surrogates.
  const event: NormalizedEvent = {
    id: input.id,
    type: mapping.eventType,
    learnerId: fields.learner,
    courseId: fields.course ?? null,
    moduleId: fields.module ?? null,
    occurredAt: timing.occurredAt,
    sentAt: timing.sentAt,
    properties,
    learner: input.learnerName ? { name: input.learnerName.slice(0, 200) } : null,
  };
  return record(input, { status: "mapped", mappingKey: mapping.key, event });
}

/** The record with its outcome; built field by field rather than by spreading, as it runs for every record of a batch. */
function record(input: RecordToMap, outcome: StandardRecord["outcome"]): StandardRecord {
  const r: StandardRecord = { id: input.id, kind: input.kind, body: input.body, outcome };
  if (input.bodyBytes !== undefined) r.bodyBytes = input.bodyBytes;
  return r;
}

/** When it happened, corrected for the sender's clock as parseEvents does; or why that time cannot be used. */
function eventTime(occurredText: string | undefined, sentText: string | undefined, receivedAt: Date): { occurredAt: Date; sentAt: Date | null } | { problem: string } {
  const occurred = occurredText ? new Date(occurredText) : receivedAt;
  const sentAt = sentText ? new Date(sentText) : null;
  if (!isPlausibleClientTime(occurred) || (sentAt && !isPlausibleClientTime(sentAt))) return { problem: "must be from 1970-01-01 up to 2199-12-31" };
  const occurredAt = correctClockSkew(occurred, sentAt, receivedAt);
  const problem = correctedTimeProblem(occurredAt, receivedAt);
  return problem ? { problem } : { occurredAt, sentAt };
}

/** The first value of an xAPI language map or a plain string, shortened for an event property. */
export function displayName(value: unknown): string | undefined {
  const text = typeof value === "string" ? value : value && typeof value === "object" ? Object.values(value).find((v) => typeof v === "string") : undefined;
  return typeof text === "string" && text.length > 0 ? text.slice(0, 200) : undefined;
}
