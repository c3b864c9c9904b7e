/** Segments: create, read, update, delete, member uploads and member listing. */
import type { Db, Database } from "../db/client";
import { ConflictError, NotFoundError, ValidationError } from "../lib/errors";
import type { CreateSegmentInput, PutMembersInput, UpdateSegmentInput } from "./segment.schema";
import { applyMemberUpload, type MembershipDiff } from "./static-members";
import { validateSegmentDefinition } from "./validate-segment";
import { withTransaction } from "../db/transaction";

export type SegmentView = Awaited<ReturnType<Db["segment"]["findUniqueOrThrow"]>>;

/** Creates a segment; 409 when the key exists. */
export async function createSegment(database: Database, input: CreateSegmentInput, actor: string, now: Date): Promise<SegmentView> {
  const definition = await validateSegmentDefinition(database, input.type, "conditions" in input ? input.conditions : undefined, "sql" in input ? input.sql : undefined);
  try {
    const segment = await database.prisma.segment.create({
      data: {
        key: input.key, name: input.name, type: input.type, refreshIntervalMinutes: input.refreshIntervalMinutes ?? null,
        conditions: definition.conditions ?? undefined, sql: definition.sql ?? null, createdAt: now, updatedAt: now,
      },
    });
    await audit(database.prisma, actor, "segment.created", input.key, { type: input.type });
    return segment;
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new ConflictError(`Segment ${input.key} already exists`);
    throw error;
  }
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

/** Updates name, interval, conditions or SQL (the type is fixed). */
export async function updateSegment(database: Database, key: string, input: UpdateSegmentInput, actor: string, now: Date): Promise<SegmentView> {
  const current = await getSegment(database.prisma, key);
  const definition = await validateSegmentDefinition(database, current.type, input.conditions ?? current.conditions ?? undefined, input.sql ?? current.sql ?? undefined);
  const segment = await database.prisma.segment.update({
    where: { key },
    data: {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.refreshIntervalMinutes !== undefined ? { refreshIntervalMinutes: input.refreshIntervalMinutes } : {}),
      ...(current.type === "attributes" ? { conditions: definition.conditions ?? undefined } : {}),
      ...(current.type === "sql" ? { sql: definition.sql } : {}),
      updatedAt: now,
    },
  });
  await audit(database.prisma, actor, "segment.updated", key, input as object);
  return segment;
}

/** Deletes a segment and its members. Rules that target it then match nobody (recorded as `segment`). */
export async function deleteSegment(db: Db, key: string, actor: string): Promise<void> {
  await getSegment(db, key);
  await db.$transaction([db.segmentMember.deleteMany({ where: { segmentKey: key } }), db.segment.delete({ where: { key } })]);
  await audit(db, actor, "segment.deleted", key, {});
}

/** Uploads members to a static segment (add / remove / replace) and records the diff. */
export async function putSegmentMembers(database: Database, key: string, input: PutMembersInput, actor: string, now: Date): Promise<MembershipDiff> {
  const segment = await getSegment(database.prisma, key);
  if (segment.type !== "static") throw new ValidationError(`Segment ${key} is ${segment.type}: its members are computed, not uploaded`, [{ path: "mode", message: "members can be uploaded only to static segments" }]);
  const diff = await withTransaction(database.pool, async (client) => {
    await client.query(`SELECT 1 FROM segments WHERE key = $1 FOR UPDATE`, [key]); // one upload per segment at a time
    const diff = await applyMemberUpload(client, key, input.learnerIds, input.mode, now);
    await client.query(`UPDATE segments SET member_count = $2, last_refreshed_at = $3, last_refresh_status = 'ok', last_refresh_error = NULL, updated_at = $3 WHERE key = $1`, [key, diff.memberCount, now]);
    await client.query(
      `INSERT INTO segment_refreshes (segment_key, started_at, finished_at, status, added, removed) VALUES ($1, $2, $2, 'ok', $3, $4)`,
      [key, now, diff.added, diff.removed],
    );
    return diff;
  });
  await audit(database.prisma, actor, `segment.members.${input.mode}`, key, { count: input.learnerIds.length, added: diff.added, removed: diff.removed });
  return diff;
}

async function audit(db: Db, actor: string, action: string, key: string, details: object): Promise<void> {
  await db.auditLog.create({ data: { actor, action, entityType: "segment", entityKey: key, details } });
}
