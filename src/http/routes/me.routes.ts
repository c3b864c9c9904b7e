/** GET /v1/me: who the presented key is, so a client (the studio) can show the role and hide what it may not do. */
import type { Router } from "express";
import { z } from "zod";
import { ForbiddenError } from "../../lib/errors";
import { route } from "../route";
import type { AppContext } from "../app-context";

const meSchema = z.object({ name: z.string(), role: z.enum(["ingest", "author", "analyst", "admin"]) });

/** Adds /v1/me. */
export function meRoutes(router: Router, ctx: AppContext): void {
  route(router, ctx, {
    method: "get",
    path: "/v1/me",
    tag: "API keys",
    access: { roles: ["ingest", "author", "analyst"] },
    operationId: "getMe",
    response: meSchema,
    summary: "The calling key's name and role (never its secret)",
    handler: async ({ principal }) => {
      // route() already refused learner tokens (this route names no learner); the check keeps the type honest.
      if (principal.kind !== "key") throw new ForbiddenError("A learner token has no role");
      return { name: principal.name, role: principal.role };
    },
  });
}
