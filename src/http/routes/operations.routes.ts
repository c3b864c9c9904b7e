/** /healthz, /readyz, /metrics, /openapi.json: for operators and load balancers. */
import type { Router } from "express";
import { withTimeout } from "../../queue/connection";
import { buildOpenApiDocument } from "../openapi";
import { problem } from "../problem";
import type { AppContext } from "../app-context";

/** How long each dependency has to answer a real command: the whole answer comes within about this, never a hang. */
const READY_TIMEOUT_MS = 1_500;

/**
 * Each dependency's state in plain words ("ok", "unreachable", "not answering within 1500 ms"), never a client
 * library's raw text. Redis must answer a queue command, not just hold an open socket: a frozen Redis (SIGSTOP,
 * a stuck primary) keeps its connections open while answering nothing.
 */
async function readinessChecks(ctx: AppContext): Promise<Record<string, string>> {
  const [database, redis] = await Promise.all([
    withTimeout(ctx.database.pool.query("SELECT 1"), READY_TIMEOUT_MS, "database check").then(
      () => "ok",
      (e: Error) => (/timed out/.test(e.message) ? `not answering within ${READY_TIMEOUT_MS} ms` : "unreachable"),
    ),
    ctx.queues.check(READY_TIMEOUT_MS),
  ]);
  const conflict = ctx.queues.keeper.conflict;
  return { database, redis, ...(conflict ? { queuePrefix: `in use by the engine of database "${conflict.owner.database}" (set COACH_QUEUE_PREFIX)` } : {}) };
}

/** Adds the operational endpoints (all public). /readyz answers 200 when ready, else 503 problem+json with each check. */
export function operationsRoutes(router: Router, ctx: AppContext): void {
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  router.get("/readyz", async (_req, res) => {
    const checks = await readinessChecks(ctx);
    const failing = Object.entries(checks).filter(([, state]) => state !== "ok");
    if (failing.length === 0) {
      res.json({ status: "ready", checks });
      return;
    }
    res.setHeader("Retry-After", "5");
    const detail = `Not ready: ${failing.map(([name, state]) => `${name} ${state}`).join("; ")}`;
    res
      .status(503)
      .type("application/problem+json")
      .send(JSON.stringify({ ...problem(503, "not-ready", detail), checks }));
  });

  router.get("/metrics", async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  router.get("/openapi.json", (_req, res) => {
    res.json(buildOpenApiDocument("1.0.0"));
  });
}
