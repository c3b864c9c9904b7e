/**
 * The mapping store (author writes; analyst reads): GET/PUT /v1/mappings, one mapping at /v1/mappings/{key},
 * what arrived unmapped (GET /v1/mappings/unmapped), and the Segment calls dropped with their reasons
 * (GET /v1/events/dropped).
 */
import type { Router } from "express";
import { z } from "zod";
import { principalName } from "../../auth/principal";
import { ValidationError } from "../../lib/errors";
import { listDroppedCalls } from "../../standards/dropped-calls";
import { customMappingsSchema, MAPPING_SOURCES, oneMappingSchema, type Mapping } from "../../standards/mapping.schema";
import { deleteMapping, getMapping, listMappings, replaceMappings, saveMapping } from "../../standards/mapping-store";
import { listUnmapped } from "../../standards/unmapped-records";
import { route } from "../route";
import type { AppContext } from "../app-context";

/** What GET adds to a mapping; a PUT of what GET returned ignores these. */
const READ_ONLY = ["origin", "updatedAt", "updatedBy"];

function withoutReadOnly(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !READ_ONLY.includes(k)));
}

const putAllSchema = z.preprocess((body) => {
  const mappings = (body as { mappings?: unknown } | null)?.mappings;
  return Array.isArray(mappings) ? { ...(body as object), mappings: mappings.map(withoutReadOnly) } : body;
}, customMappingsSchema);
const putOneSchema = z.preprocess(withoutReadOnly, oneMappingSchema);

const since = z.iso.datetime({ offset: true }).optional();
const limit = z.coerce.number().int().min(1).max(1_000).default(100);

/** Adds /v1/mappings and /v1/events/dropped. */
export function mappingRoutes(router: Router, ctx: AppContext): void {
  const read = { roles: ["author", "analyst"] as const };
  const write = { roles: ["author"] as const };
  route(router, ctx, {
    method: "get",
    path: "/v1/mappings",
    tag: "Learning-record standards",
    access: read,
    query: z.strictObject({ source: z.enum(MAPPING_SOURCES).optional() }),
    summary: "Every mapping in force (origin: builtin, override or custom) and the default field sources per standard",
    handler: async ({ query }) => listMappings(ctx, query.source),
  });
  route(router, ctx, {
    method: "put",
    path: "/v1/mappings",
    tag: "Learning-record standards",
    access: write,
    body: putAllSchema,
    summary: "Replace the saved mappings: {mappings: [...]}; shipped ones not listed stay as shipped, one listed as shipped is not saved, enabled: false switches one off",
    handler: async ({ body, principal }) => {
      await replaceMappings(ctx, body.mappings, principalName(principal), ctx.clock.now());
      return listMappings(ctx);
    },
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/mappings/unmapped",
    tag: "Learning-record standards",
    access: read,
    query: z.strictObject({ source: z.enum(MAPPING_SOURCES).optional(), since, limit }),
    summary: "What arrived with no mapping (or whose mapping gave an invalid event), counted per verb / type / name, most frequent first",
    handler: async ({ query }) => ({ unmapped: await listUnmapped(ctx.database.pool, { format: query.source, since: query.since ? new Date(query.since) : undefined, limit: query.limit }) }),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/mappings/:key",
    tag: "Learning-record standards",
    access: read,
    summary: "One mapping in force",
    handler: async ({ params }) => getMapping(ctx, params.key),
  });
  route(router, ctx, {
    method: "put",
    path: "/v1/mappings/:key",
    tag: "Learning-record standards",
    access: write,
    body: putOneSchema,
    summary: "Save one mapping (a shipped key: an override of it)",
    handler: async ({ params, body, principal }) => {
      if (body.key !== undefined && body.key !== params.key) throw new ValidationError("The body's key differs from the path's", [{ path: "key", message: `must be ${params.key} or left out` }]);
      return saveMapping(ctx, { ...body, key: params.key } as Mapping, principalName(principal), ctx.clock.now());
    },
  });
  route(router, ctx, {
    method: "delete",
    path: "/v1/mappings/:key",
    tag: "Learning-record standards",
    access: write,
    status: 204,
    summary: "Delete a saved mapping (a shipped one reverts to as shipped)",
    handler: async ({ params, principal, res }) => {
      await deleteMapping(ctx, params.key, principalName(principal));
      res.status(204).end();
      return undefined;
    },
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/events/dropped",
    tag: "Events",
    access: read,
    query: z.strictObject({ source: z.enum(["segment"]).optional(), reason: z.string().max(50).optional(), since, limit }),
    summary: "Segment-compatible calls dropped one by one: counts per reason and the latest calls with their errors",
    handler: async ({ query }) => listDroppedCalls(ctx.database.pool, { source: query.source, reason: query.reason, since: query.since ? new Date(query.since) : undefined, limit: query.limit }),
  });
}
