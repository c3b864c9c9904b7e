/**
 * Segment's tracking API with Segment's answer semantics: a well-formed body is answered 200 however many of
 * its calls are invalid; each invalid call is dropped on its own and recorded with its reason, and every valid
 * one is stored (once, by messageId) with the original call beside its event. Only a body that is not a
 * Segment body at all (not an object, `batch` not an array) is refused.
 */
import type { EngineContext } from "../context";
import { ValidationError, type FieldError } from "../lib/errors";
import type { SegmentCall } from "./mapping.schema";
import { loadMappingSet } from "./mapping-store";
import { recordDroppedCalls, type DroppedCall } from "./dropped-calls";
import { recordStandardRecords, type StandardRecord } from "./record-standard-records";
import { convertSegmentCall, MAX_CALL_BYTES, type DropReason } from "./segment-call";
import { standardsMetrics } from "./standards-metrics";
import { itemBytes, trimmedRange } from "../lib/json-text-scan";

type SegmentContext = Pick<EngineContext, "database" | "queues" | "log" | "metrics" | "prisma" | "cache" | "clock">;

export interface SegmentAnswer {
  success: true;
  accepted: number;
  duplicates: number;
  dropped: number;
  /** Each dropped call: where it was, its messageId, why. */
  errors: Array<{ index: number | null; messageId: string | null; reason: DropReason; errors: FieldError[] }>;
}

/**
 * `endpointCall`: the call type the path says (/v1/track…), or null for /v1/batch. `body.mayHoldUnsafeText`
 * false (no escape in the text that could be NUL or a lone surrogate) spares the walk over every call.
 */
export async function ingestSegmentCalls(
  ctx: SegmentContext,
  body: { value: unknown; bytes: number; mayHoldUnsafeText: boolean; raw?: Buffer; items?: number[] | null },
  endpointCall: SegmentCall | null,
): Promise<SegmentAnswer> {
  const { value, bytes: bodyBytes } = body;
  const receivedAt = ctx.clock.now();
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ValidationError("The body must be a JSON object", [{ path: "", message: endpointCall ? "must be a call object" : 'must be {"batch": [...]}' }]);
  }
  const b = value as Record<string, unknown>;
  let calls: unknown[];
  let batchContext: Record<string, unknown> = {};
  let batchSentAt: string | undefined;
  if (endpointCall === null) {
    if (!Array.isArray(b.batch)) throw new ValidationError("The batch is malformed", [{ path: "batch", message: "must be an array of calls" }]);
    calls = b.batch;
    if (b.context !== null && typeof b.context === "object" && !Array.isArray(b.context)) batchContext = b.context as Record<string, unknown>;
    // A malformed batch sentAt would skew every call; it is ignored rather than trusted.
    if (typeof b.sentAt === "string" && !Number.isNaN(Date.parse(b.sentAt))) batchSentAt = b.sentAt;
  } else {
    calls = [b];
  }

  // Each call's bytes as sent (where readJsonBody found the batch's items), kept as its original without serializing it again.
  const ranges = body.raw === undefined ? null : endpointCall === null ? (body.items ?? null) : trimmedRange(body.raw);
  const originals = itemBytes(body.raw, ranges, calls.length);
  const set = await loadMappingSet(ctx);
  const records: StandardRecord[] = [];
  const drops: DroppedCall[] = [];
  const answers: SegmentAnswer["errors"] = [];
  calls.forEach((call, i) => {
    const index = endpointCall === null ? i : null;
    const converted = convertSegmentCall(set, { call, endpointCall, index, batchContext, batchSentAt, receivedAt, measure: bodyBytes > MAX_CALL_BYTES, checkText: body.mayHoldUnsafeText });
    if (converted.ok) {
      const record: StandardRecord = { id: converted.event.id, kind: converted.kind, body: converted.body, outcome: { status: "mapped", mappingKey: converted.mappingKey, event: converted.event } };
      if (originals) record.bodyBytes = originals[i];
      records.push(record);
      return;
    }
    drops.push({ source: "segment", messageId: converted.messageId, callType: converted.callType, reason: converted.reason, errors: converted.errors, call });
    answers.push({ index, messageId: converted.messageId, reason: converted.reason, errors: converted.errors });
  });

  // The drops are recorded as durably as the events: the 200 promises both.
  const [recorded] = await Promise.all([recordStandardRecords(ctx, records, receivedAt, { format: "segment", detectConflicts: false }), recordDroppedCalls(ctx.database.pool, drops, receivedAt)]);
  const metrics = standardsMetrics(ctx.metrics);
  for (const d of drops) metrics.dropped.inc({ source: "segment", reason: d.reason });
  metrics.records.inc({ format: "segment", outcome: "dropped" }, drops.length);
  return { success: true, accepted: recorded.accepted, duplicates: recorded.duplicates, dropped: drops.length, errors: answers };
}
