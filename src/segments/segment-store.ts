/**
 * Segments: create, read, update, delete, member uploads and member listing. Each change commits with its
 * audit row; the database decides key conflicts (409), and an update or delete that names the version its
 * author read (If-Match) fails with 409 and the current version instead of overwriting a newer change.
 */
import type { EngineContext } from "../context";
import type { Db } from "../db/client";
import { conflictOnDuplicate } from "../db/database-errors";
import type { Prisma } from "../generated/prisma/client";
import { NotFoundError, ValidationError, VersionConflictError } from "../lib/errors";
import { assertSameKey } from "../lib/expected-version";
import type { CreateSegmentInput, PutMembersInput, UpdateSegmentInput } from "./segment.schema";
import { applyMemberUpload, type MembershipDiff } from "./static-members";
import { validateSegmentDefinition } from "./validate-segment";
import { withTransaction } from "../db/transaction";

export type SegmentView = Awaited<ReturnType<Db["segment"]["findUniqueOrThrow"]>>;

type SegmentContext = Pick<EngineContext, "database" | "prisma" | "cache">;
type Tx = Prisma.TransactionClient;

/** Creates a segment; 409 when the key exists (of concurrent creates of one key, exactly one succeeds). */
export async function createSegment(ctx: SegmentContext, input: CreateSegmentInput, actor: string, now: Date): Promise<SegmentView> {
  const definition = await validateSegmentDefinition(ctx.database, input.type, "conditions" in input ? input.conditions : undefined, "sql" in input ? input.sql : undefined);
  const segment = await conflictOnDuplicate(
    () =>
      ctx.prisma.$transaction(async (tx) => {
        const segment = await tx.segment.create({
          data: {
            key: input.key,
            name: input.name,
            type: input.type,
            refreshIntervalMinutes: input.refreshIntervalMinutes ?? null,
            conditions: definition.conditions ?? undefined,
            sql: definition.sql ?? null,
            createdAt: now,
            updatedAt: now,
          },
        });
        await audit(tx, actor, "segment.created", input.key, { type: input.type, version: segment.version });
        return segment;
      }),
    `Segment ${input.key} already exists`,
  );
  ctx.cache.changed("segments");
  return segment;
}

/** Every segment, by key. */
export async function listSegments(db: Db): Promise<SegmentView[]> {
  return db.segment.findMany({ orderBy: { key: "asc" } });
}

/** One segment or 404. */
export async function getSegment(db: Db, key: string): Promise<SegmentView> {
  const segment = await db.segment.findUnique({ where: { key } });
  if (!segment) throw new NotFoundError(`No segment ${key}`);
  return segment;
}

/**
 * Updates name, interval, conditions or SQL (version + 1). The type is fixed; read-only fields sent back
 * from GET are ignored, but `key` and `type` must be this segment's. With `expected`, only if the segment
 * is still at that version.
 */
export async function updateSegment(ctx: SegmentContext, key: string, input: UpdateSegmentInput, actor: string, now: Date, expected?: number): Promise<SegmentView> {
  assertSameKey(key, input.key);
  const current = await getSegment(ctx.prisma, key);
  if (input.type !== undefined && input.type !== current.type) {
    throw new ValidationError(`Segment ${key} is ${current.type}: the type cannot change`, [{ path: "type", message: `must be ${current.type} or left out` }]);
  }
  const definition = await validateSegmentDefinition(ctx.database, current.type, input.conditions ?? current.conditions ?? undefined, input.sql ?? current.sql ?? undefined);
  const segment = await ctx.prisma.$transaction(async (tx) => {
    const { count } = await tx.segment.updateMany({
      where: { key, ...(expected !== undefined ? { version: expected } : {}) },
      data: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.refreshIntervalMinutes !== undefined ? { refreshIntervalMinutes: input.refreshIntervalMinutes } : {}),
        ...(current.type === "attributes" ? { conditions: definition.conditions ?? undefined } : {}),
        ...(current.type === "sql" ? { sql: definition.sql } : {}),
        version: { increment: 1 },
        updatedAt: now,
      },
    });
    if (count === 0) await explainMiss(tx, key, expected);
    const segment = await tx.segment.findUniqueOrThrow({ where: { key } });
    const { name, refreshIntervalMinutes, conditions, sql } = input;
    await audit(tx, actor, "segment.updated", key, { version: segment.version, changes: { name, refreshIntervalMinutes, conditions, sql } });
    return segment;
  });
  ctx.cache.changed("segments");
  return segment;
}

/** Deletes a segment and its members (with `expected`, only at that version). Rules that target it then match nobody (recorded as `segment`). */
export async function deleteSegment(ctx: SegmentContext, key: string, actor: string, expected?: number): Promise<void> {
  await ctx.prisma.$transaction(async (tx) => {
    const { count } = await tx.segment.deleteMany({ where: { key, ...(expected !== undefined ? { version: expected } : {}) } });
    if (count === 0) await explainMiss(tx, key, expected);
    await tx.segmentMember.deleteMany({ where: { segmentKey: key } });
    await audit(tx, actor, "segment.deleted", key, {});
  });
  ctx.cache.changed("segments");
}

/** Uploads members to a static segment (add / remove / replace) and records the diff, with its audit row. */
export async function putSegmentMembers(ctx: SegmentContext, key: string, input: PutMembersInput, actor: string, now: Date): Promise<MembershipDiff> {
  const segment = await getSegment(ctx.prisma, key);
  if (segment.type !== "static")
    throw new ValidationError(`Segment ${key} is ${segment.type}: its members are computed, not uploaded`, [{ path: "mode", message: "members can be uploaded only to static segments" }]);
  return withTransaction(ctx.database.pool, async (client) => {
    const locked = await client.query(`SELECT 1 FROM segments WHERE key = $1 FOR UPDATE`, [key]); // one upload per segment at a time
    if (!locked.rowCount) throw new NotFoundError(`No segment ${key}`);
    const diff = await applyMemberUpload(client, key, input.learnerIds, input.mode, now);
    await client.query(`UPDATE segments SET member_count = $2, last_refreshed_at = $3, last_refresh_status = 'ok', last_refresh_error = NULL, updated_at = $3 WHERE key = $1`, [
      key,
      diff.memberCount,
      now,
    ]);
    await client.query(`INSERT INTO segment_refreshes (segment_key, started_at, finished_at, status, added, removed) VALUES ($1, $2, $2, 'ok', $3, $4)`, [key, now, diff.added, diff.removed]);
    await client.query(`INSERT INTO audit_log (actor, action, entity_type, entity_key, details) VALUES ($1, $2, 'segment', $3, $4)`, [
      actor,
      `segment.members.${input.mode}`,
      key,
      JSON.stringify({ count: input.learnerIds.length, added: diff.added, removed: diff.removed }),
    ]);
    return diff;
  });
}

/** Why a conditional write touched no row: the segment is gone (404) or moved on (409 with its version). */
async function explainMiss(tx: Tx, key: string, expected: number | undefined): Promise<never> {
  const current = await tx.segment.findUnique({ where: { key }, select: { version: true } });
  if (!current) throw new NotFoundError(`No segment ${key}`);
  throw new VersionConflictError(`Segment ${key} is at version ${current.version}, not ${expected}: read it again and reapply your change`, current.version);
}

async function audit(tx: Tx, actor: string, action: string, key: string, details: object): Promise<void> {
  await tx.auditLog.create({ data: { actor, action, entityType: "segment", entityKey: key, details: details as Prisma.InputJsonValue } });
}
