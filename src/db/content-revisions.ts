/**
 * The database's revisions of each kind of cached content (migration 20261202040000_content_revisions):
 * triggers bump a kind's revision in the same transaction as any write to its tables, so a process learns
 * that content changed by reading a number the database assigned — never by comparing timestamps that
 * another process's clock wrote. One query reads every kind, at most once per POLL_MS per process while
 * caches are being used; a process that reads nothing polls nothing.
 */
import { performance } from "node:perf_hooks";
import type { Pool } from "pg";

export type ContentKind = "rules" | "templates" | "segments" | "policy" | "mappings";

/**
 * How stale a process may see content changed by another process: a change is visible within this (plus a
 * query) on every process. The promise is 1 s; 250 ms costs four tiny primary-key reads a second.
 */
export const POLL_MS = 250;

/** A kind with no row yet (nothing was ever written, or the table was emptied without a trigger). */
const NONE = "none";

export class ContentRevisions {
  private snapshot: { at: number; revisions: Map<string, string> } | null = null;
  private inflight: Promise<Map<string, string>> | null = null;
  private generation = 0;

  /** `now` is a monotonic timer that only paces the polls; it is never compared with the database or another process. */
  constructor(
    private readonly pool: Pool,
    private readonly pollMs = POLL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * The revision of `kind` as of a read that started at most `pollMs` ago. Callers must read it BEFORE
   * loading the content they cache under it: content loaded afterwards is then at least that new, so a
   * write that lands in between only causes one extra reload, never a stale entry.
   */
  async revisionOf(kind: ContentKind): Promise<string> {
    const snapshot = this.snapshot;
    if (snapshot && this.now() - snapshot.at < this.pollMs) return snapshot.revisions.get(kind) ?? NONE;
    return (await this.poll()).get(kind) ?? NONE;
  }

  /**
   * Forgets the last reading, after a write through this process: the next reader sees the revision the
   * write committed, so this process applies its own changes at once rather than within POLL_MS.
   */
  invalidate(): void {
    this.generation++;
    this.snapshot = null;
    this.inflight = null;
  }

  /** One query shared by every concurrent caller; a reading begun before invalidate() is not kept. */
  private poll(): Promise<Map<string, string>> {
    if (this.inflight) return this.inflight;
    const generation = this.generation;
    const startedAt = this.now();
    const reading: Promise<Map<string, string>> = this.pool
      .query<{ kind: string; revision: string }>(`SELECT kind, revision::text AS revision FROM content_revisions`)
      .then(({ rows }) => {
        const revisions = new Map(rows.map((r) => [r.kind, r.revision]));
        if (generation === this.generation) this.snapshot = { at: startedAt, revisions };
        return revisions;
      })
      .finally(() => {
        if (this.inflight === reading) this.inflight = null;
      });
    this.inflight = reading;
    return reading;
  }
}
