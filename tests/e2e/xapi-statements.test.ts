/**
 * The xAPI statements resource against the engine on a real port, driven by the @xapi/xapi client (its own
 * headers and Basic auth) and by raw requests for what a client library will not send.
 */
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import XAPI from "@xapi/xapi";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { listen, closeServer } from "../../src/http/server";

const COURSE = "http://lms.example.com/courses/xapi-101";

interface StatementFixture {
  id?: string;
  timestamp: string;
  actor: Record<string, unknown>;
  [key: string]: unknown;
}

function statement(overrides: Record<string, unknown> = {}): StatementFixture {
  return {
    actor: { objectType: "Agent", name: "Ada Lovelace", account: { homePage: "http://lms.example.com", name: "xapi-ada" } },
    verb: { id: "http://adlnet.gov/expapi/verbs/completed", display: { "en-US": "completed" } },
    object: { objectType: "Activity", id: "http://lms.example.com/modules/week-1", definition: { type: "http://adlnet.gov/expapi/activities/module", name: { "en-US": "Week 1" } } },
    context: { contextActivities: { parent: [{ id: COURSE, objectType: "Activity", definition: { type: "http://adlnet.gov/expapi/activities/course" } }] } },
    timestamp: new Date().toISOString(),
    ...overrides,
  };
}

/** An answer's JSON with the fields these tests read (fetch types it as unknown). */
interface Answer {
  accepted: number;
  duplicates: number;
  unmapped: number;
  entities: number;
  dropped: number;
  success: boolean;
  detail: string;
  type: string;
  errors: Array<{ path: string; index: number; reason: string; messageId: string | null; errors: Array<{ path: string; message: string }> }>;
}
const jsonOf = async (res: Response): Promise<Answer> => (await res.json()) as Answer;
describe("xAPI statements resource (an LRS's write side)", () => {
  let engine: TestEngine;
  let server: Server;
  let base: string;
  const basic = () => `Basic ${Buffer.from(`${engine.keys.ingest}:anything`).toString("base64")}`;
  const count = async (sql: string, params: unknown[] = []) => Number((await engine.ctx.database.pool.query(sql, params)).rows[0].n);
  const send = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: { "Content-Type": "application/json", "X-Experience-API-Version": "1.0.3", Authorization: basic(), ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ server } = await listen(engine.app, 0).then((r) => {
      base = `http://127.0.0.1:${r.port}`;
      return r;
    }));
  });
  afterAll(async () => {
    await closeServer(server);
    await engine.close();
  });

  it("stores statements sent one by one and in arrays by @xapi/xapi (1.0.3 and 2.0.0), each once, its id the event id", async () => {
    for (const version of ["1.0.3", "2.0.0"] as const) {
      // The library's types stop at 1.0.3; it sends whatever version it is given.
      const lrs = new XAPI({ endpoint: `${base}/xapi/`, auth: XAPI.toBasicAuth(engine.keys.ingest, "secret-ignored"), version: version as never });
      const oneId = randomUUID();
      const one = statement({ id: oneId });
      const single = await lrs.sendStatement({ statement: one as never });
      expect(single.status).toBe(200);
      expect(single.data).toEqual([oneId]);
      expect(single.headers["x-experience-api-version"]).toBe(version);
      const secondId = randomUUID();
      const many = [statement(), statement({ id: secondId }), statement()];
      const batch = await lrs.sendStatements({ statements: many as never });
      expect(batch.status).toBe(200);
      const ids = batch.data as string[];
      expect(ids).toHaveLength(3);
      expect(ids[1]).toBe(secondId);
      for (const id of [oneId, ...ids]) {
        const event = await engine.ctx.prisma.event.findUniqueOrThrow({ where: { id } });
        expect(event).toMatchObject({ type: "module.completed", learnerId: "xapi-ada", courseId: COURSE, moduleId: "http://lms.example.com/modules/week-1" });
        const source = await engine.ctx.prisma.eventSource.findUniqueOrThrow({ where: { id } });
        expect(source).toMatchObject({ format: "xapi", status: "mapped", mappingKey: "xapi.adl.completed.module", eventType: "module.completed", learnerId: "xapi-ada" });
        expect(source.body as { id: string; verb: { id: string } }).toMatchObject({ id, verb: { id: "http://adlnet.gov/expapi/verbs/completed" } });
      }
    }
    const learner = await engine.ctx.prisma.learner.findUniqueOrThrow({ where: { id: "xapi-ada" } });
    expect(learner.name).toBe("Ada Lovelace");
  });

  it("treats a resend as a duplicate and the same id with other content as 409, storing nothing of that request", async () => {
    const id = randomUUID();
    const original = statement({ id, result: { score: { scaled: 0.5 }, success: false } });
    expect((await send("POST", "/xapi/statements", original)).status).toBe(200);
    // The same statement again, with the timestamp in another notation and the keys in another order: no effect.
    const again = { ...original, timestamp: new Date(original.timestamp).toISOString().replace("Z", "+00:00") };
    const resend = await send("POST", "/xapi/statements", [again]);
    expect(resend.status).toBe(200);
    expect(await jsonOf(resend)).toEqual([id]);
    const freshId = randomUUID();
    const fresh = statement({ id: freshId });
    const conflict = await send("POST", "/xapi/statements", [fresh, { ...original, result: { score: { scaled: 0.9 }, success: true } }]);
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get("content-type")).toContain("application/problem+json");
    expect(conflict.headers.get("x-experience-api-version")).toBe("1.0.3");
    expect(await count("SELECT count(*) AS n FROM events WHERE id = $1", [freshId])).toBe(0);
    expect(await count("SELECT count(*) AS n FROM event_sources WHERE id = $1", [freshId])).toBe(0);
    const stored = await engine.ctx.prisma.event.findUniqueOrThrow({ where: { id } });
    expect(stored.properties).toMatchObject({ score: 0.5, passed: false });
  });

  // The write has no read before it (a taken id fails it and sets the request apart): these hold it to the spec.
  it("a batch of 100 with one id stored before with other content: 409 and none of the 100 stored; with that one resent as it was: 200, the 99 stored", async () => {
    const taken = statement({ id: randomUUID(), result: { completion: true } });
    expect((await send("POST", "/xapi/statements", taken)).status).toBe(200);
    const batch = () => Array.from({ length: 100 }, () => statement({ id: randomUUID() }));
    const conflicting = batch();
    conflicting[57] = { ...taken, result: { completion: false } };
    const conflict = await send("POST", "/xapi/statements", conflicting);
    expect(conflict.status).toBe(409);
    const others = conflicting.filter((_, i) => i !== 57).map((s) => s.id!);
    expect(await count("SELECT count(*) AS n FROM events WHERE id = ANY($1)", [others])).toBe(0);
    expect(await count("SELECT count(*) AS n FROM event_sources WHERE id = ANY($1)", [others])).toBe(0);
    // The same with an unmapped statement in the batch (its original is a statement of its own).
    const mixed = batch();
    mixed[3] = statement({ id: randomUUID(), verb: { id: "https://example.com/verbs/doodled" } });
    mixed[88] = { ...taken, result: { completion: false } };
    expect((await send("POST", "/xapi/statements", mixed)).status).toBe(409);
    expect(await count("SELECT count(*) AS n FROM event_sources WHERE id = ANY($1)", [mixed.filter((_, i) => i !== 88).map((s) => s.id!)])).toBe(0);

    const resending = batch();
    resending[57] = taken;
    const resent = await send("POST", "/xapi/statements", resending);
    expect(resent.status).toBe(200);
    expect(await jsonOf(resent)).toEqual(resending.map((s) => s.id));
    expect(await count("SELECT count(*) AS n FROM events WHERE id = ANY($1)", [resending.map((s) => s.id!)])).toBe(100);
    expect(await count("SELECT count(*) AS n FROM event_sources WHERE id = $1 AND body->'result'->>'completion' = 'true'", [taken.id!])).toBe(1);
  });

  it("two requests at once with the same new id and other content: one is stored whole, the other 409 with nothing stored; the same content: both 200", async () => {
    for (let round = 0; round < 8; round++) {
      const shared = randomUUID();
      const a = Array.from({ length: 100 }, () => statement({ id: randomUUID() }));
      const b = Array.from({ length: 100 }, () => statement({ id: randomUUID() }));
      a[round * 7] = statement({ id: shared, result: { completion: true } });
      b[99 - round * 7] = statement({ id: shared, result: { completion: false } });
      const [ra, rb] = await Promise.all([send("POST", "/xapi/statements", a), send("POST", "/xapi/statements", b)]);
      expect([ra.status, rb.status].sort()).toEqual([200, 409]);
      const [winner, loser] = ra.status === 200 ? [a, b] : [b, a];
      const ids = (batch: StatementFixture[]) => batch.map((s) => s.id!).filter((id) => id !== shared);
      expect(await count("SELECT count(*) AS n FROM events WHERE id = ANY($1)", [ids(winner)])).toBe(99);
      expect(await count("SELECT count(*) AS n FROM event_sources WHERE id = ANY($1)", [ids(loser)])).toBe(0);
      expect(await count("SELECT count(*) AS n FROM events WHERE id = ANY($1)", [ids(loser)])).toBe(0);
      const kept = winner.find((s) => s.id === shared)!.result as { completion: boolean };
      expect(await count("SELECT count(*) AS n FROM event_sources WHERE id = $1 AND (body->'result'->>'completion')::boolean = $2", [shared, kept.completion])).toBe(1);
    }
    const same = randomUUID();
    const twin = statement({ id: same });
    const answers = await Promise.all([0, 1].map(() => send("POST", "/xapi/statements", [statement({ id: randomUUID() }), twin])));
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(await count("SELECT count(*) AS n FROM events WHERE id = $1", [same])).toBe(1);
  });

  it("stores under PUT ?statementId= (204), and answers a resend with 204 and other content with 409", async () => {
    const id = randomUUID();
    const put = (body: unknown) => send("PUT", `/xapi/statements?statementId=${id}`, body);
    const first = await put(statement());
    expect(first.status).toBe(204);
    expect(first.headers.get("x-experience-api-version")).toBe("1.0.3");
    const stored = await engine.ctx.prisma.eventSource.findUniqueOrThrow({ where: { id } });
    expect((stored.body as { id: string }).id).toBe(id);
    expect((await put(stored.body)).status).toBe(204);
    expect((await put(statement({ verb: { id: "http://adlnet.gov/expapi/verbs/attempted" } }))).status).toBe(409);
    expect((await put(statement({ id: randomUUID() }))).status).toBe(400);
    expect((await send("PUT", "/xapi/statements", statement())).status).toBe(400);
    expect(await count("SELECT count(*) AS n FROM events WHERE id = $1", [id])).toBe(1);
  });

  it("records a voiding statement without matching it, and marks the voided statement", async () => {
    const target = randomUUID();
    expect((await send("POST", "/xapi/statements", statement({ id: target }))).status).toBe(200);
    const lrs = new XAPI({ endpoint: `${base}/xapi/`, auth: XAPI.toBasicAuth(engine.keys.ingest, "") });
    const voided = await lrs.voidStatement({ actor: statement().actor as never, statementId: target });
    expect(voided.status).toBe(200);
    const voidingId = (voided.data as string[])[0];
    const voiding = await engine.ctx.prisma.eventSource.findUniqueOrThrow({ where: { id: voidingId } });
    expect(voiding).toMatchObject({ status: "voiding", format: "xapi" });
    expect(await engine.ctx.prisma.event.findUnique({ where: { id: voidingId } })).toBeNull();
    expect((await engine.ctx.prisma.eventSource.findUniqueOrThrow({ where: { id: target } })).voidedBy).toBe(voidingId);
  });

  it("stores statements with no mapping as unmapped, counted per verb and type in the API and in /metrics, never an error", async () => {
    const verb = "https://example.com/verbs/doodled";
    const doodle = () => statement({ verb: { id: verb }, object: { id: "https://example.com/canvas/1", definition: { type: "https://example.com/types/canvas" } } });
    const res = await send("POST", "/xapi/statements", [doodle(), doodle()]);
    expect(res.status).toBe(200);
    const ids = (await res.json()) as string[];
    expect(await count("SELECT count(*) AS n FROM events WHERE id = ANY($1)", [ids])).toBe(0);
    expect(await count("SELECT count(*) AS n FROM event_sources WHERE id = ANY($1) AND status = 'unmapped'", [ids])).toBe(2);
    const listed = await engine.http.get("/v1/mappings/unmapped?source=xapi").set("Authorization", `Bearer ${engine.keys.analyst}`);
    expect(listed.status).toBe(200);
    expect(listed.body.unmapped).toEqual(
      expect.arrayContaining([expect.objectContaining({ format: "xapi", status: "unmapped", kind: { verb, objectType: "https://example.com/types/canvas" }, count: 2 })]),
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain(`coach_standard_unmapped_total{format="xapi",kind="${verb} https://example.com/types/canvas"} 2`);
  });

  it("refuses bad input with a clear 4xx, storing nothing: no actor, no verb, a bad version header, 2 MB, one bad statement in an array", async () => {
    const before = await count("SELECT count(*) AS n FROM event_sources");
    const { actor: _actor, ...noActor } = statement();
    const res1 = await send("POST", "/xapi/statements", noActor);
    expect(res1.status).toBe(400);
    expect((await jsonOf(res1)).errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: "actor" })]));
    const { verb: _verb, ...noVerb } = statement();
    const res2 = await send("POST", "/xapi/statements", [statement(), noVerb]);
    expect(res2.status).toBe(400);
    expect((await jsonOf(res2)).errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: "[1].verb" })]));
    const wrongVersion = await send("POST", "/xapi/statements", statement(), { "X-Experience-API-Version": "0.95" });
    expect(wrongVersion.status).toBe(400);
    expect(wrongVersion.headers.get("x-experience-api-version")).toBe("2.0.0");
    const noVersion = await fetch(`${base}/xapi/statements`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: basic() }, body: JSON.stringify(statement()) });
    expect(noVersion.status).toBe(400);
    const big = await send("POST", "/xapi/statements", statement({ result: { response: "x".repeat(2 * 1024 * 1024) } }));
    expect(big.status).toBe(413);
    expect((await jsonOf(big)).type).toContain("payload-too-large");
    expect((await send("POST", "/xapi/statements", '{"actor": ')).status).toBe(400);
    expect((await send("POST", "/xapi/statements", statement({ id: "not-a-uuid" }))).status).toBe(400);
    expect((await send("POST", "/xapi/statements", statement({ result: null }))).status).toBe(400);
    const twice = randomUUID();
    expect((await send("POST", "/xapi/statements", [statement({ id: twice }), statement({ id: twice })])).status).toBe(400);
    expect(await count("SELECT count(*) AS n FROM event_sources")).toBe(before);
  });

  it("keeps each statement as the text it was sent (key order, spacing, numbers as written), mapped or not, an assigned id put first", async () => {
    const id = randomUUID();
    const mapped = `{ "timestamp": "${new Date().toISOString()}", "id": "${id}", "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
      "actor": {"account": {"name": "xapi-ada", "homePage": "http://lms.example.com"}}, "result": {"score": {"scaled": 1.0, "raw": 10}},
      "object": {"id": "http://lms.example.com/modules/week-1", "definition": {"type": "http://adlnet.gov/expapi/activities/module"}} }`;
    const unmapped = `{"actor": {"mbox": "mailto:ada@example.org"},  "verb": {"id": "https://example.com/verbs/doodled"}, "object": {"id": "https://example.com/x"}}`;
    const res = await send("POST", "/xapi/statements", `[\n  ${mapped} ,\n  ${unmapped}\n]`);
    expect(res.status).toBe(200);
    const [, assigned] = (await res.json()) as string[];
    const stored = async (statementId: string) => (await engine.ctx.database.pool.query<{ text: string }>("SELECT body::text AS text FROM event_sources WHERE id = $1", [statementId])).rows[0].text;
    expect(await stored(id)).toBe(mapped);
    expect(await stored(assigned)).toBe(`{"id":"${assigned}",${unmapped.slice(1)}`);
    // Analysts' operators on the originals.
    expect(await count("SELECT count(*) AS n FROM event_sources WHERE id = $1 AND (body #>> '{result,score,scaled}')::numeric = 1 AND body->'actor'->'account'->>'name' = 'xapi-ada'", [id])).toBe(1);
    expect(await count('SELECT count(*) AS n FROM event_sources WHERE id = $1 AND body::jsonb @> \'{"verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}}\'', [id])).toBe(1);
  });

  it("refuses a statement whose text holds NUL or a lone surrogate (json keeps text as sent, where analysts' ->> would then fail), in a batch too, storing nothing", async () => {
    const before = await count("SELECT count(*) AS n FROM event_sources");
    const good = JSON.stringify(statement({ id: randomUUID() }));
    for (const hostile of ["a\\u0000b", "\\ud800", "\\udc00x"]) {
      const text = JSON.stringify(statement({ id: randomUUID(), result: { response: "@@" } })).replace('"@@"', `"${hostile}"`);
      const one = await send("POST", "/xapi/statements", text);
      expect(one.status).toBe(400);
      const batch = await send("POST", "/xapi/statements", `[${good}, ${text}]`);
      expect(batch.status).toBe(400);
      expect((await jsonOf(batch)).errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringMatching(/^\[1\]\.result\.response/) })]));
    }
    expect(await count("SELECT count(*) AS n FROM event_sources")).toBe(before);
    // Every stored original still reads with the operators analysts use.
    expect(await count("SELECT count(*) AS n FROM event_sources WHERE body->>'id' IS NOT NULL OR body->>'id' IS NULL")).toBe(before);
  });

  it("lets analysts read the originals in SQL: an SQL segment over event_sources", async () => {
    const author = `Bearer ${engine.keys.author}`;
    const created = await engine.http.post("/v1/segments").set("Authorization", author).send({
      key: "xapi-learners",
      name: "Learners seen through xAPI",
      type: "sql",
      refreshIntervalMinutes: 60,
      sql: "SELECT DISTINCT learner_id FROM event_sources WHERE format = 'xapi' AND status = 'mapped' AND body->'verb'->>'id' LIKE '%/completed'",
    });
    expect(created.status).toBe(201);
    const refreshed = await engine.http.post("/v1/segments/xapi-learners/refresh").set("Authorization", author);
    expect(refreshed.status).toBe(200);
    const members = await engine.http.get("/v1/segments/xapi-learners/members").set("Authorization", author);
    expect(JSON.stringify(members.body)).toContain("xapi-ada");
  });

  it("answers 401 without credentials and 403 for a key without the ingest role, with the version header; /about is public", async () => {
    const anonymous = await fetch(`${base}/xapi/statements`, { method: "POST", headers: { "X-Experience-API-Version": "1.0.3" }, body: "{}" });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("x-experience-api-version")).toBe("1.0.3");
    const author = await send("POST", "/xapi/statements", statement(), { Authorization: `Bearer ${engine.keys.author}` });
    expect(author.status).toBe(403);
    const bearer = await send("POST", "/xapi/statements", statement(), { Authorization: `Bearer ${engine.keys.ingest}` });
    expect(bearer.status).toBe(200);
    const about = await new XAPI({ endpoint: `${base}/xapi/` }).getAbout();
    expect(about.data).toMatchObject({ version: ["1.0.3", "2.0.0"] });
  });
});
