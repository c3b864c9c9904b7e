/** The course player's reads: inbox, live stream, profile, goals. */
import type { Router } from "express";
import { z } from "zod";
import { listInbox, inboxQuery } from "../../learners/inbox";
import { getLearnerProfile, listGoals } from "../../learners/learner-profile";
import { learnerTimeline, timelineQuery } from "../../learners/learner-timeline";
import { presentMessage } from "../presenters/message.presenter";
import { loadPolicy } from "../../policy/policy-store";
import { loadDeliveryState } from "../../delivery/delivery-state";
import { throttleState } from "../../throttle/throttle-state";
import { route } from "../route";
import { inboxSchema } from "../schemas/course-player.schemas";
import { streamDeliveries } from "../delivery-stream";
import type { AppContext } from "../app-context";

const courseQuery = z.object({ courseId: z.string().min(1).optional() });
const streamQuery = courseQuery.extend({
  access_token: z.string().optional().describe("A learner token, for browsers (EventSource cannot send Authorization)"),
  lastEventId: z.string().optional().describe("Resume after this message id (as the Last-Event-ID header does)"),
});

/** Adds /v1/learners/:learnerId (profile), /messages, /stream and /goals. */
export function learnerRoutes(router: Router, ctx: AppContext): void {
  route(router, ctx, {
    method: "get",
    path: "/v1/learners/:learnerId/messages",
    tag: "Learners",
    access: { roles: ["ingest", "analyst"], learnerParam: "learnerId" },
    query: inboxQuery,
    operationId: "listLearnerMessages",
    response: inboxSchema,
    summary: "The learner's inbox, newest first (default: delivered, not dismissed or expired; ?status= for others)",
    handler: async ({ params, query }) => ({ messages: (await listInbox(ctx.prisma, params.learnerId, query, ctx.clock.now())).map(presentMessage) }),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/learners/:learnerId/goals",
    tag: "Learners",
    access: { roles: ["ingest", "analyst"], learnerParam: "learnerId" },
    query: courseQuery,
    summary: "The learner's goals, newest first",
    handler: async ({ params, query }) => ({ goals: await listGoals(ctx.prisma, params.learnerId, query.courseId) }),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/learners/:learnerId/timeline",
    tag: "Learners",
    access: { roles: ["analyst", "author"] },
    query: timelineQuery,
    operationId: "getLearnerTimeline",
    summary:
      "Everything the engine decided for the learner, newest first and paged (?before=nextCursor): events, matches, held out, suppressed and deferred " +
      "(reason code, reason in words, the numbers), delivered, failed, feedback, goals, self-assessments",
    handler: async ({ params, query }) => learnerTimeline(ctx.database.pool, params.learnerId, query),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/learners/:learnerId",
    tag: "Learners",
    access: { roles: ["ingest", "analyst"] },
    summary: "Profile, attributes, per-course state, goals, self-assessments, message counts",
    handler: async ({ params }) => {
      const profile = await getLearnerProfile(ctx.prisma, params.learnerId);
      const now = ctx.clock.now();
      const [policy, { history }] = await Promise.all([loadPolicy(ctx), loadDeliveryState(ctx.database.pool, params.learnerId, [], now, true)]);
      return { ...profile, throttle: throttleState(history, policy, profile.timezone, now) };
    },
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/learners/:learnerId/stream",
    tag: "Learners",
    access: { roles: ["ingest"], learnerParam: "learnerId", queryToken: true },
    query: streamQuery,
    operationId: "streamLearnerMessages",
    produces: "text/event-stream",
    summary:
      "Server-Sent Events: one `message` event per newly delivered message (id = message id; on reconnect, Last-Event-ID replays what was missed). " +
      "Browsers pass the learner token as ?access_token= (EventSource cannot send headers; accepted for learner tokens only, never logged) and may resume with ?lastEventId=",
    handler: async ({ params, query, req, res }) => {
      // The header wins: EventSource sends it on its own reconnects; the query serves a page that reconnects by itself.
      const lastEventId = z.uuid().safeParse(req.get("last-event-id") ?? query.lastEventId);
      await streamDeliveries(ctx, res, { learnerId: params.learnerId, courseId: query.courseId, lastEventId: lastEventId.success ? lastEventId.data : undefined });
      return undefined;
    },
  });
}
