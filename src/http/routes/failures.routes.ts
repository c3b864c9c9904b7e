/** Isolated failures for operators (admin): list them, and retry them once their cause is fixed. */
import type { Router } from "express";
import { z } from "zod";
import { listFailures, retryFailures } from "../../maintenance/failures";
import { principalName } from "../../auth/principal";
import { route } from "../route";
import type { AppContext } from "../app-context";

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1_000).default(100) });

const retryBody = z
  .strictObject({
    eventIds: z.array(z.string().min(1).max(200)).max(1_000).default([]),
    messageIds: z.array(z.uuid()).max(1_000).default([]),
  })
  .refine((b) => b.eventIds.length + b.messageIds.length > 0, { message: "name at least one event or message", path: ["eventIds"] });

const failedEvent = z.object({
  id: z.string(),
  type: z.string(),
  learnerId: z.string(),
  courseId: z.string().nullable(),
  receivedAt: z.iso.datetime(),
  failedAt: z.iso.datetime(),
  error: z.string().nullable(),
});
const failedMessage = z.object({
  id: z.uuid(),
  learnerId: z.string(),
  courseId: z.string().nullable(),
  eventId: z.string().nullable(),
  ruleKey: z.string(),
  templateKey: z.string(),
  dueAt: z.iso.datetime(),
  failedAt: z.iso.datetime().nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
});

/** Adds /v1/operations/failures and /v1/operations/failures/retry. */
export function failureRoutes(router: Router, ctx: AppContext): void {
  const admin = { roles: ["admin"] as const };
  route(router, ctx, {
    method: "get",
    path: "/v1/operations/failures",
    tag: "Operations",
    access: admin,
    query: listQuery,
    summary: "Events whose matching and messages whose delivery failed on their own after every attempt (newest first), with their errors and counts",
    response: z.object({ counts: z.object({ events: z.number().int(), messages: z.number().int() }), events: z.array(failedEvent), messages: z.array(failedMessage) }),
    handler: async ({ query }) => listFailures(ctx.database.pool, query.limit),
  });
  route(router, ctx, {
    method: "post",
    path: "/v1/operations/failures/retry",
    tag: "Operations",
    access: admin,
    body: retryBody,
    summary: "Retry failed events and messages (after fixing their cause); ids that are not failed are ignored",
    response: z.object({ eventIds: z.array(z.string()), messageIds: z.array(z.uuid()) }),
    handler: async ({ body, principal }) => retryFailures(ctx, body, principalName(principal)),
  });
}
