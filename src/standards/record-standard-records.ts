/**
 * Stores what arrived through a learning-record standard (xAPI statements, Caliper events, Segment calls), each
 * record once: a mapped one as its event with the original beside it (one statement through the ingest group
 * commit, src/ingest/record-events.ts, so the event and its original are stored together or not at all), an
 * unmapped, unusable or voiding one as its original alone, never matched. A record whose id was stored before
 * is a duplicate and changes nothing; for xAPI, the same id with different content is a conflict (409) and
 * nothing of the request is stored.
 */
import type { Pool } from "pg";
import type { EngineContext } from "../context";
import { groupCommitterFor, IdTakenError } from "../ingest/group-commit";
import type { NormalizedEvent } from "../ingest/parse-events";
import { ConflictError } from "../lib/errors";
import type { RecordKind } from "./mapping-set";
import { standardsMetrics } from "./standards-metrics";
import { statementDigest, type Statement } from "./xapi-statement";

type RecordContext = Pick<EngineContext, "database" | "queues" | "log" | "metrics">;

/** One record as checked and mapped by its route. */
export interface StandardRecord {
  id: string;
  kind: RecordKind;
  body: unknown;
  /** `body` as UTF-8 JSON, the bytes as sent, when the route has them (stored without serializing `body` again). */
  bodyBytes?: Uint8Array;
  outcome:
    | { status: "mapped"; mappingKey: string; event: NormalizedEvent }
    | { status: "unmapped" }
    | { status: "unusable"; mappingKey: string; note: string; learnerId: string | null }
    | { status: "voiding"; voids: string };
}

export interface RecordedStandards {
  /** Events stored now. */
  accepted: number;
  /** Records seen before (nothing changed). */
  duplicates: number;
  /** Originals stored without an event now: unmapped, unusable, voiding. */
  storedAlone: number;
}

/** Tries of an exclusive write: each IdTakenError after the first means another request stored one of the ids meanwhile. */
const MAX_TRIES = 5;

/**
 * Stores the records; `detectConflicts` turns "same id, different content" into a 409 with nothing of the
 * request stored, and stores the request's events whole or not at all.
 *
 * How, for a request whose records are all mapped (the common case): written at once, exclusively (no read
 * before): when an id is taken the write stores nothing (IdTakenError, see group-commit.ts), and only then are
 * the stored originals read and compared, and the records not stored before written again. A request with
 * originals alone (unmapped, unusable, voiding) is read first, as they are a statement of their own.
 */
export async function recordStandardRecords(
  ctx: RecordContext,
  records: StandardRecord[],
  receivedAt: Date,
  options: { format: RecordKind["format"]; detectConflicts: boolean },
): Promise<RecordedStandards> {
  if (!options.detectConflicts) return storeRecords(ctx, records, new Set(), receivedAt, options.format, false);
  let readFirst = records.some((r) => r.outcome.status !== "mapped");
  for (let tries = 1; ; tries++) {
    const known = readFirst ? await findKnown(ctx.database.pool, records) : new Set<string>();
    try {
      return await storeRecords(ctx, records, known, receivedAt, options.format, true);
    } catch (error) {
      if (!(error instanceof IdTakenError)) throw error;
      if (tries === MAX_TRIES) throw new ConflictError(`The statement ${error.id} was being stored by another request at the same time; nothing was stored, send the request again`);
      readFirst = true;
    }
  }
}

async function storeRecords(ctx: RecordContext, records: StandardRecord[], known: Set<string>, receivedAt: Date, format: RecordKind["format"], exclusive: boolean): Promise<RecordedStandards> {
  const metrics = standardsMetrics(ctx.metrics);
  const fresh = known.size > 0 ? records.filter((r) => !known.has(r.id)) : records;
  const alone = fresh.filter((r) => r.outcome.status !== "mapped");
  const events = fresh.flatMap((r) => (r.outcome.status === "mapped" ? [withSource(r, r.outcome.mappingKey, r.outcome.event)] : []));

  const storeEvents = () => (events.length > 0 ? groupCommitterFor(ctx).record(events, receivedAt, { exclusive }) : Promise.resolve({ acceptedIds: [] as string[], duplicates: 0 }));
  // Exclusive: the events first, so that a taken id (IdTakenError) leaves nothing of the request stored.
  const [storedAloneIds, recorded] = exclusive
    ? await storeEvents().then(async (r) => [await storeAlone(ctx.database.pool, alone, receivedAt), r] as const)
    : await Promise.all([storeAlone(ctx.database.pool, alone, receivedAt), storeEvents()]);

  metrics.records.inc({ format, outcome: "mapped" }, recorded.acceptedIds.length);
  const duplicates = known.size + recorded.duplicates + (alone.length - storedAloneIds.size);
  metrics.records.inc({ format, outcome: "duplicate" }, duplicates);
  for (const r of alone) {
    if (!storedAloneIds.has(r.id)) continue;
    metrics.records.inc({ format, outcome: r.outcome.status });
    if (r.outcome.status === "unmapped") metrics.countUnmapped(r.kind);
  }
  ctx.metrics.events.inc({ outcome: "accepted" }, recorded.acceptedIds.length);
  ctx.metrics.events.inc({ outcome: "duplicate" }, recorded.duplicates);
  return { accepted: recorded.acceptedIds.length, duplicates, storedAlone: storedAloneIds.size };
}

/** The mapped event with its original (the event is the record's own, made by mapRecord: completed in place). */
function withSource(r: StandardRecord, mappingKey: string, event: NormalizedEvent): NormalizedEvent {
  const source: NonNullable<NormalizedEvent["source"]> = { format: r.kind.format, mappingKey, kind: kindWithoutFormat(r.kind), body: r.body };
  if (r.bodyBytes !== undefined) source.bodyBytes = r.bodyBytes;
  event.source = source;
  return event;
}

/** What mappings matched on, as event_sources.kind keeps it (the format has its own column). */
function kindWithoutFormat(kind: RecordKind): Record<string, unknown> {
  switch (kind.format) {
    case "xapi":
      return { verb: kind.verb, objectType: kind.objectType };
    case "caliper":
      return { type: kind.type, action: kind.action, objectType: kind.objectType };
    case "segment":
      return { call: kind.call, event: kind.event };
  }
}

/**
 * Ids already stored with the same content (duplicates), or as an event with no original (an id a native event
 * took: a duplicate, as /v1/events counts it); throws ConflictError when any is stored with other content. One
 * primary-key read for the whole request; only a resend finds rows, whose originals are then compared with
 * what arrived as the spec says (statementDigest).
 */
async function findKnown(pool: Pool, records: StandardRecord[]): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  const { rows } = await pool.query<{ id: string; body: unknown }>(
    `SELECT i.id, s.body FROM unnest($1::text[]) AS i(id) LEFT JOIN event_sources s ON s.id = i.id
      WHERE s.id IS NOT NULL OR EXISTS (SELECT 1 FROM events e WHERE e.id = i.id)`,
    [records.map((r) => r.id)],
  );
  if (rows.length === 0) return new Set();
  const stored = new Map(rows.map((r) => [r.id, r.body === null ? null : statementDigest(r.body as Statement)]));
  const conflicts = records
    .filter((r) => {
      const digest = stored.get(r.id);
      return digest != null && digest !== statementDigest(r.body as Statement);
    })
    .map((r) => r.id);
  if (conflicts.length > 0) {
    throw new ConflictError(
      `A statement with the id ${conflicts.slice(0, 5).join(", ")}${conflicts.length > 5 ? ` (and ${conflicts.length - 5} more)` : ""} is already stored with different content; nothing was stored`,
    );
  }
  return new Set(stored.keys());
}

/**
 * Originals without an event. A voiding statement marks the statement it voids (first voider wins). One json
 * document (json, not jsonb: each body is kept as the text that was sent, as recordEvents keeps it).
 */
const STORE_ALONE_SQL = `
WITH input AS (
  SELECT r->>'id' AS id, r->>'format' AS format, r->>'status' AS status, r->>'mappingKey' AS mapping_key, (r->'kind')::jsonb AS kind,
         r->>'learnerId' AS learner_id, r->>'note' AS note, r->'body' AS body, r->>'voids' AS voids
    FROM json_array_elements($1::json) r
), stored AS (
  INSERT INTO event_sources (id, format, status, mapping_key, kind, learner_id, note, received_at, body)
  SELECT id, format, status, mapping_key, kind, learner_id, note, $2, body FROM input ORDER BY id
  ON CONFLICT (id) DO NOTHING
  RETURNING id
), voided AS (
  UPDATE event_sources s SET voided_by = i.id
    FROM input i
   WHERE i.voids IS NOT NULL AND s.id = i.voids AND s.voided_by IS NULL AND i.id IN (SELECT id FROM stored)
)
SELECT id FROM stored`;

async function storeAlone(pool: Pool, records: StandardRecord[], receivedAt: Date): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  const rows = records.map((r) => {
    const o = r.outcome;
    const row = {
      id: r.id,
      format: r.kind.format,
      status: o.status,
      kind: kindWithoutFormat(r.kind),
      mappingKey: "mappingKey" in o ? o.mappingKey : null,
      learnerId: o.status === "unusable" ? o.learnerId : null,
      note: o.status === "unusable" ? o.note : null,
      voids: o.status === "voiding" ? o.voids : null,
    };
    return `${JSON.stringify(row).slice(0, -1)},"body":${r.bodyBytes ? Buffer.from(r.bodyBytes.buffer, r.bodyBytes.byteOffset, r.bodyBytes.byteLength).toString("utf8") : JSON.stringify(r.body)}}`;
  });
  const { rows: stored } = await pool.query<{ id: string }>(STORE_ALONE_SQL, [`[${rows.join(",")}]`, receivedAt]);
  return new Set(stored.map((r) => r.id));
}
