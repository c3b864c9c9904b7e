/**
 * What the studio's pickers list (author, analyst): event types a course has seen with their latest
 * properties, recent stored events, courses and learners.
 */
import type { Router } from "express";
import { z } from "zod";
import { listRecentEvents, listSeenEventTypes } from "../../catalog/event-catalog";
import { listCourses, listLearners } from "../../catalog/learner-directory";
import { route } from "../route";
import type { AppContext } from "../app-context";

const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const id = z.string().min(1).max(128);

const eventTypesQuery = z.strictObject({ courseId: id.optional() });
const eventsQuery = z.strictObject({ type: z.string().min(1).max(64).optional(), courseId: id.optional(), learnerId: id.optional(), limit: limit(100, 20) });
const learnersQuery = z.strictObject({ q: id.optional(), courseId: id.optional(), limit: limit(100, 20) });

/** Adds /v1/event-types, GET /v1/events, /v1/courses and GET /v1/learners. */
export function catalogRoutes(router: Router, ctx: AppContext): void {
  const read = { roles: ["author", "analyst"] as const };
  route(router, ctx, {
    method: "get",
    path: "/v1/event-types",
    tag: "Events",
    access: read,
    query: eventTypesQuery,
    operationId: "listEventTypes",
    summary: "Event types seen (in a course, or in any), newest first, each with its latest event and properties (a preview's sample event)",
    handler: async ({ query }) => ({ eventTypes: await listSeenEventTypes(ctx.database.pool, query.courseId ?? null) }),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/events",
    tag: "Events",
    access: read,
    query: eventsQuery,
    operationId: "listRecentEvents",
    summary: "The newest stored events, filtered by type, course or learner (what a rule can be test-matched against)",
    handler: async ({ query }) => ({ events: await listRecentEvents(ctx.database.pool, query) }),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/courses",
    tag: "Learners",
    access: read,
    operationId: "listCourses",
    summary: "Courses with learner activity, most recently active first",
    handler: async () => ({ courses: await listCourses(ctx.database.pool) }),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/learners",
    tag: "Learners",
    access: read,
    query: learnersQuery,
    operationId: "listLearners",
    summary: "Learners whose id starts with q, or the most recently active (in a course when given)",
    handler: async ({ query }) => ({ learners: await listLearners(ctx.database.pool, query) }),
  });
}
