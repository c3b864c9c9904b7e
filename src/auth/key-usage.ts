/**
 * Records when an API key was last used (`api_keys.last_used_at`, shown in the key listing so operators can
 * retire unused keys). Off the request's path: at most one write per key per interval per process, never
 * awaited by the request, and a failed write is logged, not raised.
 */
import type { Db } from "../db/client";
import type { Logger } from "../lib/logger";
import { touchApiKey } from "./api-keys";

const DEFAULT_EVERY_MS = 60_000;

export class KeyUsageRecorder {
  private readonly lastWritten = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly everyMs = DEFAULT_EVERY_MS,
    private readonly monotonicMs: () => number = () => performance.now(),
  ) {}

  /** Notes a use of `keyId` at `now` (the engine clock's time); returns at once. */
  record(keyId: string, now: Date): void {
    const at = this.monotonicMs();
    const last = this.lastWritten.get(keyId);
    if (last !== undefined && at - last < this.everyMs) return;
    this.lastWritten.set(keyId, at);
    touchApiKey(this.db, keyId, now, this.everyMs).catch((err: unknown) => {
      this.lastWritten.delete(keyId); // try again on the next use rather than a minute later
      this.log.warn({ err, keyId }, "could not record the API key's last use");
    });
  }
}
