import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import type { Role } from "../../src/auth/principal";

type Caller = "none" | Role;
const CALLERS: Caller[] = ["none", "ingest", "author", "analyst", "admin"];

/** Each endpoint with the callers allowed; everyone else gets 401 (no key) or 403 (wrong role). */
const MATRIX: Array<{ method: "get" | "post" | "delete"; path: string; body?: () => unknown; allowed: Caller[]; ok: number }> = [
  { method: "post", path: "/v1/events", body: () => buildEvent(), allowed: ["ingest", "admin"], ok: 202 },
  { method: "post", path: "/v1/learner-tokens", body: () => ({ learnerId: "L1" }), allowed: ["ingest", "admin"], ok: 201 },
  { method: "get", path: "/v1/api-keys", allowed: ["admin"], ok: 200 },
  { method: "post", path: "/v1/api-keys", body: () => ({ name: "k", role: "analyst" }), allowed: ["admin"], ok: 201 },
];

describe("role matrix", () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine.close());

  const cases = MATRIX.flatMap((m) => CALLERS.map((caller) => [m.method.toUpperCase(), m.path, caller, m] as const));

  it.each(cases)("%s %s as %s gets the contract's status", async (_m, _p, caller, m) => {
    let req = engine.http[m.method](m.path);
    if (caller !== "none") req = req.set("Authorization", `Bearer ${engine.keys[caller]}`);
    const res = m.body ? await req.send(m.body() as object) : await req;
    const expected = caller === "none" ? 401 : m.allowed.includes(caller) ? m.ok : 403;
    expect(res.status).toBe(expected);
    if (expected >= 400) expect(res.headers["content-type"]).toMatch(/problem\+json/);
  });

  it("rejects an unknown key with 401", async () => {
    const res = await engine.http.get("/v1/api-keys").set("Authorization", "Bearer coach_admin_not-a-real-key");
    expect(res.status).toBe(401);
  });

  it("accepts the ingest secret as the HTTP Basic user name, as Segment's libraries send it", async () => {
    const res = await engine.http.post("/v1/events").auth(engine.keys.ingest, "").send(buildEvent());
    expect(res.status).toBe(202);
  });

  it("shows a new key's secret once, lists it without the secret, and revokes it", async () => {
    const admin = `Bearer ${engine.keys.admin}`;
    const created = await engine.http.post("/v1/api-keys").set("Authorization", admin).send({ name: "player", role: "ingest" });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^coach_ingest_/);
    const listed = await engine.http.get("/v1/api-keys").set("Authorization", admin);
    const entry = listed.body.apiKeys.find((k: { id: string }) => k.id === created.body.id);
    expect(entry).toMatchObject({ name: "player", role: "ingest" });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    const stored = await engine.ctx.prisma.apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(stored.secretHash).not.toContain(created.body.secret);

    expect((await engine.http.post("/v1/events").set("Authorization", `Bearer ${created.body.secret}`).send(buildEvent())).status).toBe(202);
    expect((await engine.http.delete(`/v1/api-keys/${created.body.id}`).set("Authorization", admin)).status).toBe(204);
    expect((await engine.http.post("/v1/events").set("Authorization", `Bearer ${created.body.secret}`).send(buildEvent())).status).toBe(401);
    expect((await engine.http.delete(`/v1/api-keys/${created.body.id}`).set("Authorization", admin)).status).toBe(404);
  });

  it("rejects an expired learner token with 401 and a learner token on a server endpoint with 403", async () => {
    const token = (await engine.http.post("/v1/learner-tokens").set("Authorization", `Bearer ${engine.keys.ingest}`).send({ learnerId: "L1" })).body.token;
    expect((await engine.http.post("/v1/events").set("Authorization", `Bearer ${token}`).send(buildEvent())).status).toBe(403);
    const forged = token.slice(0, -3) + "abc";
    expect((await engine.http.post("/v1/events").set("Authorization", `Bearer ${forged}`).send(buildEvent())).status).toBe(401);
  });

  it("serves the OpenAPI document describing every route", async () => {
    const res = await engine.http.get("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(["/v1/events", "/v1/api-keys", "/v1/api-keys/{id}", "/v1/learner-tokens"]));
  });
});
