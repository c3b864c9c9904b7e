/**
 * What arrived through a standard and did not become an event, grouped by what mappings match on (xAPI verb +
 * object type, Caliper type + action + object type, Segment call + name): how many, since when, the latest
 * id to look at in event_sources, and for "unusable" records why the mapping's event was invalid.
 */
import type { Pool } from "pg";
import type { MappingSource } from "./mapping.schema";

export interface UnmappedGroup {
  format: MappingSource;
  status: "unmapped" | "unusable";
  kind: Record<string, unknown>;
  count: number;
  firstSeenAt: string;
  lastSeenAt: string;
  exampleId: string;
  note: string | null;
}

/** Groups of unmapped and unusable records, most frequent first. */
export async function listUnmapped(pool: Pool, options: { format?: MappingSource; since?: Date; limit: number }): Promise<UnmappedGroup[]> {
  const { rows } = await pool.query<{
    format: MappingSource;
    status: "unmapped" | "unusable";
    kind: Record<string, unknown>;
    count: string;
    first_at: Date;
    last_at: Date;
    example_id: string;
    note: string | null;
  }>(
    `SELECT format, status, kind, count(*) AS count, min(received_at) AS first_at, max(received_at) AS last_at,
            (array_agg(id ORDER BY received_at DESC))[1] AS example_id,
            (array_agg(note ORDER BY received_at DESC))[1] AS note
       FROM event_sources
      WHERE status IN ('unmapped', 'unusable') AND ($1::text IS NULL OR format = $1) AND ($2::timestamptz IS NULL OR received_at >= $2)
      GROUP BY format, status, kind
      ORDER BY count(*) DESC, max(received_at) DESC
      LIMIT $3`,
    [options.format ?? null, options.since ?? null, options.limit],
  );
  return rows.map((r) => ({
    format: r.format,
    status: r.status,
    kind: r.kind,
    count: Number(r.count),
    firstSeenAt: r.first_at.toISOString(),
    lastSeenAt: r.last_at.toISOString(),
    exampleId: r.example_id,
    note: r.note,
  }));
}
