/**
 * Sends fuzz cases to a listening engine over raw sockets and judges each answer: the contract's oracle
 * (fuzz-oracle.ts) plus storage (a refused request changed no table; an accepted batch of events stored
 * exactly what it said). Keeps the tallies the suite prints.
 */
import type { Pool } from "pg";
import { rawExchange, type RawAnswer, type RawRequestSpec } from "./raw-exchange";
import { bodyBytes, expandText, type Credential, type FuzzCase } from "./fuzz-inputs";
import { answerJson, judge, liesAboutFraming } from "./fuzz-oracle";
import type { FuzzOperation } from "./fuzz-targets";
import type { SeedState } from "./fuzz-seeds";
import { changedTables, rowCount, watchStorage, type StorageWatch } from "./storage-fingerprint";

/** How long to wait for an answer to a request that lied about its length (the server rightly waits for the rest). */
export const LIAR_PATIENCE_MS = 300;

export interface FuzzTally {
  cases: number;
  fiveXX: number;
  byStatus: Map<number, number>;
  /** `method path` → cases sent. */
  byOperation: Map<string, number>;
  /** `method path credential` pairs sent. */
  pairs: Set<string>;
}

export interface FuzzRunnerOptions {
  port: number;
  pool: Pool;
  /** The Authorization secret of each credential (none: absent). */
  secrets: Secrets;
  state: SeedState;
  operations: FuzzOperation[];
  timeoutMs?: number;
}

export type Secrets = Record<Exclude<Credential, "none">, string>;

/** The bytes of a case as a request: its credential as Bearer or Basic (sent twice when the case says), its headers. */
export function requestOf(c: FuzzCase, secrets: Secrets, body = bodyBytes(c)): RawRequestSpec {
  const headers: Array<[string, string]> = [];
  if (c.credential !== "none") {
    const secret = secrets[c.credential];
    headers.push(["Authorization", c.auth === "basic" && c.credential !== "learner" ? `Basic ${Buffer.from(`${secret}:`).toString("base64")}` : `Bearer ${secret}`]);
    if (c.auth === "bearer-twice") headers.push(["Authorization", "Bearer coach_fuzz-second-header"]);
  }
  if (c.contentType !== null) headers.push(["Content-Type", c.contentType]);
  if (c.contentEncoding !== null) headers.push(["Content-Encoding", c.contentEncoding]);
  for (const [name, value] of c.headers) headers.push([name, expandText(value)]);
  return { method: c.method, target: expandText(c.target), headers, body };
}

export class FuzzRunner {
  readonly tally: FuzzTally = { cases: 0, fiveXX: 0, byStatus: new Map(), byOperation: new Map(), pairs: new Set() };
  private watch: StorageWatch | null = null;
  private last: Map<string, string> | null = null;
  private readonly ops: Map<string, FuzzOperation>;

  constructor(private readonly options: FuzzRunnerOptions) {
    this.ops = new Map(options.operations.map((op) => [`${op.method} ${op.path}`, op]));
  }

  /** Forgets the last fingerprint (after the suite changed data itself, e.g. re-created fixtures). */
  async resync(): Promise<void> {
    this.watch ??= await watchStorage(this.options.pool);
    this.last = await this.watch.read();
  }

  /** Sends one case; throws with every violation (fast-check then shrinks the case). */
  async run(c: FuzzCase): Promise<RawAnswer> {
    if (!this.last) await this.resync();
    const op = this.ops.get(c.operation)!;
    const body = bodyBytes(c);
    const answer = await rawExchange(this.options.port, requestOf(c, this.options.secrets, body), liesAboutFraming(c, body?.length ?? 0) ? LIAR_PATIENCE_MS : this.options.timeoutMs);
    const before = this.last!;
    // Given up on (a liar's request): its framing may still turn out complete (chunked "0" is an empty body), so
    // the server may act on it after we stopped waiting. Its effects are waited out, not judged, and not blamed on
    // the next case.
    const unanswered = answer.timedOut || answer.status === 0;
    const after = unanswered ? await this.settled() : await this.watch!.read();
    this.last = after;
    this.count(c, answer);
    const violations = judge(op, c, answer, body?.length ?? 0, this.options.state);
    if (answer.status >= 400 && !unanswered) {
      const changed = changedTables(before, after);
      if (changed.length) violations.push(`a refused request (${answer.status}) changed ${changed.join("; ")}`);
    }
    if (c.operation === "post /v1/events" && answer.status === 202) {
      const accepted = (answerJson(answer) as { accepted?: number } | undefined)?.accepted;
      const stored = rowCount(after, "events") - rowCount(before, "events");
      if (stored !== accepted) violations.push(`answered accepted: ${accepted} but stored ${stored} events`);
    }
    if (violations.length) {
      throw new Error(`${c.method} ${c.target.slice(0, 200)} as ${c.credential}: ${violations.join("; ")}\n  answer ${answer.status}: ${answer.body.toString("utf8").slice(0, 400)}`);
    }
    return answer;
  }

  /** The fingerprint once it has stopped changing (two reads 200 ms apart agree; at most 5 s). */
  private async settled(): Promise<Map<string, string>> {
    let last = await this.watch!.read();
    for (let i = 0; i < 25; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const next = await this.watch!.read();
      if (changedTables(last, next).length === 0) return next;
      last = next;
    }
    return last;
  }

  private count(c: FuzzCase, answer: RawAnswer): void {
    const t = this.tally;
    t.cases++;
    if (answer.status >= 500) t.fiveXX++;
    t.byStatus.set(answer.status, (t.byStatus.get(answer.status) ?? 0) + 1);
    t.byOperation.set(c.operation, (t.byOperation.get(c.operation) ?? 0) + 1);
    t.pairs.add(`${c.operation} ${c.credential}`);
  }
}
