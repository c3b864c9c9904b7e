/**
 * Ingest commits concurrent requests as one statement (group commit). One request's bad data must not fail
 * the others: on today's code before issue 12, a NUL in one client's event made 308 of 400 other batches 500.
 */
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Pool } from "pg";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvents } from "../factories/events";
import { GroupCommitter } from "../../src/ingest/group-commit";
import type { NormalizedEvent } from "../../src/ingest/parse-events";
import { ValidationError } from "../../src/lib/errors";
import { isDatabaseDown } from "../../src/db/database-down";
import { openDatabase } from "../../src/db/client";

function normalized(id: string, overrides: Partial<NormalizedEvent> = {}): NormalizedEvent {
  return { id, type: "module.started", learnerId: `L-${id}`, courseId: "iso-101", moduleId: null, occurredAt: new Date(), sentAt: null, properties: {}, learner: null, ...overrides };
}

/** The pool, counting the statements sent through it. */
function counting(pool: Pool): { pool: Pool; statements: () => number } {
  let n = 0;
  const proxy = new Proxy(pool, { get: (target, key) => (key === "query" ? (...args: unknown[]) => (n++, (target.query as (...a: unknown[]) => unknown)(...args)) : Reflect.get(target, key)) });
  return { pool: proxy, statements: () => n };
}

describe("group commit isolation", () => {
  let engine: TestEngine;
  const stored = async (ids: string[]) => (await engine.ctx.database.pool.query<{ id: string }>("SELECT id FROM events WHERE id = ANY($1)", [ids])).rows.map((r) => r.id).sort();

  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine.close());

  it("over HTTP: 400 concurrent valid batches from other clients and one with a NUL — every valid one 202 and stored, the bad one 400 and nothing of it stored", async () => {
    const server: Server = engine.app.listen(0);
    await once(server, "listening");
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/events`;
      const batches = Array.from({ length: 401 }, (_, i) => buildEvents(5, { courseId: `iso-http-${i}` }));
      const bad = 200;
      batches[bad][2].properties = { note: "before\u0000after" };
      const answers = await Promise.all(
        batches.map(async (events) => {
          const res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${engine.keys.ingest}`, "content-type": "application/json" }, body: JSON.stringify({ events }) });
          return { status: res.status, body: (await res.json()) as Record<string, unknown> };
        }),
      );
      expect(answers[bad]).toMatchObject({ status: 400, body: { errors: [{ path: "events[2].properties.note", message: expect.any(String) }] } });
      const others = answers.filter((_, i) => i !== bad);
      expect(others.filter((a) => a.status !== 202)).toEqual([]);
      expect(others.every((a) => a.body.accepted === 5)).toBe(true);
      const valid = batches
        .filter((_, i) => i !== bad)
        .flat()
        .map((e) => e.id);
      expect(await stored(valid)).toHaveLength(valid.length);
      expect(await stored(batches[bad].map((e) => e.id))).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("when the database refuses one request's data inside a group, that request alone gets 400 and every other request of the group commits", async () => {
    const committer = new GroupCommitter(engine.ctx.database.pool, async () => undefined);
    const requests = Array.from({ length: 60 }, (_, i) => [normalized(`iso-${i}-a`), normalized(`iso-${i}-b`)]);
    // Past the HTTP boundary on purpose: the database itself refuses these (NUL in jsonb, a year out of range).
    requests[17][1] = normalized("iso-17-b", { properties: { note: "x\u0000y" } });
    requests[41][0] = normalized("iso-41-a", { occurredAt: new Date("-010000-01-01T00:00:00Z") });
    const receivedAt = new Date();
    const results = await Promise.allSettled(requests.map((events) => committer.record(events, receivedAt)));
    const rejected = results.flatMap((r, i) => (r.status === "rejected" ? [i] : []));
    expect(rejected).toEqual([17, 41]);
    for (const i of rejected) {
      const reason = (results[i] as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(ValidationError);
      expect((reason as ValidationError).message).not.toMatch(/invalid|unsupported|out of range/i); // the database is not quoted
    }
    const good = requests
      .filter((_, i) => !rejected.includes(i))
      .flat()
      .map((e) => e.id);
    expect(await stored(good)).toEqual([...good].sort());
    expect(await stored([...requests[17], ...requests[41]].map((e) => e.id))).toEqual([]);
    expect(results.filter((r) => r.status === "fulfilled").every((r) => (r as PromiseFulfilledResult<{ acceptedIds: string[] }>).value.acceptedIds.length === 2)).toBe(true);
  });

  it("when our own code fails on one request (not its data), that request alone is rejected as ours (500), the others commit", async () => {
    const committer = new GroupCommitter(engine.ctx.database.pool, async () => undefined);
    const requests = Array.from({ length: 30 }, (_, i) => [normalized(`ours-${i}`)]);
    requests[12] = [normalized("ours-12", { properties: { big: BigInt(1) } })]; // JSON.stringify throws: a bug, not bad input
    const results = await Promise.allSettled(requests.map((events) => committer.record(events, new Date())));
    expect(results.flatMap((r, i) => (r.status === "rejected" ? [i] : []))).toEqual([12]);
    const reason = (results[12] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(TypeError);
    expect(reason).not.toBeInstanceOf(ValidationError);
    expect(await stored(requests.flat().map((e) => e.id))).toHaveLength(29);
  });

  it("an event id repeated across requests of a group is still accepted once when the group is split", async () => {
    const committer = new GroupCommitter(engine.ctx.database.pool, async () => undefined);
    const requests = Array.from({ length: 20 }, (_, i) => [normalized(`rep-${i}`)]);
    requests[3].push(normalized("rep-shared"));
    requests[15].push(normalized("rep-shared"));
    requests[9] = [normalized("rep-9", { properties: { bad: "\u0000" } })];
    const results = await Promise.allSettled(requests.map((events) => committer.record(events, new Date())));
    const value = (i: number) => (results[i] as PromiseFulfilledResult<{ acceptedIds: string[]; duplicates: number }>).value;
    expect(value(3).acceptedIds.includes("rep-shared") !== value(15).acceptedIds.includes("rep-shared")).toBe(true);
    expect(value(3).duplicates + value(15).duplicates).toBe(1);
  });

  it("an exclusive request whose id is taken (stored before, alone as an original, or earlier in its group) is set apart whole, at the cost of one statement; the rest of its group commits", async () => {
    const { pool, statements } = counting(engine.ctx.database.pool);
    const committer = new GroupCommitter(pool, async () => undefined);
    const sourced = (id: string): NormalizedEvent => normalized(id, { source: { format: "xapi", mappingKey: "m", kind: {}, body: { id } } });
    await committer.record([normalized("excl-native")], new Date());
    await engine.ctx.database.pool.query(`INSERT INTO event_sources (id, format, status, kind, received_at, body) VALUES ('excl-alone', 'xapi', 'unmapped', '{}', now(), '{}')`);
    const requests = Array.from({ length: 40 }, (_, i) => ({ events: [sourced(`excl-${i}-a`), sourced(`excl-${i}-b`)], exclusive: i % 2 === 0 }));
    requests[10].events[1] = sourced("excl-native"); // an event stored before (not exclusive itself)
    requests[20].events[0] = sourced("excl-alone"); // an original stored alone before
    requests[31].events.push(sourced("excl-shared")); // not exclusive: first in the group, stored
    requests[32].events.push(sourced("excl-shared")); // exclusive, later in the group: set apart
    requests[35].events.push(sourced("excl-native")); // not exclusive: a duplicate, as ever
    const before = statements();
    // Submitted together while the committer's two slots are busy, so the 40 commit as one group.
    const busy = [committer.record([normalized("excl-busy-1")], new Date()), committer.record([normalized("excl-busy-2")], new Date())];
    const results = await Promise.allSettled(requests.map((r) => committer.record(r.events, new Date(), { exclusive: r.exclusive })));
    await Promise.all(busy);
    expect(results.flatMap((r, i) => (r.status === "rejected" ? [i] : []))).toEqual([10, 20, 32]);
    for (const [i, id] of [
      [10, "excl-native"],
      [20, "excl-alone"],
      [32, "excl-shared"],
    ] as const) {
      expect((results[i] as PromiseRejectedResult).reason).toMatchObject({ name: "IdTakenError", id });
    }
    // Nothing of theirs but what others stored.
    expect(await stored(requests.flatMap((r, i) => ([10, 20, 32].includes(i) ? r.events.map((e) => e.id) : [])))).toEqual(["excl-native", "excl-shared"]);
    const good = [...new Set(requests.flatMap((r, i) => ([10, 20, 32].includes(i) ? [] : r.events.map((e) => e.id))))];
    expect(await stored(good)).toEqual([...good].sort());
    expect((results[35] as PromiseFulfilledResult<{ duplicates: number }>).value.duplicates).toBe(1);
    // The two busy requests, the group, and one statement more for each of the two taken ids the database found (a halving: ~20).
    expect(statements() - before).toBeLessThanOrEqual(5);
  });

  it("in a group of exclusive requests only (xAPI batches: their originals written without ON CONFLICT), one whose id was stored before (as an event, or alone as an original) is set apart; the others commit", async () => {
    const committer = new GroupCommitter(engine.ctx.database.pool, async () => undefined);
    const sourced = (id: string): NormalizedEvent => normalized(id, { source: { format: "xapi", mappingKey: "m", kind: { verb: "v" }, body: { id } } });
    await engine.ctx.database.pool.query(`INSERT INTO event_sources (id, format, status, kind, received_at, body) VALUES ('only-excl-alone', 'xapi', 'unmapped', '{}', now(), '{}')`);
    const requests = Array.from({ length: 12 }, (_, i) => [sourced(`only-excl-${i}-a`), sourced(`only-excl-${i}-b`)]);
    await committer.record([normalized("only-excl-native")], new Date());
    requests[3][0] = sourced("only-excl-native");
    requests[7][1] = sourced("only-excl-alone");
    const busy = [committer.record([normalized("only-excl-busy-1")], new Date()), committer.record([normalized("only-excl-busy-2")], new Date())];
    const results = await Promise.allSettled(requests.map((events) => committer.record(events, new Date(), { exclusive: true })));
    await Promise.all(busy);
    expect(results.flatMap((r, i) => (r.status === "rejected" ? [i] : []))).toEqual([3, 7]);
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ name: "IdTakenError", id: "only-excl-native" });
    expect((results[7] as PromiseRejectedResult).reason).toMatchObject({ name: "IdTakenError", id: "only-excl-alone" });
    expect(await stored(["only-excl-3-b", "only-excl-7-a", "only-excl-alone"])).toEqual([]);
    const good = requests.flatMap((events, i) => (i === 3 || i === 7 ? [] : events.map((e) => e.id)));
    expect(await stored(good)).toEqual([...good].sort());
    const { rows } = await engine.ctx.database.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM event_sources WHERE id = ANY($1) AND status = 'mapped'", [good]);
    expect(rows[0].n).toBe(good.length);
  });

  it("a database outage fails every request of the group at once, without splitting it", async () => {
    const dead = openDatabase("postgresql://postgres@127.0.0.1:1/coach");
    try {
      const { pool, statements } = counting(dead.pool);
      const committer = new GroupCommitter(pool, async () => undefined);
      const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => committer.record([normalized(`down-${i}`)], new Date())));
      expect(results.every((r) => r.status === "rejected" && isDatabaseDown(r.reason))).toBe(true);
      expect(statements()).toBeLessThan(40); // one statement per group, never one per request
    } finally {
      await dead.close().catch(() => undefined);
    }
  });
});
