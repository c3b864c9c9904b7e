/** Templates (author writes; analyst reads): immutable versions, publish, preview. */
import type { Router } from "express";
import { z } from "zod";
import { principalName } from "../../auth/principal";
import { createTemplate, getTemplate, listTemplates, listTemplateVersions, publishTemplate, updateTemplate } from "../../content/template-store";
import { previewSchema, previewTemplate } from "../../content/preview-template";
import { pauseVariant, unpauseVariant } from "../../experiments/variant-pauses";
import { NotFoundError } from "../../lib/errors";
import { route } from "../route";
import type { AppContext } from "../app-context";

const versionQuery = z.object({ version: z.coerce.number().int().min(1).optional() });
const publishBody = z.strictObject({ version: z.number().int().min(1).optional() });
const pauseBody = z.strictObject({ note: z.string().max(500).optional() });

/** Adds /v1/templates. */
export function templateRoutes(router: Router, ctx: AppContext): void {
  const read = { roles: ["author", "analyst"] as const };
  const write = { roles: ["author"] as const };
  route(router, ctx, { method: "get", path: "/v1/templates", tag: "Templates", access: read, summary: "List templates", handler: async () => ({ templates: await listTemplates(ctx.prisma) }) });
  route(router, ctx, {
    method: "post", path: "/v1/templates", tag: "Templates", access: write, status: 201, summary: "Create a template (version 1, published)",
    handler: async ({ req, principal }) => createTemplate(ctx.prisma, req.body, principalName(principal), ctx.clock.now()),
  });
  route(router, ctx, {
    method: "post", path: "/v1/templates/preview", tag: "Templates", access: read, body: previewSchema,
    summary: "Render a stored version or unsaved source for a learner (or a sample context), with warnings",
    handler: async ({ body }) => previewTemplate(ctx, body),
  });
  route(router, ctx, {
    method: "get", path: "/v1/templates/:key", tag: "Templates", access: read, query: versionQuery, summary: "A template's latest (or ?version=N) version",
    handler: async ({ params, query }) => getTemplate(ctx.prisma, params.key, query.version),
  });
  route(router, ctx, {
    method: "get", path: "/v1/templates/:key/versions", tag: "Templates", access: read, summary: "Version history with author and time",
    handler: async ({ params }) => ({ versions: await listTemplateVersions(ctx.prisma, params.key) }),
  });
  route(router, ctx, {
    method: "put", path: "/v1/templates/:key", tag: "Templates", access: write, summary: "Add a new immutable version (publish: true to publish it)",
    handler: async ({ params, req, principal }) => updateTemplate(ctx.prisma, params.key, req.body, principalName(principal), ctx.clock.now()),
  });
  route(router, ctx, {
    method: "post", path: "/v1/templates/:key/publish", tag: "Templates", access: write, body: publishBody, summary: "Publish a version (default: latest)",
    handler: async ({ params, body, principal }) => publishTemplate(ctx.prisma, params.key, body.version, principalName(principal), ctx.clock.now()),
  });
  route(router, ctx, {
    method: "post", path: "/v1/templates/:key/variants/:variant/pause", tag: "Templates", access: write, body: pauseBody,
    summary: "Pause a variant by hand (its rules send the other variants); audit-logged",
    handler: async ({ params, body, principal }) => {
      const template = await getTemplate(ctx.prisma, params.key);
      if (!template.variants.some((v) => v.key === params.variant)) throw new NotFoundError(`Template ${params.key} has no variant ${params.variant}`);
      await pauseVariant(ctx.database.pool, params.key, params.variant, "manual", body.note ? { note: body.note } : {}, principalName(principal), ctx.clock.now());
      return getTemplate(ctx.prisma, params.key);
    },
  });
  route(router, ctx, {
    method: "delete", path: "/v1/templates/:key/variants/:variant/pause", tag: "Templates", access: write,
    summary: "Resume a paused variant; auto-pause then counts only votes cast after this", 
    handler: async ({ params, principal }) => {
      await unpauseVariant(ctx.database.pool, params.key, params.variant, principalName(principal), ctx.clock.now());
      return getTemplate(ctx.prisma, params.key);
    },
  });
}
