/** Segment definitions and member uploads, as zod schemas. */
import { z } from "zod";

export const SEGMENT_KEY = /^[a-z0-9][a-z0-9-_.]{0,63}$/;
export const MAX_MEMBERS_PER_REQUEST = 100_000;

const base = {
  name: z.string().trim().min(1).max(200),
  refreshIntervalMinutes: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .nullable()
    .optional(),
};

/** POST /v1/segments. `conditions` are validated by the rules' condition schema where the segment is attribute-based. */
export const createSegmentSchema = z.discriminatedUnion("type", [
  z.strictObject({ key: z.string().regex(SEGMENT_KEY, "must match ^[a-z0-9][a-z0-9-_.]{0,63}$"), type: z.literal("static"), ...base }),
  z.strictObject({ key: z.string().regex(SEGMENT_KEY), type: z.literal("attributes"), conditions: z.unknown(), ...base }),
  z.strictObject({ key: z.string().regex(SEGMENT_KEY), type: z.literal("sql"), sql: z.string().trim().min(1).max(20_000), ...base }),
]);
export type CreateSegmentInput = z.infer<typeof createSegmentSchema>;

/**
 * PUT /v1/segments/{key}: the type cannot change (members would lose their meaning). Accepts exactly what
 * GET returned, so GET-edit-PUT works: `key` and `type` must be the segment's, `version` is a precondition
 * (as If-Match), and the other read-only fields (counts, refresh status, times) are ignored.
 */
export const updateSegmentSchema = z.strictObject({
  name: base.name.optional(),
  refreshIntervalMinutes: base.refreshIntervalMinutes,
  conditions: z.unknown().optional(),
  sql: z.string().trim().min(1).max(20_000).nullable().optional(),
  key: z.string().optional(),
  type: z.enum(["static", "attributes", "sql"]).optional(),
  version: z.number().int().min(1).optional(),
  memberCount: z.unknown().optional(),
  lastRefreshedAt: z.unknown().optional(),
  lastRefreshStatus: z.unknown().optional(),
  lastRefreshError: z.unknown().optional(),
  createdAt: z.unknown().optional(),
  updatedAt: z.unknown().optional(),
});
export type UpdateSegmentInput = z.infer<typeof updateSegmentSchema>;

export const putMembersSchema = z.strictObject({
  learnerIds: z.array(z.string().min(1).max(128)).max(MAX_MEMBERS_PER_REQUEST, `at most ${MAX_MEMBERS_PER_REQUEST} learner ids per request`),
  mode: z.enum(["replace", "add", "remove"]).default("add"),
});
export type PutMembersInput = z.infer<typeof putMembersSchema>;

export const listMembersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  cursor: z.string().optional(),
});
