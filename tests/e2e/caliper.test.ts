/** The Caliper sensor endpoint on a real port: skew correction, idempotency, and envelopes refused whole. */
import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { Server } from "node:http";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { listen, closeServer } from "../../src/http/server";
import * as f from "../factories/standards";

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
describe("POST /caliper", () => {
  let engine: TestEngine;
  let server: Server;
  let base: string;
  const count = async (sql: string, params: unknown[] = []) => Number((await engine.ctx.database.pool.query(sql, params)).rows[0].n);
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/caliper`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${engine.keys.ingest}`, ...headers },
      body: (typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body)) as NonNullable<RequestInit["body"]>,
    });

  beforeAll(async () => {
    engine = await startTestEngine();
    const started = await listen(engine.app, 0);
    server = started.server;
    base = `http://127.0.0.1:${started.port}`;
  });
  afterAll(async () => {
    await closeServer(server);
    await engine.close();
  });

  it("corrects a sensor clock that runs two hours fast with sendTime, as Segment does with sentAt", async () => {
    const skew = 2 * 3600_000;
    const event = f.canvasAssetAccessed("skew-1", "565");
    const now = Date.now();
    event.eventTime = new Date(now + skew - 10 * 60_000).toISOString(); // ten minutes ago by the sensor's clock
    const res = await post(f.canvasEnvelope([event], new Date(now + skew)));
    expect(res.status).toBe(200);
    const stored = await engine.ctx.prisma.event.findUniqueOrThrow({ where: { id: event.id as string } });
    expect(Math.abs(stored.occurredAt.getTime() - (now - 10 * 60_000))).toBeLessThan(5_000);
    expect(stored.sentAt?.toISOString()).toBe(new Date(now + skew).toISOString());
  });

  it("stores each event once however often the envelope is resent, keeping the original beside it; acknowledges entities", async () => {
    const event = f.canvasSubmissionCreated("dup-1", "565");
    const person = { id: "urn:instructure:canvas:user:99", type: "Person", name: "Someone" };
    const envelope = f.canvasEnvelope([event, person]);
    const answers = await Promise.all([post(envelope), post(envelope), post(envelope)]).then((all) => Promise.all(all.map(jsonOf)));
    expect(answers.reduce((n, a) => n + a.accepted, 0)).toBe(1);
    expect(answers.reduce((n, a) => n + a.duplicates, 0)).toBe(2);
    expect(answers.every((a) => a.entities === 1)).toBe(true);
    const source = await engine.ctx.prisma.eventSource.findUniqueOrThrow({ where: { id: event.id as string } });
    expect(source).toMatchObject({ format: "caliper", status: "mapped", mappingKey: "caliper.assignable.submitted", body: event });
  });

  it("refuses an envelope whose data is not an array, a malformed event (the valid ones with it too), a wrong dataVersion; nothing stored", async () => {
    const before = await count("SELECT count(*) AS n FROM event_sources");
    for (const data of [{ id: "x" }, "events", null]) {
      const res = await post({ ...f.canvasEnvelope([]), data });
      expect(res.status).toBe(400);
      const problem = await jsonOf(res);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(problem.errors).toEqual([expect.objectContaining({ path: "data" })]);
    }
    const good = f.canvasLoggedIn("bad-env-1");
    const { actor: _actor, ...noActor } = f.canvasLoggedIn("bad-env-2");
    const res = await post(f.canvasEnvelope([good, noActor]));
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).errors).toEqual([expect.objectContaining({ path: "data[1].actor" })]);
    expect((await post({ ...f.canvasEnvelope([good]), dataVersion: "http://purl.imsglobal.org/ctx/caliper/v1p0" })).status).toBe(400);
    expect((await post(f.canvasEnvelope([{ ...good, id: `urn:uuid:${"x".repeat(200)}` }]))).status).toBe(400);
    expect((await post(f.canvasEnvelope([good, good]))).status).toBe(400);
    expect((await post("[1, 2")).status).toBe(400);
    expect((await post([f.canvasEnvelope([good])])).status).toBe(400);
    expect(await count("SELECT count(*) AS n FROM event_sources")).toBe(before);
  });

  it("reads gzip, refuses invalid UTF-8 inside it and a 2 MB envelope", async () => {
    const event = f.canvasLoggedIn(`gz-${randomUUID().slice(0, 6)}`);
    expect((await post(gzipSync(JSON.stringify(f.canvasEnvelope([event]))), { "Content-Encoding": "gzip" })).status).toBe(200);
    const text = JSON.stringify(f.canvasEnvelope([f.canvasLoggedIn("gz-bad")]));
    const broken = Buffer.from(text.replace("gz-bad", "gz-b\u00e9d"), "utf8");
    const at = broken.indexOf(0xc3);
    broken[at + 1] = 0x28; // é's second byte replaced: not UTF-8 any more
    const res = await post(gzipSync(broken), { "Content-Encoding": "gzip", "Content-Type": "application/octet-stream" });
    expect(res.status).toBe(400);
    expect(await count("SELECT count(*) AS n FROM events WHERE learner_id = 'gz-bd'")).toBe(0);
    const big = f.canvasLoggedIn("big");
    (big.object as Record<string, unknown>).description = "d".repeat(2 * 1024 * 1024);
    expect((await post(f.canvasEnvelope([big]))).status).toBe(413);
  });

  it("maps a resent event that first arrived unmapped, once a mapping for it is saved", async () => {
    const event: Record<string, unknown> = { ...f.canvasLoggedIn("2107000000777"), type: "AnnotationEvent", action: "Highlighted", object: { id: "urn:x:page:1", type: "Page" } };
    const envelope = f.canvasEnvelope([event]);
    expect(await (await post(envelope)).json()).toMatchObject({ accepted: 0, unmapped: 1 });
    const saved = await fetch(`${base}/v1/mappings/canvas.highlighted`, {
      method: "PUT",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${engine.keys.author}` },
      body: JSON.stringify({ source: "caliper", match: { type: "AnnotationEvent", action: "Highlighted" }, eventType: "text.highlighted" }),
    });
    expect(saved.status).toBe(200);
    expect(await (await post(envelope)).json()).toMatchObject({ accepted: 1 });
    expect(await engine.ctx.prisma.event.findUniqueOrThrow({ where: { id: event.id as string } })).toMatchObject({ type: "text.highlighted", learnerId: "2107000000777" });
    expect(await engine.ctx.prisma.eventSource.findUniqueOrThrow({ where: { id: event.id as string } })).toMatchObject({
      status: "mapped",
      mappingKey: "canvas.highlighted",
      eventType: "text.highlighted",
    });
  });

  it("answers 401 without a key and 403 for an analyst key", async () => {
    expect((await post(f.canvasEnvelope([]), { Authorization: "" })).status).toBe(401);
    expect((await post(f.canvasEnvelope([]), { Authorization: `Bearer ${engine.keys.analyst}` })).status).toBe(403);
  });
});
