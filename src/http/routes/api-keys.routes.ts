/** API keys (admin): create (secret shown once), list, revoke. */
import type { Router } from "express";
import { z } from "zod";
import { createApiKey, listApiKeys, revokeApiKey } from "../../auth/api-keys";
import { principalName, ROLES } from "../../auth/principal";
import { forgetCachedKeys } from "../middleware/authenticate";
import { route } from "../route";
import type { AppContext } from "../app-context";

const createKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES as [string, ...string[]]).transform((r) => r as (typeof ROLES)[number]),
});

/** Adds /v1/api-keys. */
export function apiKeyRoutes(router: Router, ctx: AppContext): void {
  const admin = { roles: ["admin"] as const };
  route(router, ctx, {
    method: "post",
    path: "/v1/api-keys",
    tag: "API keys",
    access: admin,
    status: 201,
    body: createKeyBody,
    summary: "Create an API key; the secret is in this response only",
    handler: async ({ body, principal }) => createApiKey(ctx.prisma, body, principalName(principal)),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/api-keys",
    tag: "API keys",
    access: admin,
    summary: "List active API keys (no secrets)",
    handler: async () => ({ apiKeys: await listApiKeys(ctx.prisma) }),
  });
  route(router, ctx, {
    method: "delete",
    path: "/v1/api-keys/:id",
    tag: "API keys",
    access: admin,
    status: 204,
    summary: "Revoke an API key",
    handler: async ({ params, principal, res }) => {
      await revokeApiKey(ctx.prisma, params.id, principalName(principal), ctx.clock.now());
      forgetCachedKeys(ctx);
      res.status(204).end();
      return undefined;
    },
  });
}
