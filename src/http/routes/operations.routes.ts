/** /healthz, /readyz, /metrics, /openapi.json: for operators and load balancers. */
import type { Router } from "express";
import { withTimeout } from "../../queue/connection";
import { buildOpenApiDocument } from "../openapi";
import type { AppContext } from "../app-context";

/** Adds the operational endpoints (all public). */
export function operationsRoutes(router: Router, ctx: AppContext): void {
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  router.get("/readyz", async (_req, res) => {
    const [database, redis] = await Promise.all([
      withTimeout(ctx.database.pool.query("SELECT 1"), 2_000, "database ping").then(() => "ok", (e: Error) => e.message),
      withTimeout(ctx.queues.connection.ping(), 2_000, "redis ping").then(() => "ok", (e: Error) => e.message),
    ]);
    const ready = database === "ok" && redis === "ok";
    if (!ready) res.setHeader("Retry-After", "5");
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "unavailable", checks: { database, redis } });
  });

  router.get("/metrics", async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  router.get("/openapi.json", (_req, res) => {
    res.json(buildOpenApiDocument("1.0.0"));
  });
}
