/** A message's story: matched, deferred, delivered or suppressed, then every piece of feedback, in time order. */
import type { Db } from "../db/client";
import type { Message } from "../generated/prisma/client";
import { NotFoundError } from "../lib/errors";
import { isUuid } from "../lib/ids";

export interface HistoryStep {
  at: Date;
  step: string;
  reason?: string;
  details?: unknown;
}

/** The message and its history; 404 for an unknown id. */
export async function getMessageHistory(db: Db, messageId: string): Promise<{ message: Message; history: HistoryStep[] }> {
  if (!isUuid(messageId)) throw new NotFoundError("No such message");
  const message = await db.message.findUnique({ where: { id: messageId } });
  if (!message) throw new NotFoundError("No such message");
  const [decisions, feedback] = await Promise.all([
    db.suppression.findMany({ where: { messageId }, orderBy: { createdAt: "asc" } }),
    db.feedback.findMany({ where: { messageId }, orderBy: { createdAt: "asc" } }),
  ]);
  const history: HistoryStep[] = [
    { at: message.createdAt, step: "matched", details: { ruleKey: message.ruleKey, eventId: message.eventId, variant: message.variant, assignment: message.assignment } },
  ];
  for (const d of decisions) history.push({ at: d.createdAt, step: d.outcome, reason: d.reason, details: d.details });
  if (message.deliveredAt) history.push({ at: message.deliveredAt, step: "delivered" });
  if (message.status === "failed") history.push({ at: message.createdAt, step: "failed", reason: message.error ?? undefined });
  for (const f of feedback) history.push({ at: f.createdAt, step: f.type, details: f.value ?? undefined });
  history.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { message, history };
}
