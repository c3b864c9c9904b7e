/**
 * CORS for the learner-facing endpoints only (inbox, stream, feedback, preferences, goals), from the origins in
 * COACH_CORS_ORIGINS. Everything else (server-key endpoints) never answers a browser's cross-origin request:
 * no Access-Control-* headers, and a preflight gets 403. Tokens travel in the Authorization header (or the
 * stream's access_token), never in cookies, so credentials are not allowed.
 */
import type { NextFunction, Request, Response } from "express";
import { ForbiddenError } from "../../lib/errors";
import { toProblem } from "../problem";

function sendProblem(res: Response, error: ForbiddenError): void {
  const { problem } = toProblem(error);
  res
    .status(problem.status)
    .type("application/problem+json")
    .send(JSON.stringify({ ...problem, instance: res.locals.requestId }));
}

/** The learner-facing routes, as path patterns. */
const LEARNER_FACING = [/^\/v1\/learners\/[^/]+\/(messages|stream|preferences|goals)\/?$/, /^\/v1\/messages\/[^/]+\/feedback\/?$/];

/** True when the path is one a browser-side course player may call. */
export function isLearnerFacing(path: string): boolean {
  return LEARNER_FACING.some((pattern) => pattern.test(path));
}

/** Answers preflights and marks allowed cross-origin responses; `origins` is the allow-list (exact origins). */
export function learnerCors(origins: readonly string[]) {
  const allowed = new Set(origins.map((o) => o.replace(/\/+$/, "").toLowerCase()));
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    if (!origin) return next();
    res.vary("Origin");
    const permitted = allowed.has(origin.toLowerCase()) && isLearnerFacing(req.path);
    if (req.method === "OPTIONS" && req.headers["access-control-request-method"]) {
      // Answered here, not passed on: a preflight is no request for the router (and no body error to defer).
      if (!permitted) return sendProblem(res, new ForbiddenError(`Cross-origin requests from ${origin} are not allowed here (COACH_CORS_ORIGINS, learner-facing endpoints only)`));
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT");
      res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID");
      res.setHeader("Access-Control-Max-Age", "600");
      res.status(204).end();
      return;
    }
    if (permitted) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Access-Control-Expose-Headers", "Retry-After, X-Request-Id");
      res.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
      res.locals.crossOrigin = true;
    }
    next();
  };
}
