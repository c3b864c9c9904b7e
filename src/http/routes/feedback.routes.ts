/** POST /v1/messages/{id}/feedback (ingest, or the learner's own token). */
import type { Router } from "express";
import { feedbackSchema } from "../../feedback/feedback.schema";
import { submitFeedback } from "../../feedback/submit-feedback";
import { presentMessage } from "../presenters/message.presenter";
import { getMessageHistory } from "../../learners/message-history";
import { route } from "../route";
import { messageSchema } from "../schemas/course-player.schemas";
import type { AppContext } from "../app-context";

/** Adds /v1/messages/:messageId (with its history) and /v1/messages/:messageId/feedback. */
export function feedbackRoutes(router: Router, ctx: AppContext): void {
  route(router, ctx, {
    method: "get",
    path: "/v1/messages/:messageId",
    tag: "Feedback",
    access: { roles: ["ingest", "analyst", "author"] },
    summary: "A message with its history: matched, deferred / suppressed (with reasons and numbers), delivered, feedback",
    handler: async ({ params }) => {
      const { message, history } = await getMessageHistory(ctx.prisma, params.messageId);
      return { ...presentMessage(message), history };
    },
  });
  route(router, ctx, {
    method: "post",
    path: "/v1/messages/:messageId/feedback",
    tag: "Feedback",
    access: { roles: ["ingest"], learnerBodyField: "learnerId" },
    body: feedbackSchema,
    operationId: "postMessageFeedback",
    response: messageSchema,
    summary: "Record seen / clicked / dismissed / helpful / not_helpful / response; answers the message's updated state",
    handler: async ({ params, body }) => presentMessage(await submitFeedback(ctx, params.messageId, body)),
  });
}
