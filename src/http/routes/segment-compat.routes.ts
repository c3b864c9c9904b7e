/**
 * Segment's tracking API (also what RudderStack's SDKs speak): /v1/batch and the single calls /v1/track,
 * /v1/identify, /v1/page, /v1/screen, /v1/group, /v1/alias. Basic auth with the ingest key as user name, as the
 * libraries send it, or bearer. Segment's answers: 200 unless the body is malformed or oversize (a batch at most
 * 500 KB, a call 32 KB); each invalid call is dropped on its own with its reason (GET /v1/events/dropped).
 */
import type { Router } from "express";
import type { SegmentCall } from "../../standards/mapping.schema";
import { ingestSegmentCalls } from "../../standards/ingest-segment-calls";
import { MAX_CALL_BYTES } from "../../standards/segment-call";
import { readJsonBody } from "../middleware/read-json-body";
import { segmentBatchBody, segmentCallBody } from "../schemas/standards-bodies";
import { route } from "../route";
import type { AppContext } from "../app-context";

/** Segment's limit on a batch: 500 KB. */
export const MAX_BATCH_BYTES = 500 * 1024;
const SINGLE_CALLS: SegmentCall[] = ["track", "identify", "page", "screen", "group", "alias"];
const ANSWER = '{"success": true, "accepted": n, "duplicates": m, "dropped": d, "errors": [{index, messageId, reason, errors}]}';

/** Adds /v1/batch and the single-call endpoints. */
export function segmentCompatRoutes(router: Router, ctx: AppContext): void {
  const access = { roles: ["ingest"] as const };
  route(router, ctx, {
    method: "post",
    path: "/v1/batch",
    tag: "Events",
    access,
    responseDescription: ANSWER,
    requestBody: segmentBatchBody,
    summary: "Segment-compatible batch ({batch: [...], sentAt, context}), gzip accepted whatever the content type: 200 unless malformed or over 500 KB; invalid calls dropped one by one",
    handler: async ({ req }) => {
      return ingestSegmentCalls(ctx, await readJsonBody(req, MAX_BATCH_BYTES, { wholeBodyErrors: true, itemsOf: { key: "batch" } }), null);
    },
  });
  for (const call of SINGLE_CALLS) {
    route(router, ctx, {
      method: "post",
      path: `/v1/${call}`,
      tag: "Events",
      access,
      responseDescription: ANSWER,
      requestBody: segmentCallBody,
      summary: `Segment-compatible ${call} call (at most 32 KB): 200 unless malformed or oversize; an invalid call is dropped with its reason`,
      handler: async ({ req }) => {
        return ingestSegmentCalls(ctx, await readJsonBody(req, MAX_CALL_BYTES, { wholeBodyErrors: true }), call);
      },
    });
  }
}
