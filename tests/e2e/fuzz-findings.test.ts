/**
 * What the HTTP fuzz suite (tests/fuzz) found, pinned as plain cases: ids that are not UUIDs reaching uuid
 * columns (500), an audit row written for a delete that found nothing, and Node's bare answers (no body, no
 * problem+json) to requests its HTTP parser refuses before Express sees them.
 */
import type { Server } from "node:http";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { closeServer, listen } from "../../src/http/server";
import { rawExchange, type RawAnswer } from "../fuzz/raw-exchange";
import { insertMessage } from "../factories/messages";

describe("requests the fuzz suite found answered wrongly", () => {
  let engine: TestEngine;
  const as = (role: "admin" | "ingest" | "author") => `Bearer ${engine.keys[role]}`;
  const expectProblem = (res: { status: number; headers: Record<string, string | undefined>; body: { status?: number } }, status: number) => {
    expect({ status: res.status, problemStatus: res.body.status }).toEqual({ status, problemStatus: status });
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  };

  // The real server too, for bytes supertest would not send.
  let server: Server;
  let port: number;
  beforeAll(async () => {
    engine = await startTestEngine();
    ({ server, port } = await listen(engine.app, 0, { limits: engine.ctx.config.http }));
  });
  afterAll(async () => {
    await closeServer(server, 1_000);
    await engine.close();
  });

  describe("ids of uuid columns given as something else are 404, not a 500 from PostgreSQL", () => {
    const notUuids = ["fz", "-".repeat(36), "abcdefabcdefabcdefabcdefabcdefabcdef", "6f1e2d3c-4b5a-4697-8877-66554433221g", "%C3%A9", "a%20b"];

    it.each(notUuids)("DELETE /v1/api-keys/%s", async (id) => {
      const res = await engine.http.delete(`/v1/api-keys/${id}`).set("Authorization", as("admin"));
      expectProblem(res, 404);
    });

    it.each(notUuids)("GET /v1/messages/%s and its feedback", async (id) => {
      expectProblem(await engine.http.get(`/v1/messages/${id}`).set("Authorization", as("admin")), 404);
      expectProblem(await engine.http.post(`/v1/messages/${id}/feedback`).set("Authorization", as("ingest")).send({ learnerId: "L1", type: "seen" }), 404);
    });

    it("still finds a real message, whatever the case of its id", async () => {
      const message = await insertMessage(engine.ctx, { learnerId: "L1" });
      expect((await engine.http.get(`/v1/messages/${message.id.toUpperCase()}`).set("Authorization", as("admin"))).status).toBe(200);
      expect((await engine.http.post(`/v1/messages/${message.id}/feedback`).set("Authorization", as("ingest")).send({ learnerId: "L1", type: "seen" })).status).toBe(200);
    });
  });

  it("DELETE of a mapping that is not saved answers 404 and writes no audit row", async () => {
    const audit = async () => Number((await engine.ctx.database.pool.query<{ n: string }>("SELECT count(*) AS n FROM audit_log")).rows[0].n);
    const before = await audit();
    expectProblem(await engine.http.delete("/v1/mappings/never.saved").set("Authorization", as("author")), 404);
    expect(await audit()).toBe(before);
    const saved = await engine.http
      .put("/v1/mappings/fz.saved")
      .set("Authorization", as("author"))
      .send({ source: "segment", match: { event: "Saved" }, eventType: "fz.saved" });
    expect(saved.status).toBe(200);
    expect((await engine.http.delete("/v1/mappings/fz.saved").set("Authorization", as("author"))).status).toBe(204);
    const { rows } = await engine.ctx.database.pool.query<{ action: string }>("SELECT action FROM audit_log WHERE entity_key = 'fz.saved' ORDER BY id");
    expect(rows.map((r) => r.action)).toEqual(["mapping.saved", "mapping.deleted"]);
  });

  describe("a body no parser read is 415, never read as an empty body", () => {
    const policy = async () => (await engine.http.get("/v1/policy").set("Authorization", as("author"))).body as Record<string, unknown>;

    it("PUT /v1/policy sent as a form, or with no Content-Type, leaves the policy as it was", async () => {
      await engine.http.put("/v1/policy").set("Authorization", as("author")).send({ maxPerDay: 7 }).expect(200);
      const before = await policy();
      const form = await engine.http.put("/v1/policy").set("Authorization", as("author")).type("form").send("maxPerDay=1");
      expectProblem(form, 415);
      expect(form.body.type).toMatch(/unsupported-media-type$/);
      const untyped = await rawExchange(port, { method: "PUT", target: "/v1/policy", headers: [["Authorization", as("author")]], body: Buffer.from('{"maxPerDay":1}') });
      expect(untyped.status).toBe(415);
      expect(await policy()).toEqual(before);
      expect(before.maxPerDay).toBe(7);
    });

    it("decides access first (a wrong role is 403), and lets bodiless requests and JSON through", async () => {
      expect((await engine.http.put("/v1/policy").set("Authorization", as("ingest")).type("form").send("maxPerDay=1")).status).toBe(403);
      expect(
        (
          await engine.http
            .put("/v1/policy")
            .set("Authorization", as("author"))
            .set("Content-Type", "text/plain")
            .send(JSON.stringify({ maxPerDay: 7 }))
        ).status,
      ).toBe(200);
      await engine.http.post("/v1/segments").set("Authorization", as("author")).send({ key: "s-415", name: "S", type: "static" }).expect(201);
      expect((await engine.http.post("/v1/segments/s-415/refresh").set("Authorization", as("author")).set("Content-Length", "0")).status).toBe(200);
    });
  });

  describe("requests Node's HTTP parser refuses are answered with problem+json too", () => {
    const expectRawProblem = (answer: RawAnswer, status: number, type: RegExp) => {
      expect(answer.status).toBe(status);
      expect(answer.headers["content-type"]).toMatch(/^application\/problem\+json/);
      const body = JSON.parse(answer.body.toString("utf8")) as { status: number; type: string; title: string; detail: string };
      expect(body).toMatchObject({ status, type: expect.stringMatching(type), title: expect.any(String), detail: expect.any(String) });
    };
    const get = (headers: Array<[string, string]>, target = "/healthz") => rawExchange(port, { method: "GET", target, headers });

    it("headers past 16 KB: 431", async () => {
      expectRawProblem(await get([["X-Padding", "x".repeat(20_000)]]), 431, /request-header-fields-too-large$/);
      expectRawProblem(await get([], `/v1/learners/${"x".repeat(20_000)}/messages`), 431, /request-header-fields-too-large$/);
    });

    it("a header value with a control character, and Content-Length beside Transfer-Encoding: 400", async () => {
      expectRawProblem(await get([["X-Control", "a\u0001b"]]), 400, /http-parse$/);
      const smuggled = await rawExchange(port, {
        method: "POST",
        target: "/v1/events",
        headers: [
          ["Content-Length", "4"],
          ["Transfer-Encoding", "chunked"],
        ],
        body: Buffer.from("0\r\n\r\n"),
      });
      expectRawProblem(smuggled, 400, /http-parse$/);
    });

    it("an Expect other than 100-continue: 417", async () => {
      expectRawProblem(await get([["Expect", "bogus"]]), 417, /expectation-failed$/);
    });

    it("keeps serving ordinary requests on the same server", async () => {
      expect((await get([])).status).toBe(200);
    });
  });
});
