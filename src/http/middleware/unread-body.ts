/**
 * A request body the JSON parsers did not read, because its Content-Type is one they do not take (form-encoded,
 * multipart, XML) or is missing, is refused with 415 instead of reaching the route as no body at all. Read as
 * empty, `PUT /v1/policy` with a policy sent as a form would answer 200 having reset every setting to its
 * default; and the route would run even when the connection's bytes turned out not to be HTTP (the fuzz suite
 * found a policy stored for a request Node had already answered 400). Like every body error, the 415 waits
 * until access is decided (see deferred-body-error.ts).
 */
import type { NextFunction, Request, Response } from "express";
import { UnsupportedMediaTypeError } from "../../lib/errors";
import { checksItsOwnBody } from "./unsafe-input";

const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

/** Whether the request says it carries a non-empty body. */
function carriesBody(req: Request): boolean {
  if (req.headers["transfer-encoding"] !== undefined) return true;
  const length = Number(req.headers["content-length"]);
  return Number.isFinite(length) && length > 0;
}

/** Middleware, mounted after the JSON parsers: sets aside a 415 for a body they left unread. */
export function refuseUnreadBody(req: Request, res: Response, next: NextFunction): void {
  if (req.body === undefined && WITH_BODY.has(req.method) && carriesBody(req) && !checksItsOwnBody(req.path) && res.locals.deferredBodyError === undefined) {
    const type = req.headers["content-type"];
    res.locals.deferredBodyError = new UnsupportedMediaTypeError(
      type ? `The body's Content-Type (${type.slice(0, 100)}) is not one this endpoint reads: send application/json` : "The body has no Content-Type: send application/json",
    );
  }
  next();
}
