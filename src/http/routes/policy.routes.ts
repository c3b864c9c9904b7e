/** GET/PUT /v1/policy: the throttling policy (author). */
import type { Router } from "express";
import { principalName } from "../../auth/principal";
import { loadPolicy, savePolicy } from "../../policy/policy-store";
import { policySchema } from "../../throttle/policy";
import { route } from "../route";
import type { AppContext } from "../app-context";

/** Adds /v1/policy. */
export function policyRoutes(router: Router, ctx: AppContext): void {
  route(router, ctx, {
    method: "get",
    path: "/v1/policy",
    tag: "Policy",
    access: { roles: ["author", "analyst"] },
    summary: "The throttling policy in force (defaults filled in)",
    handler: async () => loadPolicy(ctx),
  });
  route(router, ctx, {
    method: "put",
    path: "/v1/policy",
    tag: "Policy",
    access: { roles: ["author"] },
    body: policySchema,
    summary: "Replace the throttling policy; fields left out take their documented defaults",
    handler: async ({ body, principal }) => savePolicy(ctx, body, principalName(principal), ctx.clock.now()),
  });
}
