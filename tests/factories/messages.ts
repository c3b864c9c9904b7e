/** Inserts messages directly (as the delivery worker would have written them): `insertMessage(ctx, { kind: "goal_prompt" })`. */
import { randomUUID } from "node:crypto";
import type { EngineContext } from "../../src/context";
import type { Prisma } from "../../src/generated/prisma/client";

export async function insertMessage(ctx: EngineContext, overrides: Partial<Prisma.MessageUncheckedCreateInput> = {}) {
  const id = randomUUID();
  return ctx.prisma.message.create({
    data: {
      id,
      dedupeKey: `test|${id}`,
      learnerId: "L1",
      courseId: "ml-101",
      ruleKey: "r",
      templateKey: "t",
      templateVersion: 1,
      variant: "A",
      kind: "nudge",
      status: "delivered",
      title: "Hi",
      body: "Hello",
      dueAt: new Date(),
      deliveredAt: new Date(),
      ...overrides,
    },
  });
}
