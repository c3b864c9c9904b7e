/**
 * HTTP's optimistic concurrency headers for versioned content (rules, segments, templates): GET answers
 * `ETag: "<version>"`, and a write may send `If-Match: "<version>"` to apply only if nothing changed since.
 */
import type { Request, Response } from "express";
import { ValidationError } from "../lib/errors";

const VERSION_TAG = /^(?:(?:W\/)?"(\d{1,9})"|(\d{1,9}))$/;

/**
 * The version named by If-Match: `"3"` (the ETag as sent) or a bare `3`; `W/"3"` too, since a compressing
 * proxy (nginx with gzip) weakens the ETags it passes on, and the number still names one version exactly.
 * Absent or `*` (any current version) is no version precondition; a foreign tag or a list is 400 rather than
 * ignored.
 */
export function readIfMatch(req: Request): number | undefined {
  const header = req.get("if-match");
  if (header === undefined || header.trim() === "" || header.trim() === "*") return undefined;
  const match = VERSION_TAG.exec(header.trim());
  if (!match)
    throw new ValidationError(`If-Match must be one version as ETag gave it, e.g. "3" (got ${JSON.stringify(header.slice(0, 64))})`, [
      { path: "If-Match", message: "must be a quoted version number" },
    ]);
  return Number(match[1] ?? match[2]);
}

/** Sets the ETag to a version number: a strong validator, since every change of the resource bumps it. */
export function setVersionTag(res: Response, version: number): void {
  res.setHeader("ETag", `"${version}"`);
}

/** `view`, after setting the ETag to `version` (for handlers that return what they answer). */
export function withVersionTag<T>(res: Response, view: T, version: number): T {
  setVersionTag(res, version);
  return view;
}
