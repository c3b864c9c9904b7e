/**
 * "Try it as a learner" (author, admin): mint a demo learner's token, post the mock lesson's events, and read
 * back what the engine decided. Authenticated with the staff key like every studio call; nothing here is open
 * without one, and events can only be posted for demo learners (src/demo/demo-learner.ts).
 */
import type { Router } from "express";
import { z } from "zod";
import { buildDemoEvent, DEMO_EVENTS, DEMO_LEARNER_ID, loadDemoActivity, mintDemoLearner, type DemoEventType } from "../../demo/demo-learner";
import { pickDaytimeZone } from "../../demo/daytime-zone";
import { loadPolicyInForce } from "../../policy/policy-store";
import { ValidationError } from "../../lib/errors";
import { route } from "../route";
import { ingest } from "./events.routes";
import type { AppContext } from "../app-context";

const demoLearnerId = z.string().regex(DEMO_LEARNER_ID, "must be a demo learner id (demo- and 10 hex digits) from POST /v1/demo/learner");
const learnerBody = z.strictObject({ learnerId: demoLearnerId.optional() });
const eventBody = z.strictObject({ learnerId: demoLearnerId, type: z.enum(Object.keys(DEMO_EVENTS) as [DemoEventType, ...DemoEventType[]]) });

/** Adds /v1/demo/learner, /v1/demo/events and /v1/demo/learners/:learnerId. */
export function demoRoutes(router: Router, ctx: AppContext): void {
  const staff = { roles: ["author"] as const };
  route(router, ctx, {
    method: "post",
    path: "/v1/demo/learner",
    tag: "Demo",
    access: staff,
    body: learnerBody,
    operationId: "mintDemoLearner",
    summary: "A demo learner living where it is daytime now, with a learner token for the widget (or a fresh token for learnerId)",
    handler: async ({ body }) => {
      const policy = await loadPolicyInForce(ctx, ctx.config.throttle);
      return mintDemoLearner(ctx.database.pool, ctx.tokenKey, policy, ctx.clock.now(), body.learnerId);
    },
  });
  route(router, ctx, {
    method: "post",
    path: "/v1/demo/events",
    tag: "Demo",
    access: staff,
    body: eventBody,
    status: 202,
    operationId: "postDemoEvent",
    summary: "Post one of the mock lesson's events (course.enrolled, video.completed, a failed quiz.submitted, module.completed) for a demo learner",
    handler: async ({ body }) => {
      const now = ctx.clock.now();
      const { rows } = await ctx.database.pool.query<{ timezone: string | null }>(`SELECT timezone FROM learners WHERE id = $1`, [body.learnerId]);
      // A learner's first event writes their profile: with the zone the token was minted with (the choice is the
      // same minutes later); later events keep the zone the profile holds.
      const zone = rows[0]?.timezone ?? pickDaytimeZone(now, (await loadPolicyInForce(ctx, ctx.config.throttle)).quietHours).timeZone;
      const event = buildDemoEvent(body.learnerId, zone, body.type, now);
      await ingest(ctx, event);
      return { eventId: event.id, type: body.type, learnerId: body.learnerId };
    },
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/demo/learners/:learnerId",
    tag: "Demo",
    access: staff,
    operationId: "getDemoActivity",
    summary: "A demo learner's events and what the engine decided: messages with their state and reason, rules that matched but sent nothing",
    handler: async ({ params }) => {
      const id = demoLearnerId.safeParse(params.learnerId);
      if (!id.success) throw new ValidationError("Not a demo learner", [{ path: "learnerId", message: id.error.issues[0].message }]);
      return loadDemoActivity(ctx.database.pool, id.data, ctx.clock.now());
    },
  });
}
