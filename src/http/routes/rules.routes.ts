/** Rules (author writes; analyst reads). */
import type { Router } from "express";
import { principalName } from "../../auth/principal";
import { createRuleSchema, updateRuleSchema } from "../../content/rule.schema";
import { createRule, deleteRule, getRule, listRules, updateRule } from "../../content/rule-store";
import { route } from "../route";
import type { AppContext } from "../app-context";

/** Adds /v1/rules. */
export function ruleRoutes(router: Router, ctx: AppContext): void {
  const read = { roles: ["author", "analyst"] as const };
  const write = { roles: ["author"] as const };
  route(router, ctx, { method: "get", path: "/v1/rules", tag: "Rules", access: read, summary: "List rules", handler: async () => ({ rules: await listRules(ctx.prisma) }) });
  route(router, ctx, {
    method: "post", path: "/v1/rules", tag: "Rules", access: write, status: 201, body: createRuleSchema, summary: "Create a rule (event or inactivity trigger)",
    handler: async ({ body, principal }) => createRule(ctx.prisma, body, principalName(principal), ctx.clock.now()),
  });
  route(router, ctx, { method: "get", path: "/v1/rules/:key", tag: "Rules", access: read, summary: "One rule", handler: async ({ params }) => getRule(ctx.prisma, params.key) });
  route(router, ctx, {
    method: "put", path: "/v1/rules/:key", tag: "Rules", access: write, body: updateRuleSchema, summary: "Replace a rule (version + 1)",
    handler: async ({ params, body, principal }) => updateRule(ctx.prisma, params.key, body, principalName(principal), ctx.clock.now()),
  });
  route(router, ctx, {
    method: "delete", path: "/v1/rules/:key", tag: "Rules", access: write, status: 204, summary: "Delete a rule (kept for analytics)",
    handler: async ({ params, principal, res }) => {
      await deleteRule(ctx.prisma, params.key, principalName(principal), ctx.clock.now());
      res.status(204).end();
      return undefined;
    },
  });
}
