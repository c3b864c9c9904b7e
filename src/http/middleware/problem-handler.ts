/** The Express error handler and 404 fallback: every failure leaves as application/problem+json. */
import type { NextFunction, Request, Response } from "express";
import { NotFoundError } from "../../lib/errors";
import { toProblem } from "../problem";
import type { AppContext } from "../app-context";

/** Sends the problem document for any error thrown by a route. */
export function problemHandler(ctx: AppContext) {
  return (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const { problem, internal } = toProblem(error);
    if (internal) ctx.log.error({ err: error, requestId: res.locals.requestId }, "unhandled error");
    if (problem.retryAfterSeconds) res.setHeader("Retry-After", String(problem.retryAfterSeconds));
    const { retryAfterSeconds: _omit, ...body } = problem;
    res
      .status(problem.status)
      .type("application/problem+json")
      .send(JSON.stringify({ ...body, instance: res.locals.requestId }));
  };
}

/** Unknown routes are a 404 problem, not Express's HTML page. */
export function notFoundHandler(req: Request, _res: Response, next: NextFunction): void {
  next(new NotFoundError(`No route for ${req.method} ${req.path}`));
}
