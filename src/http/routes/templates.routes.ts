/** Templates (author writes; analyst reads): immutable versions, publish, preview. */
import type { Router } from "express";
import { z } from "zod";
import { principalName } from "../../auth/principal";
import { createTemplate, getTemplate, listTemplates, listTemplateVersions, publishTemplate, updateTemplate } from "../../content/template-store";
import { previewDocumentedSchema, previewSchema, previewTemplate } from "../../content/preview-template";
import { loadTemplateUsage } from "../../content/template-usage";
import { pauseVariant, unpauseVariant } from "../../experiments/variant-pauses";
import { NotFoundError } from "../../lib/errors";
import { templateDefinitionSchema } from "../../templates/template.schema";
import { readIfMatch, withVersionTag } from "../preconditions";
import { route } from "../route";
import type { AppContext } from "../app-context";

const versionQuery = z.object({ version: z.coerce.number().int().min(1).optional() });
const publishBody = z.strictObject({ version: z.number().int().min(1).optional() });
const pauseBody = z.strictObject({ note: z.string().max(500).optional() });
/** Documents PUT's body (the handler parses it itself): the definition, `publish`, and what GET returned. */
const templateUpdateBody = z
  .object({
    key: z.string().optional(),
    name: z.string(),
    kind: z.string(),
    locale: z.string().optional(),
    essential: z.boolean().optional(),
    variants: z.array(z.object({}).passthrough()),
    response: z.unknown().optional(),
    publish: z.boolean().optional(),
    latestVersion: z.number().int().min(1).optional().describe("a precondition, as If-Match"),
  })
  .passthrough();

/** Adds /v1/templates. */
export function templateRoutes(router: Router, ctx: AppContext): void {
  const read = { roles: ["author", "analyst"] as const };
  const write = { roles: ["author"] as const };
  // The ETag is the LATEST version (what If-Match on PUT compares with), whichever version the body shows.
  const tagged = <T extends { latestVersion: number }>(res: Parameters<typeof withVersionTag>[0], view: T) => withVersionTag(res, view, view.latestVersion);
  route(router, ctx, { method: "get", path: "/v1/templates", tag: "Templates", access: read, summary: "List templates", handler: async () => ({ templates: await listTemplates(ctx.prisma) }) });
  route(router, ctx, {
    method: "post",
    path: "/v1/templates",
    tag: "Templates",
    versioned: true,
    access: write,
    status: 201,
    summary: "Create a template (version 1, published)",
    requestBody: templateDefinitionSchema,
    handler: async ({ req, principal, res }) => tagged(res, await createTemplate(ctx, req.body, principalName(principal), ctx.clock.now())),
  });
  route(router, ctx, {
    method: "post",
    path: "/v1/templates/preview",
    tag: "Templates",
    access: read,
    body: previewSchema,
    requestBody: previewDocumentedSchema,
    summary: "Render a stored version or unsaved source for a learner (or a sample context), with warnings",
    handler: async ({ body }) => previewTemplate(ctx, body),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/templates/:key",
    tag: "Templates",
    versioned: true,
    access: read,
    query: versionQuery,
    summary: "A template's latest (or ?version=N) version; ETag: the latest version number",
    handler: async ({ params, query, res }) => tagged(res, await getTemplate(ctx.prisma, params.key, query.version)),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/templates/:key/versions",
    tag: "Templates",
    access: read,
    summary: "Version history with author and time",
    handler: async ({ params }) => ({ versions: await listTemplateVersions(ctx.prisma, params.key) }),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/templates/:key/usage",
    tag: "Templates",
    access: read,
    operationId: "getTemplateUsage",
    summary: "Where a template is used: the rules that send it and its latest deliveries",
    handler: async ({ params }) => loadTemplateUsage(ctx.prisma, ctx.database.pool, params.key),
  });
  route(router, ctx, {
    method: "put",
    path: "/v1/templates/:key",
    tag: "Templates",
    versioned: true,
    access: write,
    requestBody: templateUpdateBody,
    summary:
      "Add a new immutable version (publish: true to publish it); accepts what GET returned; If-Match (or the body's latestVersion) makes it conditional on the latest version: 409 with currentVersion",
    handler: async ({ params, req, principal, res }) => tagged(res, await updateTemplate(ctx, params.key, req.body, principalName(principal), ctx.clock.now(), readIfMatch(req))),
  });
  route(router, ctx, {
    method: "post",
    path: "/v1/templates/:key/publish",
    tag: "Templates",
    versioned: true,
    access: write,
    body: publishBody,
    summary: "Publish a version (default: latest)",
    handler: async ({ params, body, principal, res }) => tagged(res, await publishTemplate(ctx, params.key, body.version, principalName(principal), ctx.clock.now())),
  });
  route(router, ctx, {
    method: "post",
    path: "/v1/templates/:key/variants/:variant/pause",
    tag: "Templates",
    access: write,
    body: pauseBody,
    summary: "Pause a variant by hand (its rules send the other variants); audit-logged",
    handler: async ({ params, body, principal }) => {
      const template = await getTemplate(ctx.prisma, params.key);
      if (!template.variants.some((v) => v.key === params.variant)) throw new NotFoundError(`Template ${params.key} has no variant ${params.variant}`);
      await pauseVariant(ctx.database.pool, params.key, params.variant, "manual", body.note ? { note: body.note } : {}, principalName(principal), ctx.clock.now());
      return getTemplate(ctx.prisma, params.key);
    },
  });
  route(router, ctx, {
    method: "delete",
    path: "/v1/templates/:key/variants/:variant/pause",
    tag: "Templates",
    access: write,
    summary: "Resume a paused variant; auto-pause then counts only votes cast after this",
    handler: async ({ params, principal }) => {
      await unpauseVariant(ctx.database.pool, params.key, params.variant, principalName(principal), ctx.clock.now());
      return getTemplate(ctx.prisma, params.key);
    },
  });
}
