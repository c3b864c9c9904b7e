/** A message as the contract shows it to the course player. */
import type { Message } from "../../generated/prisma/client";

/** The contract's message JSON, plus `dueAt`, `engagement` and the learner's `answer`. */
export function presentMessage(m: Message) {
  return {
    id: m.id,
    learnerId: m.learnerId,
    courseId: m.courseId,
    kind: m.kind,
    title: m.title,
    body: m.body,
    cta: m.cta ?? null,
    response: m.responseSpec ?? null,
    templateKey: m.templateKey,
    templateVersion: m.templateVersion,
    variant: m.variant,
    ruleKey: m.ruleKey,
    status: m.status,
    createdAt: m.createdAt,
    deliveredAt: m.deliveredAt,
    expiresAt: m.expiresAt,
    dueAt: m.dueAt,
    engagement: { seenAt: m.seenAt, clickedAt: m.clickedAt, dismissedAt: m.dismissedAt, respondedAt: m.respondedAt, vote: m.vote },
    answer: m.response ?? null,
  };
}
