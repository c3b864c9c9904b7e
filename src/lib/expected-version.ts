/**
 * Optimistic concurrency for staff-edited content: an update may name the version it was based on, by the
 * `If-Match` header or by sending back the `version` GET returned (a GET-edit-PUT round trip), and then fails
 * with 409 instead of overwriting a change made since. Without either, the last write wins, as before.
 */
import { ValidationError } from "./errors";

/** The version an update expects, or undefined for an unconditional update; 400 when the two sources disagree. */
export function expectedVersion(ifMatch: number | undefined, bodyVersion: number | undefined, field = "version"): number | undefined {
  if (ifMatch !== undefined && bodyVersion !== undefined && ifMatch !== bodyVersion) {
    throw new ValidationError(`If-Match says version ${ifMatch} but the body says ${bodyVersion}`, [{ path: field, message: `must equal If-Match (${ifMatch}) or be left out` }]);
  }
  return ifMatch ?? bodyVersion;
}

/** 400 unless a read-only `key` sent back in a body is the key of the path. */
export function assertSameKey(pathKey: string, bodyKey: unknown): void {
  if (bodyKey !== undefined && bodyKey !== pathKey) throw new ValidationError("The key cannot change", [{ path: "key", message: `must be ${pathKey} or left out` }]);
}
