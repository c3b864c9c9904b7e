/** Request ids, request logging and the duration histogram. */
import type { NextFunction, Request, Response } from "express";
import { randomUUID } from "node:crypto";
import type { AppContext } from "../app-context";

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Gives each request an id (echoing a sane incoming `X-Request-Id`) and times it. */
export function requestContext(ctx: AppContext) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.header("x-request-id");
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.setHeader("X-Request-Id", id);
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const routePath = (req.route?.path as string | undefined) ?? "unmatched";
      ctx.metrics.httpDuration.observe({ method: req.method, route: routePath, status: String(res.statusCode) }, seconds);
      if (res.statusCode >= 500 || ctx.log.isLevelEnabled("debug")) {
        ctx.log[res.statusCode >= 500 ? "warn" : "debug"]({ requestId: id, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(seconds * 1000) }, "request");
      }
    });
    next();
  };
}
