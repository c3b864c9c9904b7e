/**
 * GET /v1/learners/{learnerId}/timeline: everything the engine knows happened to one learner, newest first —
 * their events, every rule that matched and what became of it (held out, suppressed or deferred with the
 * reason in words and numbers, delivered, failed), their feedback, goals and self-assessments. It answers
 * "why didn't this learner get it?" in one place; the inbox deliberately hides held-out and suppressed slots.
 */
import type { Pool } from "pg";
import { z } from "zod";
import { NotFoundError, ValidationError } from "../lib/errors";
import { describeReason } from "./decision-reasons";
import { TIMELINE_SQL, TIMELINE_TYPES, type TimelineRow, type TimelineType } from "./learner-timeline-query";

export { TIMELINE_TYPES };

export const timelineQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().max(400).optional().describe("The `nextCursor` of the previous page"),
  courseId: z.string().min(1).max(128).optional(),
  types: z
    .string()
    .optional()
    .transform((s) =>
      s
        ? [
            ...new Set(
              s
                .split(",")
                .map((t) => t.trim())
                .filter(Boolean),
            ),
          ]
        : [...TIMELINE_TYPES],
    )
    .refine((list) => list.length > 0 && list.every((t) => (TIMELINE_TYPES as readonly string[]).includes(t)), { message: `must be a comma-separated list of ${TIMELINE_TYPES.join(", ")}` })
    .describe(`Comma-separated kinds of entry (default all): ${TIMELINE_TYPES.join(", ")}`),
});
export type TimelineQuery = z.infer<typeof timelineQuery>;

export interface TimelineEntry {
  id: string;
  type: TimelineType;
  at: string;
  courseId: string | null;
  ruleKey: string | null;
  messageId: string | null;
  eventId: string | null;
  eventType: string | null;
  /** Held out, suppressed, deferred, failed: the code, the words, and the numbers behind this decision. */
  reason?: string;
  reasonText?: string;
  explanation?: string;
  [field: string]: unknown;
}

/** The cursor is opaque to clients: the last entry's time and id. */
function encodeCursor(row: TimelineRow): string {
  return Buffer.from(JSON.stringify([row.at.toISOString(), row.id])).toString("base64url");
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    const when = new Date(String(at));
    if (typeof at === "string" && typeof id === "string" && !Number.isNaN(when.getTime())) return { at: when, id };
  } catch {
    // reported below as the caller's mistake
  }
  throw new ValidationError("Invalid query parameters", [{ path: "query.before", message: "is not a cursor this API gave out (use nextCursor as it came)" }]);
}

function present(row: TimelineRow): TimelineEntry {
  const { details, error, ...data } = row.data as { details?: Record<string, unknown>; error?: string } & Record<string, unknown>;
  const entry: TimelineEntry = {
    id: row.id,
    type: row.type,
    at: row.at.toISOString(),
    courseId: row.course_id,
    ruleKey: row.rule_key,
    messageId: row.message_id,
    eventId: row.event_id,
    eventType: row.event_type,
    ...data,
  };
  if (row.reason) {
    entry.reason = row.reason;
    entry.reasonText = describeReason(row.reason);
    const explanation = typeof details?.explanation === "string" ? details.explanation : row.type === "failed" ? error : undefined;
    if (explanation) entry.explanation = explanation;
  }
  if (details) entry.details = details;
  if (row.type === "deferred" && typeof details?.until === "string") entry.until = details.until;
  return entry;
}

/** One page of the learner's timeline, newest first; 404 when the engine has never seen the learner. */
export async function learnerTimeline(pool: Pool, learnerId: string, query: TimelineQuery): Promise<{ entries: TimelineEntry[]; nextCursor: string | null }> {
  const known = await pool.query("SELECT 1 FROM learners WHERE id = $1", [learnerId]);
  if (known.rowCount === 0) throw new NotFoundError(`No learner ${learnerId}`);
  const before = query.before ? decodeCursor(query.before) : null;
  const { rows } = await pool.query<TimelineRow>(TIMELINE_SQL, [learnerId, before?.at ?? null, before?.id ?? "", query.limit + 1, query.types, query.courseId ?? null]);
  const more = rows.length > query.limit;
  const pageRows = more ? rows.slice(0, query.limit) : rows;
  return { entries: pageRows.map(present), nextCursor: more ? encodeCursor(pageRows[pageRows.length - 1]) : null };
}
