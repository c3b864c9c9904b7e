/** The learner's inbox: by default delivered messages not dismissed or expired, newest first. */
import { z } from "zod";
import type { Db } from "../db/client";
import type { Message } from "../generated/prisma/client";

// Held-out slots are experiment bookkeeping, never shown to the learner.
const STATUSES = ["scheduled", "delivered", "dismissed", "expired", "failed", "suppressed", "all"] as const;

export const inboxQuery = z.object({
  courseId: z.string().min(1).optional(),
  status: z.enum(STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type InboxQuery = z.infer<typeof inboxQuery>;

/** Messages still showable at `now`: no expiry, or one still ahead. */
const notExpired = (now: Date) => ({ OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] });

/** Lists the learner's messages for the query at `now`. */
export async function listInbox(db: Db, learnerId: string, query: InboxQuery, now: Date): Promise<Message[]> {
  const status = query.status ?? "delivered";
  return db.message.findMany({
    where: {
      learnerId,
      ...(query.courseId ? { courseId: query.courseId } : {}),
      ...(status === "all" ? { status: { notIn: ["suppressed", "held_out"] } } : { status }),
      ...(query.status === undefined ? notExpired(now) : {}),
    },
    orderBy: [{ deliveredAt: { sort: "desc", nulls: "last" } }, { createdAt: "desc" }],
    take: query.limit,
  });
}

/**
 * What a reconnecting stream missed: the learner's messages delivered after `afterMessageId` was, oldest
 * first, as the inbox would still show them (not dismissed or expired). Nothing when that id is not one of the
 * learner's delivered messages.
 */
export async function deliveredSince(db: Db, learnerId: string, afterMessageId: string, courseId: string | undefined, now: Date, limit = 100): Promise<Message[]> {
  const last = await db.message.findFirst({ where: { id: afterMessageId, learnerId }, select: { deliveredAt: true } });
  if (!last?.deliveredAt) return [];
  return db.message.findMany({
    where: {
      learnerId,
      status: "delivered",
      ...(courseId ? { courseId } : {}),
      AND: [{ OR: [{ deliveredAt: { gt: last.deliveredAt } }, { deliveredAt: last.deliveredAt, id: { gt: afterMessageId } }] }, notExpired(now)],
    },
    orderBy: [{ deliveredAt: "asc" }, { id: "asc" }],
    take: limit,
  });
}
