/**
 * Bytes and shapes that used to reach PostgreSQL or the recursive parser and come back as 500 (issue 12, items
 * 2 and 4): each is now a 400 (or 415) problem+json naming the path, and nothing of the request is stored.
 */
import { gzipSync, brotliCompressSync } from "node:zlib";
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent, buildEvents } from "../factories/events";

type Role = "ingest" | "author";
interface Case {
  name: string;
  role: Role;
  send: (engine: TestEngine) => Promise<import("supertest").Response>;
  path: string;
  table: string;
}

describe("hostile input at the HTTP boundary", () => {
  let engine: TestEngine;
  const auth = (role: Role) => `Bearer ${engine.keys[role]}`;
  const postEvents = (body: unknown) =>
    engine.http
      .post("/v1/events")
      .set("Authorization", auth("ingest"))
      .send(body as object);
  const count = async (table: string) => Number((await engine.ctx.database.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  const expectProblem = (res: import("supertest").Response, status: number) => {
    expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { status } });
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
  };

  beforeAll(async () => {
    engine = await startTestEngine();
    await engine.http
      .post("/v1/templates")
      .set("Authorization", auth("author"))
      .send({ key: "t1", name: "T", kind: "nudge", variants: [{ key: "A", title: "t", body: "b", weight: 1 }] })
      .expect(201);
    await engine.http.post("/v1/segments").set("Authorization", auth("author")).send({ key: "s1", name: "S", type: "static" }).expect(201);
  });
  afterAll(async () => engine.close());

  const NUL = "\u0000";
  const cases: Case[] = [
    { name: "NUL in an event id", role: "ingest", send: () => postEvents(buildEvent({ id: `evt-${NUL}` })), path: "id", table: "events" },
    { name: "a lone surrogate in an event id", role: "ingest", send: () => postEvents(buildEvent({ id: "evt-\ud800" })), path: "id", table: "events" },
    { name: "NUL in a learner id", role: "ingest", send: () => postEvents(buildEvent({ learnerId: `L${NUL}` })), path: "learnerId", table: "learners" },
    { name: "NUL in a property key", role: "ingest", send: () => postEvents(buildEvent({ properties: { [`a${NUL}b`]: 1 } })), path: 'properties["a\\u0000b"]', table: "events" },
    {
      name: "NUL in one property value of a batch",
      role: "ingest",
      table: "events",
      path: "events[3].properties.note",
      send: () => {
        const events = buildEvents(5);
        events[3].properties = { note: `x${NUL}y` };
        return postEvents({ events });
      },
    },
    { name: "a lone low surrogate in a property value", role: "ingest", send: () => postEvents(buildEvent({ properties: { note: "\udc00" } })), path: "properties.note", table: "events" },
    { name: "NUL in a learner name", role: "ingest", send: () => postEvents(buildEvent({ learner: { name: `Ada${NUL}` } })), path: "learner.name", table: "learners" },
    {
      name: "a lone surrogate in an attribute value",
      role: "ingest",
      send: () => postEvents(buildEvent({ learner: { attributes: { track: "\ud83d" } } })),
      path: "learner.attributes.track",
      table: "learners",
    },
    {
      name: "a lone surrogate in an attribute key",
      role: "ingest",
      send: () => postEvents(buildEvent({ learner: { attributes: { "\ud800": 1 } } })),
      path: 'learner.attributes["\\ud800"]',
      table: "learners",
    },
    {
      name: "NUL in a segment member",
      role: "author",
      table: "segment_members",
      path: "learnerIds[1]",
      send: (e) =>
        e.http
          .put("/v1/segments/s1/members")
          .set("Authorization", auth("author"))
          .send({ learnerIds: ["a", `b${NUL}`], mode: "add" }),
    },
    {
      name: "NUL in an insight value",
      role: "author",
      table: "insights",
      path: "[1].value",
      send: (e) =>
        e.http
          .put("/v1/insights")
          .set("Authorization", auth("author"))
          .send([
            { learnerId: "A", key: "k", value: 1 },
            { learnerId: "B", key: "k", value: `v${NUL}` },
          ]),
    },
    {
      name: "a lone surrogate in an insight's metadata key",
      role: "author",
      table: "insights",
      path: '[0].metadata["\\udfff"]',
      send: (e) =>
        e.http
          .put("/v1/insights")
          .set("Authorization", auth("author"))
          .send([{ learnerId: "A", key: "k", value: 1, metadata: { "\udfff": 1 } }]),
    },
    {
      name: "NUL in a rule condition",
      role: "author",
      table: "rules",
      path: "trigger.where.all[0].value",
      send: (e) =>
        e.http
          .post("/v1/rules")
          .set("Authorization", auth("author"))
          .send({ key: "r1", name: "R", templateKey: "t1", trigger: { eventType: "quiz.submitted", where: { all: [{ field: "event.properties.note", op: "eq", value: NUL }] } } }),
    },
    {
      name: "a lone surrogate in a segment condition",
      role: "author",
      table: "segments",
      path: "conditions.value",
      send: (e) =>
        e.http
          .post("/v1/segments")
          .set("Authorization", auth("author"))
          .send({ key: "s2", name: "S2", type: "attributes", conditions: { field: "learner.attributes.track", op: "eq", value: "\ud800" } }),
    },
    {
      name: "NUL in a template name",
      role: "author",
      table: "templates",
      path: "name",
      send: (e) =>
        e.http
          .post("/v1/templates")
          .set("Authorization", auth("author"))
          .send({ key: "t2", name: `T${NUL}`, kind: "nudge", variants: [{ key: "A", title: "t", body: "b", weight: 1 }] }),
    },
  ];

  it.each(cases)("answers $name with 400 naming $path, and stores nothing", async ({ send, path, table }) => {
    const before = await count(table);
    const res = await send(engine);
    expectProblem(res, 400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await count(table)).toBe(before);
  });

  it("refuses NUL in path parameters and query strings with their paths", async () => {
    const param = await engine.http.get("/v1/learners/L%00/messages").set("Authorization", auth("ingest"));
    expectProblem(param, 400);
    expect(param.body.errors).toEqual([{ path: "params.learnerId", message: expect.stringMatching(/NUL/) }]);
    const query = await engine.http.get("/v1/learners/L1/messages?courseId=a%00b").set("Authorization", auth("ingest"));
    expectProblem(query, 400);
    expect(query.body.errors).toEqual([{ path: "query.courseId", message: expect.stringMatching(/NUL/) }]);
  });

  it("never lets two distinct ids collapse into one: \\ud800 and \\ud801 are both refused, a real surrogate pair is kept apart", async () => {
    const first = await postEvents(buildEvent({ id: "twin-\ud800" }));
    const second = await postEvents(buildEvent({ id: "twin-\ud801" }));
    expectProblem(first, 400);
    expectProblem(second, 400);
    expect(await count("events")).toBe(0);
    const a = await postEvents(buildEvent({ id: "pair-😀" }));
    const b = await postEvents(buildEvent({ id: "pair-😁" }));
    expect([a.body, b.body]).toEqual([
      { accepted: 1, duplicates: 0 },
      { accepted: 1, duplicates: 0 },
    ]);
    const ids = (await engine.ctx.database.pool.query<{ id: string }>("SELECT id FROM events WHERE id LIKE 'pair-%' ORDER BY id")).rows.map((r) => r.id);
    expect(ids).toEqual(["pair-😀", "pair-😁"]);
  });

  describe("nesting", () => {
    const nested = (levels: number) => "[".repeat(levels) + "]".repeat(levels);

    it.each([5_000, 100_000])("refuses a body %i levels deep with 400 naming the limit and the path, before parsing it", async (levels) => {
      const res = await engine.http.post("/v1/events").set("Authorization", auth("ingest")).set("Content-Type", "application/json").send(nested(levels));
      expectProblem(res, 400);
      expect(res.body.detail).toMatch(/64 levels/);
      expect(res.body.errors).toEqual([{ path: "[0]".repeat(64), message: expect.stringMatching(/64/) }]);
    });

    it("names the path inside an event, on the 8 MB parsers and for text/plain bodies too", async () => {
      let deep: unknown = 1;
      for (let i = 0; i < 70; i++) deep = { a: deep };
      const event = postEvents(buildEvent({ properties: { deep } }));
      const members = engine.http
        .put("/v1/segments/s1/members")
        .set("Authorization", auth("author"))
        .send({ learnerIds: [deep], mode: "add" });
      const plain = engine.http
        .post("/v1/events")
        .set("Authorization", auth("ingest"))
        .set("Content-Type", "text/plain")
        .send(JSON.stringify({ events: [buildEvent({ properties: { deep } })] }));
      const [e, m, p] = await Promise.all([event, members, plain]);
      for (const res of [e, m, p]) expectProblem(res, 400);
      // 65 containers: event, properties, deep, 62 × a — or the members body, learnerIds, [0], 62 × a.
      expect(e.body.errors[0].path).toBe(`properties.deep${".a".repeat(62)}`);
      expect(m.body.errors[0].path).toBe(`learnerIds[0]${".a".repeat(62)}`);
      expect(p.body.errors[0].path).toBe(`events[0].properties.deep${".a".repeat(60)}`);
    });

    it("accepts 64 levels: the limit is inclusive", async () => {
      let deep: unknown = 1;
      for (let i = 0; i < 62; i++) deep = { a: deep }; // event (1) + properties (2) + 62 = 64
      const res = await postEvents(buildEvent({ properties: deep as Record<string, unknown> }));
      expect(res.status).toBe(202);
    });
  });

  describe("dates", () => {
    it("refuses occurredAt 0001-01-01 sent at 9999-12-31 (skew correction into BC dates) naming both fields", async () => {
      const before = await count("events");
      const res = await postEvents(buildEvent({ occurredAt: "0001-01-01T00:00:00Z", sentAt: "9999-12-31T23:59:59Z" }));
      expectProblem(res, 400);
      expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["occurredAt", "sentAt"]);
      const batch = await postEvents({ events: [buildEvent({ occurredAt: "0001-01-01T00:00:00Z" })], sentAt: "9999-12-31T23:59:59Z" });
      expectProblem(batch, 400);
      expect(batch.body.errors.map((e: { path: string }) => e.path)).toEqual(["sentAt"]);
      expect(await count("events")).toBe(before);
    });

    it("refuses a skew that would put the event before 1970, and a date before 1970 without sentAt", async () => {
      const before = await count("events");
      const skewed = await postEvents(buildEvent({ occurredAt: "1970-01-01T00:00:00Z", sentAt: "2199-12-31T00:00:00Z" }));
      expectProblem(skewed, 400);
      expect(skewed.body.errors).toEqual([{ path: "occurredAt", message: expect.stringMatching(/before 1970/) }]);
      const old = await postEvents(buildEvent({ occurredAt: "1969-12-31T23:59:59Z" }));
      expect(old.body.errors).toEqual([{ path: "occurredAt", message: expect.stringMatching(/1970/) }]);
      expect(await count("events")).toBe(before);
    });

    it("still corrects a device clock reset to 1970: the event lands minutes before its arrival", async () => {
      const id = `epoch-${Date.now()}`;
      const res = await postEvents(buildEvent({ id, occurredAt: "1970-01-01T00:05:00Z", sentAt: "1970-01-01T00:10:00Z" }));
      expect(res.status).toBe(202);
      const { rows } = await engine.ctx.database.pool.query<{ occurred_at: Date; received_at: Date }>("SELECT occurred_at, received_at FROM events WHERE id = $1", [id]);
      expect(rows[0].received_at.getTime() - rows[0].occurred_at.getTime()).toBe(5 * 60_000);
    });
  });

  describe("malformed requests", () => {
    it("answers a path that is not valid percent-encoded UTF-8 with 400", async () => {
      const res = await engine.http.get("/v1/learners/%E0%A4%A/messages").set("Authorization", auth("ingest"));
      expectProblem(res, 400);
      expect(res.body.type).toMatch(/malformed-path/);
    });

    // Raw bytes over a real socket: supertest would re-serialize a Buffer sent as JSON.
    let server: Server;
    beforeAll(async () => {
      server = engine.app.listen(0);
      await once(server, "listening");
    });
    afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));
    const raw = async (headers: Record<string, string>, body: Buffer | string, target: { method: string; path: string; role: Role } = { method: "POST", path: "/v1/events", role: "ingest" }) => {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${target.path}`, {
        method: target.method,
        headers: { authorization: auth(target.role), "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : new Uint8Array(body),
      });
      return { status: res.status, type: res.headers.get("content-type"), body: (await res.json()) as { status: number; type: string; detail: string } };
    };
    const expectRawProblem = (res: Awaited<ReturnType<typeof raw>>, status: number) => {
      expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { status } });
      expect(res.type).toMatch(/application\/problem\+json/);
    };

    it.each(["gzip", "br", "deflate"])("answers Content-Encoding: %s on a plain body with 400", async (encoding) => {
      const before = await count("events");
      const res = await raw({ "content-encoding": encoding }, JSON.stringify(buildEvent()));
      expectRawProblem(res, 400);
      expect(res.body.type).toMatch(/malformed-body/);
      expect(await count("events")).toBe(before);
    });

    it("answers a truncated gzip body with 400", async () => {
      const res = await raw({ "content-encoding": "gzip" }, gzipSync(JSON.stringify(buildEvent())).subarray(0, 20));
      expectRawProblem(res, 400);
    });

    it("answers an unknown content encoding with 415, and accepts real gzip and br", async () => {
      expectRawProblem(await raw({ "content-encoding": "compress" }, JSON.stringify(buildEvent())), 415);
      expectRawProblem(await raw({ "content-encoding": "x-unheard-of" }, JSON.stringify(buildEvent())), 415);
      expect((await raw({ "content-encoding": "gzip" }, gzipSync(JSON.stringify(buildEvent())))).status).toBe(202);
      expect((await raw({ "content-encoding": "br" }, brotliCompressSync(JSON.stringify(buildEvent())))).status).toBe(202);
    });

    it("answers a charset JSON does not allow with 415, and takes UTF-16 JSON (nesting checked on it too)", async () => {
      const as = (charset: string, body: Buffer) => raw({ "content-type": `application/json; charset=${charset}` }, body);
      expectRawProblem(await as("latin1", Buffer.from(JSON.stringify(buildEvent()), "latin1")), 415);
      expectRawProblem(await as("utf-32", Buffer.from(JSON.stringify(buildEvent()))), 415);
      expect((await as("utf-16le", Buffer.from(JSON.stringify(buildEvent()), "utf16le"))).status).toBe(202);
      // UTF-16 can carry a lone surrogate without any escape: still refused, with its path.
      const before = await count("insights");
      const insight = JSON.stringify([{ learnerId: "A", key: "k", value: "raw-X" }]).replace("raw-X", "raw-\ud800");
      const lone = await raw({ "content-type": "application/json; charset=utf-16le" }, Buffer.from(insight, "utf16le"), { method: "PUT", path: "/v1/insights", role: "author" });
      expectRawProblem(lone, 400);
      expect((lone.body as unknown as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toEqual(["[0].value"]);
      expect(await count("insights")).toBe(before);
      const deep = await as("utf-16le", Buffer.from("[".repeat(5_000), "utf16le"));
      expectRawProblem(deep, 400);
      expect(deep.body.detail).toMatch(/64 levels/);
    });
  });
});
