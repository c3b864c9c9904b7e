/**
 * The boundary check for text PostgreSQL cannot store (NUL, lone surrogates): path parameters, the query
 * string and the JSON body of every route, before anything of the request is used. One bad string gives 400
 * with the path of each bad field, e.g. `events[3].properties.note`, `query.courseId`, `params.learnerId`.
 */
import type { Request } from "express";
import { ValidationError, type FieldError } from "../../lib/errors";
import { findUnsafeText, MAX_LISTED_UNSAFE } from "../../lib/unsafe-text";
import { bodyMayHoldUnsafeText } from "./json-body";

/**
 * Routes whose bodies are checked item by item by their own handler (with findUnsafeText on each call or
 * statement), because their contract drops one bad item and keeps the others instead of refusing the batch.
 * Their path parameters and query strings are still checked here.
 */
export const SELF_CHECKED_BODY_PREFIXES: ReadonlySet<string> = new Set(["/v1/batch", "/v1/track", "/v1/identify", "/v1/page", "/v1/screen", "/v1/group", "/v1/alias", "/xapi", "/caliper"]);

/** True when `path` is one of SELF_CHECKED_BODY_PREFIXES or below one. */
export function checksItsOwnBody(path: string): boolean {
  const lower = path.toLowerCase(); // Express matches routes case-insensitively
  for (const prefix of SELF_CHECKED_BODY_PREFIXES) if (lower === prefix || lower.startsWith(`${prefix}/`)) return true;
  return false;
}

/** Throws ValidationError (400) listing every unstorable string of the request; returns when there is none. */
export function rejectUnsafeInput(req: Request): void {
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(req.params ?? {})) errors.push(...findUnsafeText(value, `params.${name}`));
  if (req.query && Object.keys(req.query).length > 0) errors.push(...findUnsafeText(req.query, "query"));
  if (req.body !== undefined && !checksItsOwnBody(req.path) && bodyMayHoldUnsafeText(req)) errors.push(...findUnsafeText(req.body));
  if (errors.length === 0) return;
  throw new ValidationError("Strings may not contain NUL (\\u0000) or lone UTF-16 surrogates; nothing was stored", errors.slice(0, MAX_LISTED_UNSAFE));
}
