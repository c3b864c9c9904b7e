/** Segment-compatible tracking endpoints: `/v1/track` and `/v1/batch` (ingest; Basic auth as Segment sends it). */
import type { Router } from "express";
import { fromSegmentBatch, fromSegmentCall, toSegmentErrors } from "../../ingest/segment-compat";
import { ValidationError } from "../../lib/errors";
import { route } from "../route";
import type { AppContext } from "../app-context";
import { ingest } from "./events.routes";

/** Adds /v1/track and /v1/batch. */
export function segmentCompatRoutes(router: Router, ctx: AppContext): void {
  const access = { roles: ["ingest"] as const };
  route(router, ctx, {
    method: "post", path: "/v1/track", tag: "Events", access, status: 200,
    summary: "Segment-compatible track call (userId, event, properties.courseId, messageId, timestamp, context.traits)",
    handler: async ({ req }) => withSegmentErrors(false, () => ingest(ctx, fromSegmentCall(asObject(req.body)))),
  });
  route(router, ctx, {
    method: "post", path: "/v1/batch", tag: "Events", access, status: 200,
    summary: "Segment-compatible batch of calls ({batch: [...], sentAt, context})",
    handler: async ({ req }) => withSegmentErrors(true, () => ingest(ctx, fromSegmentBatch(asObject(req.body)))),
  });
}

async function withSegmentErrors<T>(batch: boolean, run: () => Promise<T>): Promise<T & { success: true }> {
  try {
    return { ...(await run()), success: true };
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(error.message, toSegmentErrors(error.errors, batch));
    throw error;
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (body && typeof body === "object" && !Array.isArray(body)) return body as Record<string, unknown>;
  throw new ValidationError("The body must be a JSON object", [{ path: "", message: "must be a JSON object" }]);
}
