/**
 * (4) recordFeedback: engagement, votes, goals and self-assessments, in one transaction per request.
 * Engagement is idempotent (a timestamp set once, by a conditional update); a vote is a column on the
 * message, so concurrent votes leave exactly one, the last standing. The feedback log gets a row only
 * when something changed, so retries do not inflate it.
 */
import type { Db } from "../db/client";
import type { Message } from "../generated/prisma/client";
import { NotFoundError, ValidationError } from "../lib/errors";
import { isUuid } from "../lib/ids";
import type { FeedbackInput } from "./feedback.schema";
import { validateResponse } from "./validate-response";
import { bumpDeliveryVersion } from "../delivery/delivery-version";

const VISIBLE = ["delivered", "dismissed", "expired"] as const;

/** Applies feedback to a message of this learner; 404 when it is not theirs or not delivered. */
export async function recordFeedback(db: Db, messageId: string, input: FeedbackInput, now: Date): Promise<Message> {
  if (!isUuid(messageId)) throw new NotFoundError("No such message");
  return db.$transaction(async (tx) => {
    const message = await tx.message.findUnique({ where: { id: messageId } });
    // Another learner's message is indistinguishable from a missing one.
    if (!message || message.learnerId !== input.learnerId || !(VISIBLE as readonly string[]).includes(message.status)) throw new NotFoundError("No such message");
    let changed = 0;
    /** Whether what the throttle reads of the message (seen, dismissed, vote, answer) changed. */
    let throttleInput = false;
    switch (input.type) {
      case "seen":
        changed = (await tx.message.updateMany({ where: { id: messageId, seenAt: null }, data: { seenAt: now } })).count;
        throttleInput = changed > 0;
        break;
      case "clicked":
        throttleInput = (await tx.message.updateMany({ where: { id: messageId, seenAt: null }, data: { seenAt: now } })).count > 0;
        changed = (await tx.message.updateMany({ where: { id: messageId, clickedAt: null }, data: { clickedAt: now } })).count;
        break;
      case "dismissed":
        throttleInput = (await tx.message.updateMany({ where: { id: messageId, seenAt: null }, data: { seenAt: now } })).count > 0;
        changed = (await tx.message.updateMany({ where: { id: messageId, dismissedAt: null }, data: { dismissedAt: now, status: "dismissed" } })).count;
        throttleInput ||= changed > 0;
        break;
      case "helpful":
      case "not_helpful":
        changed = (await tx.message.updateMany({ where: { id: messageId, OR: [{ vote: null }, { vote: { not: input.type } }] }, data: { vote: input.type, votedAt: now } })).count;
        throttleInput = changed > 0;
        break;
      case "response": {
        const answer = validateResponse(message, input.value);
        if (answer.kind === "goal") {
          await tx.goal.create({ data: { learnerId: message.learnerId, courseId: message.courseId ?? "", text: answer.text, messageId, createdAt: now } });
        } else {
          await tx.selfAssessment.create({
            data: {
              learnerId: message.learnerId,
              courseId: message.courseId ?? "",
              moduleId: message.moduleId,
              rating: answer.rating,
              scaleMin: answer.min,
              scaleMax: answer.max,
              messageId,
              createdAt: now,
            },
          });
        }
        changed = (await tx.message.updateMany({ where: { id: messageId }, data: { respondedAt: now, response: answer.kind === "goal" ? answer.text : answer.rating } })).count;
        throttleInput = changed > 0;
        break;
      }
    }
    if (changed > 0) await tx.feedback.create({ data: { messageId, learnerId: message.learnerId, type: input.type, value: input.value ?? undefined, createdAt: now } });
    // The throttle's view of the learner changed: their delivery version moves with it, so no decision made on
    // what was read before (a delivery in flight, a state matching handed to delivery) is written
    // (src/delivery/delivery-state-handoff.ts). Locks the version row after the message row, as deliveries
    // never lock a delivered message: no deadlock.
    if (throttleInput) await bumpDeliveryVersion(tx, message.learnerId);
    return tx.message.findUniqueOrThrow({ where: { id: messageId } });
  });
}

export { ValidationError };
