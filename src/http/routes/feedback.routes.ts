/** POST /v1/messages/{id}/feedback (ingest, or the learner's own token). */
import type { Router } from "express";
import { feedbackSchema } from "../../feedback/feedback.schema";
import { recordFeedback } from "../../feedback/record-feedback";
import { presentMessage } from "../presenters/message.presenter";
import { route } from "../route";
import type { AppContext } from "../app-context";

/** Adds /v1/messages/:messageId/feedback. */
export function feedbackRoutes(router: Router, ctx: AppContext): void {
  route(router, ctx, {
    method: "post", path: "/v1/messages/:messageId/feedback", tag: "Feedback", access: { roles: ["ingest"], learnerBodyField: "learnerId" }, body: feedbackSchema,
    summary: "Record seen / clicked / dismissed / helpful / not_helpful / response; answers the message's updated state",
    handler: async ({ params, body }) => presentMessage(await recordFeedback(ctx.prisma, params.messageId, body, ctx.clock.now())),
  });
}
