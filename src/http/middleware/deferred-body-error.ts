/**
 * The contract decides access before the body is looked at: a wrong role is 403 and a missing key 401 even
 * when the body is malformed, too large or too deep. The body parsers run before any route, so their client
 * errors (4xx) are set aside here and raised by route() once authentication and authorization have passed.
 * A handler registered without route() must call throwDeferredBodyError itself before reading req.body.
 */
import type { NextFunction, Request, Response } from "express";

/** Error middleware, mounted right after the body parsers. */
export function deferBodyErrors(error: unknown, req: Request, res: Response, next: NextFunction): void {
  if (!isClientBodyError(error)) return next(error);
  res.locals.deferredBodyError = error;
  req.body = undefined;
  next();
}

/** Raises the body's error, if the parsers left one. */
export function throwDeferredBodyError(res: Response): void {
  const error: unknown = res.locals.deferredBodyError;
  if (error !== undefined) throw error;
}

function isClientBodyError(error: unknown): boolean {
  if (error === null || typeof error !== "object") return false;
  const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  return typeof status === "number" && status >= 400 && status < 500;
}
