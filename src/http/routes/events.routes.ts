/** POST /v1/events: the course player's way in. Durable in PostgreSQL before the 202. */
import type { Router } from "express";
import { parseEvents } from "../../ingest/parse-events";
import { groupCommitterFor } from "../../ingest/group-commit";
import { ValidationError } from "../../lib/errors";
import { route } from "../route";
import { eventsAcceptedSchema, eventsBodySchema } from "../schemas/course-player.schemas";
import type { AppContext } from "../app-context";

/** Adds /v1/events. */
export function eventRoutes(router: Router, ctx: AppContext): void {
  route(router, ctx, {
    method: "post",
    path: "/v1/events",
    tag: "Events",
    access: { roles: ["ingest"] },
    status: 202,
    summary: "Record one event or a batch of 1–500 ({events, sentAt?}); idempotent by event id",
    responseDescription: '{"accepted": n, "duplicates": m}',
    operationId: "postEvents",
    requestBody: eventsBodySchema,
    response: eventsAcceptedSchema,
    handler: async ({ req }) => ingest(ctx, req.body, Number(req.headers["content-length"]) || undefined),
  });
}

/**
 * Validates, stores and publishes a body of events; shared with the Segment-compatible routes. `bodyBytes`,
 * when known, spares measuring each event of a body too small to hold an oversized one.
 */
export async function ingest(ctx: AppContext, body: unknown, bodyBytes?: number): Promise<{ accepted: number; duplicates: number }> {
  const receivedAt = ctx.clock.now();
  let events;
  try {
    events = parseEvents(body, receivedAt, bodyBytes);
  } catch (error) {
    if (error instanceof ValidationError) ctx.metrics.events.inc({ outcome: "rejected" }, countEvents(body));
    throw error;
  }
  const { acceptedIds, duplicates } = await groupCommitterFor(ctx).record(events, receivedAt);
  ctx.metrics.events.inc({ outcome: "accepted" }, acceptedIds.length);
  ctx.metrics.events.inc({ outcome: "duplicate" }, duplicates);
  return { accepted: acceptedIds.length, duplicates };
}

function countEvents(body: unknown): number {
  const events = (body as { events?: unknown } | null)?.events;
  return Array.isArray(events) ? events.length : 1;
}
