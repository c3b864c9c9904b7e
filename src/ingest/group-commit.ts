/**
 * Group commit for ingest: requests that arrive while transactions are in flight are stored together in the
 * next one. No timer and no added latency when idle — the first request commits at once — but under load
 * one commit (one WAL flush) serves many requests. Each request still gets its own answer, as soon as the
 * commit that stored its events is done; the group's new events then go to matching in one queue call (per
 * group, not per request; the outbox sweeper covers a failed call). An event id repeated across requests is
 * accepted once.
 *
 * One request cannot fail the others: when the group's statement fails for a reason that may lie in one
 * request's data (PostgreSQL refusing a value, or our code throwing before the statement), the group is halved
 * and each half committed on its own, down to the culprit, which alone gets the error — 400 when the database
 * refused its data, 500 otherwise. One bad request among n costs about 2·log2(n) statements. An outage fails
 * everyone (503): halving would not help and would only hammer a database that is down.
 *
 * An exclusive request (an xAPI batch: stored whole or not at all, never partly a duplicate) whose id is taken —
 * stored before, by a request earlier in the group, or by a transaction committing meanwhile — is set apart:
 * its caller gets IdTakenError (and decides: duplicate or conflict) and the rest of the group is committed
 * without it. The statement names the taken id (23505), so this costs one more statement, not a halving.
 */
import type { Pool } from "pg";
import type { NormalizedEvent } from "./parse-events";
import { recordEvents, type RecordResult } from "./record-events";
import { publishStoredEvents } from "./outbox";
import type { EngineContext } from "../context";
import { Batcher, ItemFailure } from "../lib/batcher";
import { ValidationError } from "../lib/errors";
import { isDatabaseDown } from "../db/database-down";

const MAX_GROUP_EVENTS = 2_000;
/**
 * Groups committing at once. Two keep PostgreSQL busy while Node answers the previous group's requests and
 * gathers the next; concurrent groups cannot deadlock, as recordEvents takes row locks in id order.
 */
const MAX_IN_FLIGHT = 2;

interface Request {
  events: NormalizedEvent[];
  receivedAt: Date;
  exclusive: boolean;
}

/** An exclusive request's answer when one of its ids is taken: nothing of it was stored. */
export class IdTakenError extends Error {
  constructor(readonly id: string) {
    super(`the id ${id} is taken; nothing of the request was stored`);
    this.name = "IdTakenError";
  }
}

export class GroupCommitter {
  private readonly batcher: Batcher<Request, RecordResult>;

  /** Whether recordEvents names its statement: until the connections show they cannot keep one (see recordGroup). */
  private prepared: boolean;

  /**
   * `publish` hands a committed group's new event ids to matching; it must not throw (the outbox sweeper is the
   * fallback). `preparedStatements`: whether the pool may hold named statements (Database.preparedStatements);
   * `onUnnamed` is told, once, when the connections lose them and ingest goes on without.
   */
  constructor(
    private readonly pool: Pool,
    publish: (eventIds: string[]) => Promise<void>,
    private readonly options: { preparedStatements?: boolean; onUnnamed?: (error: unknown) => void } = {},
  ) {
    this.prepared = options.preparedStatements ?? true;
    this.batcher = new Batcher((group) => this.commit(group), {
      maxInFlight: MAX_IN_FLIGHT,
      maxBatch: MAX_GROUP_EVENTS,
      weight: (request) => request.events.length,
      // Answered once durable; the hand-off to matching follows (the outbox sweeper covers its failure).
      afterBatch: (_, answers) => publish(answers.flatMap((a) => a.acceptedIds)),
    });
  }

  /**
   * Stores the events (with whatever else is waiting) and answers for this request alone. `exclusive`: all of
   * them or none (IdTakenError when an id is taken); every event of an exclusive request must have a source.
   */
  record(events: NormalizedEvent[], receivedAt: Date, options: { exclusive?: boolean } = {}): Promise<RecordResult> {
    return this.batcher.submit({ events, receivedAt, exclusive: options.exclusive === true });
  }

  private async commit(group: Request[]): Promise<Array<RecordResult | ItemFailure>> {
    // One receivedAt per group: the latest, so no event's skew correction moves it past its own arrival.
    const receivedAt = new Date(Math.max(...group.map((r) => r.receivedAt.getTime())));
    return this.commitIsolating(group, receivedAt);
  }

  /** The group in one statement; if that fails in a way one request could cause, each half on its own. Throws only for the whole group. */
  private async commitIsolating(group: Request[], receivedAt: Date): Promise<Array<RecordResult | ItemFailure>> {
    try {
      return await this.commitTogether(group, receivedAt);
    } catch (error) {
      const taken = takenId(error);
      // The id named (or, should the server word its detail otherwise, the one request left after halving).
      const culprit = taken === null ? -1 : group.length === 1 && taken === "" ? (group[0].exclusive ? 0 : -1) : group.findIndex((r) => r.exclusive && r.events.some((e) => e.id === taken));
      if (culprit !== -1) {
        const others = [...group.slice(0, culprit), ...group.slice(culprit + 1)];
        const rest = others.length > 0 ? await this.commitIsolating(others, receivedAt) : [];
        return [...rest.slice(0, culprit), new ItemFailure(new IdTakenError(taken!)), ...rest.slice(culprit)];
      }
      if (!mayBeOneRequestsFault(error)) throw error;
      if (group.length === 1) return [new ItemFailure(asRequestError(error))];
      const middle = Math.ceil(group.length / 2);
      const answers: Array<RecordResult | ItemFailure> = [];
      for (const half of [group.slice(0, middle), group.slice(middle)]) {
        try {
          answers.push(...(await this.commitIsolating(half, receivedAt)));
        } catch (halfError) {
          // e.g. the database went down between halves: this half fails, the half already committed stays answered.
          answers.push(...half.map(() => new ItemFailure(halfError)));
        }
      }
      return answers;
    }
  }

  private async commitTogether(group: Request[], receivedAt: Date): Promise<Array<RecordResult | ItemFailure>> {
    // An exclusive request repeating an id of a request before it in the group would be partly a duplicate: set apart.
    const answers: Array<RecordResult | ItemFailure | null> = group.map(() => null);
    let included = group;
    let exclusiveIds: Set<string> | undefined;
    if (group.some((r) => r.exclusive)) {
      const claimed = new Set<string>();
      exclusiveIds = new Set();
      included = [];
      group.forEach((r, i) => {
        const repeated = r.exclusive ? r.events.find((e) => claimed.has(e.id)) : undefined;
        if (repeated) {
          answers[i] = new ItemFailure(new IdTakenError(repeated.id));
          return;
        }
        included.push(r);
        for (const e of r.events) {
          claimed.add(e.id);
          if (r.exclusive) exclusiveIds!.add(e.id);
        }
      });
    }
    const { acceptedIds } =
      included.length > 0
        ? await this.recordGroup(
            included.flatMap((r) => r.events),
            receivedAt,
            exclusiveIds,
          )
        : { acceptedIds: [] };
    const unclaimed = new Set(acceptedIds);
    return group.map((r, i) => {
      if (answers[i]) return answers[i];
      const mine = r.events.filter((e) => unclaimed.delete(e.id)).map((e) => e.id);
      return { acceptedIds: mine, duplicates: r.events.length - mine.length };
    });
  }

  /**
   * recordEvents, named while the connections keep named statements. A pooler in transaction mode that keeps
   * none (COACH_DB_PREPARED_STATEMENTS should then be off) shows it as a statement name unknown to the server
   * connection a call lands on (26000) or already taken there by another client (42P05): both refused before
   * anything runs, so the group is sent again unnamed, and every group after it.
   */
  private async recordGroup(events: NormalizedEvent[], receivedAt: Date, exclusive: Set<string> | undefined): Promise<RecordResult> {
    const prepared = this.prepared;
    try {
      return await recordEvents(this.pool, events, receivedAt, { exclusive, prepared });
    } catch (error) {
      if (!prepared || !LOST_PREPARED_STATEMENT.has(sqlState(error) ?? "")) throw error;
      // Two groups in flight may both meet it: said once.
      if (this.prepared) this.options.onUnnamed?.(error);
      this.prepared = false;
      return recordEvents(this.pool, events, receivedAt, { exclusive, prepared: false });
    }
  }
}

/** invalid_sql_statement_name (the name unknown on this connection), duplicate_prepared_statement (taken on it). */
const LOST_PREPARED_STATEMENT = new Set(["26000", "42P05"]);

const committers = new WeakMap<Pool, GroupCommitter>();

/** The process's committer for the engine's pool, publishing to its queues. */
export function groupCommitterFor(ctx: Pick<EngineContext, "database" | "queues" | "log" | "metrics">): GroupCommitter {
  let committer = committers.get(ctx.database.pool);
  if (!committer)
    committers.set(
      ctx.database.pool,
      (committer = new GroupCommitter(ctx.database.pool, (ids) => publishStoredEvents(ctx, ids), {
        preparedStatements: ctx.database.preparedStatements,
        onUnnamed: (error) =>
          ctx.log.warn(
            { err: error },
            "a database connection lost ingest's prepared statement (a pooler in transaction mode?): ingest goes on with unnamed statements; set COACH_DB_PREPARED_STATEMENTS=off",
          ),
      })),
    );
  return committer;
}

/**
 * SQLSTATE classes that name the data, not the server: 22 data exception (NUL in text, a date out of range,
 * a number too large), 23 integrity constraint (a check on a value), 54 program limit (a value too large to index).
 */
const DATA_CLASSES = new Set(["22", "23", "54"]);

function sqlState(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/**
 * The id a statement found taken (23505 on the primary key of events or event_sources; only exclusive events
 * can raise it), from the error's detail; "" when the detail does not say it in PostgreSQL's English; null for
 * any other error.
 */
function takenId(error: unknown): string | null {
  if (sqlState(error) !== "23505") return null;
  const { constraint, detail } = error as { constraint?: unknown; detail?: unknown };
  if (constraint !== "events_pkey" && constraint !== "event_sources_pkey") return null;
  const match = typeof detail === "string" ? /^Key \(id\)=\((.*)\) already exists\.$/s.exec(detail) : null;
  return match ? match[1] : "";
}

/** A refused value (its SQLSTATE class), or an error our code threw before any statement; not an outage, not the server's state. */
function mayBeOneRequestsFault(error: unknown): boolean {
  if (isDatabaseDown(error)) return false;
  const state = sqlState(error);
  return state === null || DATA_CLASSES.has(state.slice(0, 2));
}

/** The culprit's answer: 400 when PostgreSQL refused its data (without quoting the database), else the error itself (500). */
function asRequestError(error: unknown): unknown {
  const state = sqlState(error);
  if (state === null || state === "23502") return error; // a thrown bug, or a NOT NULL we failed to fill: ours
  return new ValidationError(`The database cannot store a value of this request (SQLSTATE ${state}); nothing of it was stored`);
}
