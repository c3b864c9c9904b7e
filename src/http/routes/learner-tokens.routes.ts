/** POST /v1/learner-tokens: a short-lived token a browser-side player may hold for one learner. */
import type { Router } from "express";
import { z } from "zod";
import { signLearnerToken } from "../../auth/learner-tokens";
import { route } from "../route";
import { learnerTokenSchema } from "../schemas/course-player.schemas";
import type { AppContext } from "../app-context";

const body = z.strictObject({
  learnerId: z.string().min(1).max(128),
  ttlSeconds: z
    .number()
    .int()
    .min(60)
    .max(24 * 3600)
    .default(3600),
});

/** Adds /v1/learner-tokens. */
export function learnerTokenRoutes(router: Router, ctx: AppContext): void {
  route(router, ctx, {
    method: "post",
    path: "/v1/learner-tokens",
    tag: "Learners",
    access: { roles: ["ingest"] },
    status: 201,
    body,
    operationId: "createLearnerToken",
    response: learnerTokenSchema,
    summary: "Issue a learner-scoped token (inbox, stream, feedback, preferences of that learner only)",
    handler: async ({ body }) => {
      const expiresAt = new Date(ctx.clock.now().getTime() + body.ttlSeconds * 1000);
      return { token: signLearnerToken(ctx.tokenKey, { learnerId: body.learnerId, expiresAt }), learnerId: body.learnerId, expiresAt };
    },
  });
}
