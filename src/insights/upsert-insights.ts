/**
 * Bulk upsert of insights: one statement per 2,000 rows, all in one transaction (a bad request stores
 * nothing). The latest row for (learner, course, key) wins; a repeated key inside one request keeps the last.
 */
import type { Pool } from "pg";
import { withTransaction } from "../db/transaction";
import type { InsightInput } from "./insight.schema";

const CHUNK = 2_000;

/** Upserts the rows; returns how many were written. */
export async function upsertInsights(pool: Pool, rows: InsightInput[], now: Date): Promise<{ upserted: number }> {
  const byKey = new Map<string, InsightInput>();
  for (const r of rows) byKey.set(`${r.learnerId}\u0000${r.courseId ?? ""}\u0000${r.key}`, r);
  const unique = [...byKey.values()].sort((a, b) => (a.learnerId < b.learnerId ? -1 : a.learnerId > b.learnerId ? 1 : 0));
  return withTransaction(pool, async (client) => {
    for (let i = 0; i < unique.length; i += CHUNK) {
      const chunk = unique.slice(i, i + CHUNK);
      await client.query(
        `INSERT INTO insights (learner_id, course_id, key, value, score, metadata, updated_at)
         SELECT learner_id, course_id, key, value, score, metadata, $7
           FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::float8[], $6::jsonb[]) AS t(learner_id, course_id, key, value, score, metadata)
         ON CONFLICT (learner_id, course_id, key) DO UPDATE SET value = EXCLUDED.value, score = EXCLUDED.score, metadata = EXCLUDED.metadata, updated_at = EXCLUDED.updated_at`,
        [
          chunk.map((r) => r.learnerId),
          chunk.map((r) => r.courseId ?? ""),
          chunk.map((r) => r.key),
          chunk.map((r) => JSON.stringify(r.value)),
          chunk.map((r) => r.score ?? null),
          chunk.map((r) => JSON.stringify(r.metadata ?? {})),
          now,
        ],
      );
    }
    return { upserted: unique.length };
  });
}
