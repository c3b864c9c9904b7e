/** Rules (author writes; analyst reads). GET gives an ETag (the version); writes honour If-Match. */
import type { Router } from "express";
import { principalName } from "../../auth/principal";
import { createRuleSchema, updateRuleSchema } from "../../content/rule.schema";
import { createRule, deleteRule, getRule, listRules, updateRule } from "../../content/rule-store";
import { expectedVersion } from "../../lib/expected-version";
import { testMatchRule } from "../../matching/test-match-rule";
import { z } from "zod";
import { readIfMatch, withVersionTag } from "../preconditions";
import { route } from "../route";
import type { AppContext } from "../app-context";

/** Adds /v1/rules. */
export function ruleRoutes(router: Router, ctx: AppContext): void {
  const read = { roles: ["author", "analyst"] as const };
  const write = { roles: ["author"] as const };
  const tagged = <T extends { version: number }>(res: Parameters<typeof withVersionTag>[0], view: T) => withVersionTag(res, view, view.version);
  route(router, ctx, { method: "get", path: "/v1/rules", tag: "Rules", access: read, summary: "List rules", handler: async () => ({ rules: await listRules(ctx.prisma) }) });
  route(router, ctx, {
    method: "post",
    path: "/v1/rules",
    tag: "Rules",
    versioned: true,
    access: write,
    status: 201,
    body: createRuleSchema,
    summary: "Create a rule (event or inactivity trigger); 409 when the key exists",
    handler: async ({ body, principal, res }) => tagged(res, await createRule(ctx, body, principalName(principal), ctx.clock.now())),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/rules/:key",
    tag: "Rules",
    versioned: true,
    access: read,
    summary: "One rule (ETag: its version)",
    handler: async ({ params, res }) => tagged(res, await getRule(ctx.prisma, params.key)),
  });
  route(router, ctx, {
    method: "put",
    path: "/v1/rules/:key",
    tag: "Rules",
    versioned: true,
    access: write,
    body: updateRuleSchema,
    summary: "Replace a rule (version + 1); accepts what GET returned; If-Match (or the body's version) makes it conditional: 409 with currentVersion when it moved",
    handler: async ({ params, body, principal, req, res }) =>
      tagged(res, await updateRule(ctx, params.key, body, principalName(principal), ctx.clock.now(), expectedVersion(readIfMatch(req), body.version))),
  });
  route(router, ctx, {
    method: "post",
    path: "/v1/rules/:key/test-match",
    tag: "Rules",
    access: read,
    body: z.strictObject({ eventId: z.string().min(1).max(128) }),
    operationId: "testMatchRule",
    summary: "Would this rule fire for a stored event, and what would the throttle say now? Trigger, each condition with the value it read, segment, and the judge's verdict; writes nothing",
    handler: async ({ params, body }) => testMatchRule(ctx, params.key, body.eventId),
  });
  route(router, ctx, {
    method: "delete",
    path: "/v1/rules/:key",
    tag: "Rules",
    versioned: true,
    access: write,
    status: 204,
    summary: "Delete a rule (kept for analytics); honours If-Match",
    handler: async ({ params, principal, req, res }) => {
      await deleteRule(ctx, params.key, principalName(principal), ctx.clock.now(), readIfMatch(req));
      res.status(204).end();
      return undefined;
    },
  });
}
