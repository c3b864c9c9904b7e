/**
 * Segment-compatible calls dropped one by one, kept with their reason so operators can see what a sender got
 * wrong (GET /v1/events/dropped, and coach_ingest_dropped_total in /metrics). A retried batch records each
 * dropped call once: (source, messageId) is unique.
 */
import type { Pool } from "pg";
import type { FieldError } from "../lib/errors";
import { unsafeTextReason } from "../lib/unsafe-text";
import type { DropReason } from "./segment-call";

export interface DroppedCall {
  source: "segment";
  messageId: string | null;
  callType: string | null;
  reason: DropReason;
  errors: FieldError[];
  call: unknown;
}

/** The call itself is kept when it is this small; an oversize one is recorded by its size alone. */
const MAX_KEPT_CALL_BYTES = 32 * 1024;

/** Records the dropped calls (each once per source and messageId). */
export async function recordDroppedCalls(pool: Pool, drops: DroppedCall[], receivedAt: Date): Promise<void> {
  if (drops.length === 0) return;
  // A call dropped for text PostgreSQL cannot hold is recorded without its content.
  const texts = drops.map((d) => (d.reason === "unstorable_text" ? null : JSON.stringify(d.call ?? null)));
  await pool.query(
    `INSERT INTO dropped_calls (source, message_id, call_type, reason, errors, call, size_bytes, received_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[], $7::int[], $8::timestamptz[])
     ON CONFLICT (source, message_id) DO NOTHING`,
    [
      drops.map((d) => d.source),
      drops.map((d) => storable(d.messageId, 1_000)),
      drops.map((d) => storable(d.callType, 50)),
      drops.map((d) => d.reason),
      drops.map((d) => JSON.stringify(d.errors.slice(0, 20))),
      texts.map((t) => (t !== null && Buffer.byteLength(t) <= MAX_KEPT_CALL_BYTES ? t : null)),
      drops.map((d, i) => Buffer.byteLength(texts[i] ?? JSON.stringify(d.call ?? null))),
      drops.map(() => receivedAt),
    ],
  );
}

function storable(text: string | null, maxLength: number): string | null {
  return text !== null && text.length <= maxLength && unsafeTextReason(text) === null ? text : null;
}

export interface DroppedCallsReport {
  counts: Array<{ source: string; reason: string; count: number; lastAt: string }>;
  dropped: Array<{ id: string; source: string; messageId: string | null; callType: string | null; reason: string; errors: unknown; call: unknown; sizeBytes: number; receivedAt: string }>;
}

/** Counts per source and reason, and the latest dropped calls (newest first). */
export async function listDroppedCalls(pool: Pool, options: { source?: string; reason?: string; since?: Date; limit: number }): Promise<DroppedCallsReport> {
  const params = [options.source ?? null, options.reason ?? null, options.since ?? null];
  const filter = `($1::text IS NULL OR source = $1) AND ($2::text IS NULL OR reason = $2) AND ($3::timestamptz IS NULL OR received_at >= $3)`;
  const [counts, latest] = await Promise.all([
    pool.query<{ source: string; reason: string; count: string; last_at: Date }>(
      `SELECT source, reason, count(*) AS count, max(received_at) AS last_at FROM dropped_calls WHERE ${filter} GROUP BY source, reason ORDER BY count(*) DESC`,
      params,
    ),
    pool.query<{ id: string; source: string; message_id: string | null; call_type: string | null; reason: string; errors: unknown; call: unknown; size_bytes: number; received_at: Date }>(
      `SELECT id::text, source, message_id, call_type, reason, errors, call, size_bytes, received_at FROM dropped_calls WHERE ${filter} ORDER BY received_at DESC, id DESC LIMIT $4`,
      [...params, options.limit],
    ),
  ]);
  return {
    counts: counts.rows.map((r) => ({ source: r.source, reason: r.reason, count: Number(r.count), lastAt: r.last_at.toISOString() })),
    dropped: latest.rows.map((r) => ({
      id: r.id,
      source: r.source,
      messageId: r.message_id,
      callType: r.call_type,
      reason: r.reason,
      errors: r.errors,
      call: r.call,
      sizeBytes: r.size_bytes,
      receivedAt: r.received_at.toISOString(),
    })),
  };
}
