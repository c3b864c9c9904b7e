/** Current members of any segment type: stored for static and sql, computed in SQL for attributes. */
import type { EngineContext } from "../context";
import { getSegment } from "./segment-store";
import { listStoredMembers, type MemberPage } from "./list-members";
import { listAttributeMembers } from "./attribute-members";

/** One page of members. */
export async function listSegmentMembers(ctx: EngineContext, key: string, limit: number, cursor?: string): Promise<MemberPage & { segmentKey: string; type: string }> {
  const segment = await getSegment(ctx.prisma, key);
  const page = segment.type === "attributes" ? await listAttributeMembers(ctx.database.pool, segment.conditions, limit, cursor) : await listStoredMembers(ctx.database.pool, key, limit, cursor);
  return { segmentKey: key, type: segment.type, ...page };
}
