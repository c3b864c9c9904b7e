/** The course player's reads: inbox, live stream, profile, goals. */
import type { Router } from "express";
import { z } from "zod";
import { Redis } from "ioredis";
import { listInbox, inboxQuery } from "../../learners/inbox";
import { getLearnerProfile, listGoals } from "../../learners/learner-profile";
import { deliveryChannel } from "../../learners/inbox-notifications";
import { presentMessage } from "../presenters/message.presenter";
import { loadPolicy } from "../../policy/policy-store";
import { loadDeliveryState } from "../../delivery/delivery-state";
import { throttleState } from "../../throttle/throttle-state";
import { clusterSafePrefix } from "../../queue/connection";
import { route } from "../route";
import type { AppContext } from "../app-context";

const courseQuery = z.object({ courseId: z.string().min(1).optional() });

/** Adds /v1/learners/:learnerId (profile), /messages, /stream and /goals. */
export function learnerRoutes(router: Router, ctx: AppContext): void {
  route(router, ctx, {
    method: "get", path: "/v1/learners/:learnerId/messages", tag: "Learners", access: { roles: ["ingest", "analyst"], learnerParam: "learnerId" }, query: inboxQuery,
    summary: "The learner's inbox, newest first (default: delivered, not dismissed or expired; ?status= for others)",
    handler: async ({ params, query }) => ({ messages: (await listInbox(ctx.prisma, params.learnerId, query, ctx.clock.now())).map(presentMessage) }),
  });
  route(router, ctx, {
    method: "get", path: "/v1/learners/:learnerId/goals", tag: "Learners", access: { roles: ["ingest", "analyst"], learnerParam: "learnerId" }, query: courseQuery,
    summary: "The learner's goals, newest first", handler: async ({ params, query }) => ({ goals: await listGoals(ctx.prisma, params.learnerId, query.courseId) }),
  });
  route(router, ctx, {
    method: "get", path: "/v1/learners/:learnerId", tag: "Learners", access: { roles: ["ingest", "analyst"] },
    summary: "Profile, attributes, per-course state, goals, self-assessments, message counts",
    handler: async ({ params }) => {
      const profile = await getLearnerProfile(ctx.prisma, params.learnerId);
      const now = ctx.clock.now();
      const [policy, { history }] = await Promise.all([loadPolicy(ctx.prisma), loadDeliveryState(ctx.database.pool, params.learnerId, "", now, true)]);
      return { ...profile, throttle: throttleState(history, policy, profile.timezone, now) };
    },
  });
  route(router, ctx, {
    method: "get", path: "/v1/learners/:learnerId/stream", tag: "Learners", access: { roles: ["ingest"], learnerParam: "learnerId" }, query: courseQuery,
    summary: "Server-Sent Events: one `message` event per newly delivered message",
    handler: async ({ params, query, req, res }) => {
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive", "X-Accel-Buffering": "no" });
      res.write("retry: 5000\n\n");
      const subscriber = new Redis(ctx.config.redisUrl, { maxRetriesPerRequest: null });
      subscriber.on("error", () => undefined);
      await subscriber.subscribe(deliveryChannel(clusterSafePrefix(ctx.config.queuePrefix), params.learnerId));
      subscriber.on("message", async (_channel, payload) => {
        const { messageId } = JSON.parse(payload) as { messageId: string };
        const message = await ctx.prisma.message.findUnique({ where: { id: messageId } });
        if (!message || (query.courseId && message.courseId !== query.courseId)) return;
        res.write(`event: message\nid: ${message.id}\ndata: ${JSON.stringify(presentMessage(message))}\n\n`);
      });
      const keepalive = setInterval(() => res.write(": keepalive\n\n"), 25_000);
      req.on("close", () => {
        clearInterval(keepalive);
        subscriber.disconnect();
      });
      return undefined;
    },
  });
}
