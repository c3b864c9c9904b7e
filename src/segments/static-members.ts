/**
 * Uploads to a static segment: add, remove or replace up to 100,000 learner ids in one transaction.
 * Ids go to the database in chunks through a temporary table (SQL segments fill one from their query); `replace` is a diff computed in SQL, so
 * members who stay are untouched (their added_at is kept) and counts of added/removed are exact.
 */
import type { PoolClient } from "pg";

const CHUNK = 10_000;

export interface MembershipDiff {
  added: number;
  removed: number;
  memberCount: number;
}

/** Applies an upload inside the caller's transaction. */
export async function applyMemberUpload(client: PoolClient, segmentKey: string, learnerIds: string[], mode: "replace" | "add" | "remove", now: Date): Promise<MembershipDiff> {
  await client.query(`CREATE TEMP TABLE upload_ids (learner_id text PRIMARY KEY) ON COMMIT DROP`);
  for (let i = 0; i < learnerIds.length; i += CHUNK) {
    await client.query(`INSERT INTO upload_ids SELECT DISTINCT unnest($1::text[]) ON CONFLICT DO NOTHING`, [learnerIds.slice(i, i + CHUNK)]);
  }
  return applyMembershipDiff(client, segmentKey, "upload_ids", mode, now);
}

/**
 * Diffs the segment's stored members against the distinct ids in temporary table `table` (one of ours, never
 * input), inside the caller's transaction.
 */
export async function applyMembershipDiff(client: PoolClient, segmentKey: string, table: "upload_ids" | "segment_query_ids", mode: "replace" | "add" | "remove", now: Date): Promise<MembershipDiff> {
  let added = 0;
  let removed = 0;
  if (mode === "remove") {
    removed = (await client.query(`DELETE FROM segment_members m USING ${table} u WHERE m.segment_key = $1 AND m.learner_id = u.learner_id`, [segmentKey])).rowCount ?? 0;
  } else {
    if (mode === "replace") {
      removed = (await client.query(`DELETE FROM segment_members m WHERE m.segment_key = $1 AND NOT EXISTS (SELECT 1 FROM ${table} u WHERE u.learner_id = m.learner_id)`, [segmentKey])).rowCount ?? 0;
    }
    added = (await client.query(`INSERT INTO segment_members (segment_key, learner_id, added_at) SELECT $1, learner_id, $2 FROM ${table} ON CONFLICT DO NOTHING`, [segmentKey, now])).rowCount ?? 0;
  }
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM segment_members WHERE segment_key = $1`, [segmentKey]);
  return { added, removed, memberCount: rows[0].n };
}
