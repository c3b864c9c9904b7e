/** Segments (author writes; analyst reads): definitions, static uploads, member listing. */
import type { Router } from "express";
import { principalName } from "../../auth/principal";
import { createSegmentSchema, listMembersQuery, putMembersSchema, updateSegmentSchema } from "../../segments/segment.schema";
import { createSegment, deleteSegment, getSegment, listSegments, putSegmentMembers, updateSegment } from "../../segments/segment-store";
import { listSegmentMembers } from "../../segments/segment-members";
import { refreshSegmentNow } from "../../segments/refresh-segment";
import { countAttributeMembers } from "../../segments/count-members";
import { z } from "zod";
import { expectedVersion } from "../../lib/expected-version";
import { readIfMatch, withVersionTag } from "../preconditions";
import { route } from "../route";
import type { AppContext } from "../app-context";

/** Adds /v1/segments. */
export function segmentRoutes(router: Router, ctx: AppContext): void {
  const read = { roles: ["author", "analyst"] as const };
  const write = { roles: ["author"] as const };
  const tagged = <T extends { version: number }>(res: Parameters<typeof withVersionTag>[0], view: T) => withVersionTag(res, view, view.version);
  route(router, ctx, {
    method: "get",
    path: "/v1/segments",
    tag: "Segments",
    access: read,
    summary: "List segments",
    handler: async () => ({ segments: await listSegments(ctx.prisma) }),
  });
  route(router, ctx, {
    method: "post",
    path: "/v1/segments",
    tag: "Segments",
    versioned: true,
    access: write,
    status: 201,
    body: createSegmentSchema,
    summary: "Create a segment: static (uploaded members), attributes (conditions) or sql (a SELECT learner_id …)",
    handler: async ({ body, principal, res }) => tagged(res, await createSegment(ctx, body, principalName(principal), ctx.clock.now())),
  });
  route(router, ctx, {
    method: "post",
    path: "/v1/segments/count",
    tag: "Segments",
    access: read,
    body: z.strictObject({ conditions: z.unknown() }),
    operationId: "countSegmentDraft",
    summary: "How many learners an unsaved attribute segment selects now (capped at 100,000; 5 s at most): the editor's live count",
    handler: async ({ body }) => countAttributeMembers(ctx.database.pool, body.conditions),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/segments/:key",
    tag: "Segments",
    versioned: true,
    access: read,
    summary: "One segment with its refresh status (ETag: its version)",
    handler: async ({ params, res }) => tagged(res, await getSegment(ctx.prisma, params.key)),
  });
  route(router, ctx, {
    method: "put",
    path: "/v1/segments/:key",
    tag: "Segments",
    versioned: true,
    access: write,
    body: updateSegmentSchema,
    summary: "Update a segment (version + 1); accepts what GET returned; If-Match (or the body's version) makes it conditional: 409 with currentVersion when it moved",
    handler: async ({ params, body, principal, req, res }) =>
      tagged(res, await updateSegment(ctx, params.key, body, principalName(principal), ctx.clock.now(), expectedVersion(readIfMatch(req), body.version))),
  });
  route(router, ctx, {
    method: "delete",
    path: "/v1/segments/:key",
    tag: "Segments",
    versioned: true,
    access: write,
    status: 204,
    summary: "Delete a segment and its members; honours If-Match",
    handler: async ({ params, principal, req, res }) => {
      await deleteSegment(ctx, params.key, principalName(principal), readIfMatch(req));
      res.status(204).end();
      return undefined;
    },
  });
  route(router, ctx, {
    method: "put",
    path: "/v1/segments/:key/members",
    tag: "Segments",
    access: write,
    body: putMembersSchema,
    summary: "Upload members of a static segment (up to 100,000 ids; mode add | remove | replace)",
    handler: async ({ params, body, principal }) => putSegmentMembers(ctx, params.key, body, principalName(principal), ctx.clock.now()),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/segments/:key/members",
    tag: "Segments",
    access: read,
    query: listMembersQuery,
    summary: "Page through current members (cursor = last learner id of the previous page)",
    handler: async ({ params, query }) => listSegmentMembers(ctx, params.key, query.limit, query.cursor),
  });
  route(router, ctx, {
    method: "post",
    path: "/v1/segments/:key/refresh",
    tag: "Segments",
    access: write,
    status: 200,
    summary: "Recompute a sql segment now (static and attribute segments need no refresh)",
    handler: async ({ params }) => refreshSegmentNow(ctx, params.key),
  });
}
