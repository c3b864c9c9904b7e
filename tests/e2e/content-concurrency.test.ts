/**
 * Staff editing rules, segments and templates at the same time: the database decides who wins. Concurrent
 * creates of one key give one 201 and 409s (never a 500); an update that names the version it read (If-Match
 * or the version GET returned) fails with 409 and the current version instead of losing the other change;
 * the audit row commits with the change or not at all; and PUT takes exactly what GET gave.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startTestEngine, type TestEngine } from "../setup/test-engine";

describe("concurrent edits of rules, segments and templates", () => {
  let engine: TestEngine;
  const author = () => `Bearer ${engine.keys.author}`;
  const template = { key: "tip", name: "Tip", kind: "nudge", variants: [{ key: "A", title: "Tip", body: "Hi {{learner.firstName}}", weight: 1 }] };
  const rule = (key: string) => ({
    key,
    name: `Rule ${key}`,
    templateKey: "tip",
    trigger: { eventType: "quiz.submitted", where: { all: [{ field: "event.properties.score", op: "lt", value: 0.5 }] } },
  });
  const audits = (entityKey: string, action?: string) => engine.ctx.prisma.auditLog.count({ where: { entityKey, ...(action ? { action } : {}) } });

  let server: Server;
  let base: string;

  beforeAll(async () => {
    engine = await startTestEngine();
    server = engine.app.listen(0);
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await engine.http.post("/v1/templates").set("Authorization", author()).send(template)).status).toBe(201);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await engine.close();
  });

  /**
   * Ten POSTs of one body released together on a listening server (supertest starts a server per request,
   * which spreads them out): several rounds, so the check-then-insert race of a store is actually hit.
   */
  async function createAtOnce(path: string, body: (round: number) => Record<string, unknown>, rounds = 5) {
    const rounds_: Array<Array<{ status: number; body: Record<string, unknown>; type: string }>> = [];
    for (let round = 0; round < rounds; round++) {
      rounds_.push(
        await Promise.all(
          Array.from({ length: 10 }, async () => {
            const res = await fetch(`${base}${path}`, { method: "POST", headers: { authorization: author(), "content-type": "application/json" }, body: JSON.stringify(body(round)) });
            return { status: res.status, body: (await res.json()) as Record<string, unknown>, type: res.headers.get("content-type") ?? "" };
          }),
        ),
      );
    }
    return rounds_;
  }

  it("when ten authors create the same rule key at once, exactly one gets 201 and nine get 409, none a 500", async () => {
    for (const [round, answers] of (await createAtOnce("/v1/rules", (round) => rule(`same-key-${round}`))).entries()) {
      expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(409)]);
      for (const a of answers.filter((x) => x.status === 409)) {
        expect(a.type).toMatch(/application\/problem\+json/);
        expect(a.body).toMatchObject({ status: 409, type: expect.stringMatching(/conflict$/) });
      }
      expect(await engine.ctx.prisma.rule.count({ where: { key: `same-key-${round}` } })).toBe(1);
      expect(await audits(`same-key-${round}`, "rule.created")).toBe(1);
    }
  });

  it("when a deleted rule's key is re-created by ten authors at once, one revives it and nine get 409", async () => {
    for (let round = 0; round < 3; round++) {
      expect(
        (
          await engine.http
            .post("/v1/rules")
            .set("Authorization", author())
            .send(rule(`phoenix-${round}`))
        ).status,
      ).toBe(201);
      expect((await engine.http.delete(`/v1/rules/phoenix-${round}`).set("Authorization", author())).status).toBe(204);
    }
    for (const [round, answers] of (await createAtOnce("/v1/rules", (round) => rule(`phoenix-${round}`), 3)).entries()) {
      expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(409)]);
      expect(answers.find((a) => a.status === 201)!.body.version).toBe(2);
      expect(await audits(`phoenix-${round}`, "rule.created")).toBe(2);
    }
  });

  it("when ten authors create the same segment key at once, exactly one gets 201", async () => {
    for (const [round, answers] of (await createAtOnce("/v1/segments", (round) => ({ key: `vip-${round}`, name: "VIP", type: "static" }))).entries()) {
      expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(409)]);
      expect(await audits(`vip-${round}`, "segment.created")).toBe(1);
    }
  });

  it("when two authors PUT a rule with the same If-Match, one gets 200 and the other 409 with the current version", async () => {
    const created = await engine.http.post("/v1/rules").set("Authorization", author()).send(rule("contested"));
    expect(created.headers.etag).toBe('"1"');
    const [a, b] = await Promise.all(
      [5, 7].map((priority) =>
        engine.http
          .put("/v1/rules/contested")
          .set("Authorization", author())
          .set("If-Match", '"1"')
          .send({ ...rule("contested"), key: undefined, priority }),
      ),
    );
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const [won, lost] = a.status === 200 ? [a, b] : [b, a];
    expect(won.body.version).toBe(2);
    expect(won.headers.etag).toBe('"2"');
    expect(lost.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(lost.body).toMatchObject({ status: 409, currentVersion: 2, type: expect.stringMatching(/version-conflict$/) });
    const stored = await engine.http.get("/v1/rules/contested").set("Authorization", author());
    expect(stored.body.priority).toBe(won.body.priority); // the loser changed nothing
    expect(await audits("contested", "rule.updated")).toBe(1);
  });

  it("without If-Match the last write wins, as before, and each write gets its own version", async () => {
    const writes = await Promise.all(
      [1, 2, 3].map((priority) =>
        engine.http
          .put("/v1/rules/contested")
          .set("Authorization", author())
          .send({ ...rule("contested"), key: undefined, priority }),
      ),
    );
    expect(writes.map((w) => w.status)).toEqual([200, 200, 200]);
    expect(writes.map((w) => w.body.version).sort()).toEqual([3, 4, 5]);
  });

  it("accepts back exactly what GET returned (a round trip), conditional on the version in it", async () => {
    const got = await engine.http.get("/v1/rules/contested").set("Authorization", author());
    expect(got.headers.etag).toBe(`"${got.body.version}"`);
    const edited = { ...got.body, name: "Edited in the admin" };
    const put = await engine.http.put("/v1/rules/contested").set("Authorization", author()).send(edited);
    expect(put.status).toBe(200);
    const version = put.body.version;
    expect(version).toBe(got.body.version + 1);
    expect(put.body.name).toBe("Edited in the admin");
    const definition = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([k]) => !["version", "updatedAt", "name"].includes(k)));
    expect(definition(put.body)).toEqual(definition(got.body));
    // The same body again is now stale: its version moved on.
    const stale = await engine.http.put("/v1/rules/contested").set("Authorization", author()).send(edited);
    expect(stale.status).toBe(409);
    expect(stale.body.currentVersion).toBe(version);
    // The key is read-only: another key is 400, and If-Match disagreeing with the body is 400.
    expect(
      (
        await engine.http
          .put("/v1/rules/contested")
          .set("Authorization", author())
          .send({ ...put.body, key: "other" })
      ).status,
    ).toBe(400);
    const disagree = await engine.http
      .put("/v1/rules/contested")
      .set("Authorization", author())
      .set("If-Match", `"${version}"`)
      .send({ ...put.body, version: version - 1 });
    expect(disagree.status).toBe(400);
    expect((await engine.http.put("/v1/rules/contested").set("Authorization", author()).set("If-Match", '"x", "1"').send(put.body)).status).toBe(400);
    // A weak tag (a compressing proxy weakens ETags) still names the version: stale here, so 409.
    expect(
      (
        await engine.http
          .put("/v1/rules/contested")
          .set("Authorization", author())
          .set("If-Match", `W/"${version - 1}"`)
          .send({ ...put.body, version: undefined })
      ).status,
    ).toBe(409);
  });

  it("writes the audit row if and only if the change commits", async () => {
    await engine.http.post("/v1/rules").set("Authorization", author()).send(rule("audited"));
    // A reference that fails validation inside the transaction: nothing changes, nothing is audited.
    const bad = await engine.http
      .put("/v1/rules/audited")
      .set("Authorization", author())
      .send({ ...rule("audited"), templateKey: "missing" });
    expect(bad.status).toBe(400);
    expect((await engine.ctx.prisma.rule.findUniqueOrThrow({ where: { key: "audited" } })).version).toBe(1);
    expect(await audits("audited", "rule.updated")).toBe(0);
    // A stale If-Match: nothing changes, nothing is audited.
    expect(
      (
        await engine.http
          .put("/v1/rules/audited")
          .set("Authorization", author())
          .set("If-Match", "7")
          .send({ ...rule("audited"), key: undefined })
      ).status,
    ).toBe(409);
    expect(await audits("audited", "rule.updated")).toBe(0);
    // The audit insert itself fails (the worst moment: after the change was written): the change is rolled back.
    const pool = engine.ctx.database.pool;
    await pool.query(`CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$`);
    await pool.query(`CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW WHEN (NEW.entity_key IN ('audited', 'audited-seg')) EXECUTE FUNCTION test_refuse_audit()`);
    try {
      const refused = await engine.http
        .put("/v1/rules/audited")
        .set("Authorization", author())
        .send({ ...rule("audited"), key: undefined, priority: 9 });
      expect(refused.status).toBe(500);
      const row = await engine.ctx.prisma.rule.findUniqueOrThrow({ where: { key: "audited" } });
      expect([row.version, row.priority]).toEqual([1, 0]);
      expect((await engine.http.delete("/v1/rules/audited").set("Authorization", author())).status).toBe(500);
      expect((await engine.ctx.prisma.rule.findUniqueOrThrow({ where: { key: "audited" } })).deletedAt).toBeNull();
      expect((await engine.http.post("/v1/segments").set("Authorization", author()).send({ key: "audited-seg", name: "S", type: "static" })).status).toBe(500);
      expect(await engine.ctx.prisma.segment.count({ where: { key: "audited-seg" } })).toBe(0);
    } finally {
      await pool.query(`DROP TRIGGER test_refuse_audit ON audit_log`);
      await pool.query(`DROP FUNCTION test_refuse_audit()`);
    }
    const ok = await engine.http
      .put("/v1/rules/audited")
      .set("Authorization", author())
      .send({ ...rule("audited"), key: undefined, priority: 9 });
    expect(ok.status).toBe(200);
    expect(await audits("audited", "rule.updated")).toBe(1);
  });

  it("segments: ETag, If-Match races, and a GET-edit-PUT round trip that keeps the type", async () => {
    const created = await engine.http
      .post("/v1/segments")
      .set("Authorization", author())
      .send({ key: "keen", name: "Keen", type: "attributes", conditions: { field: "learner.attributes.track", op: "eq", value: "paid" } });
    expect(created.status).toBe(201);
    const got = await engine.http.get("/v1/segments/keen").set("Authorization", author());
    expect(got.headers.etag).toBe('"1"');
    const [a, b] = await Promise.all(["One", "Two"].map((name) => engine.http.put("/v1/segments/keen").set("Authorization", author()).set("If-Match", got.headers.etag).send({ name })));
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect((a.status === 409 ? a : b).body.currentVersion).toBe(2);
    const fresh = await engine.http.get("/v1/segments/keen").set("Authorization", author());
    const round = await engine.http
      .put("/v1/segments/keen")
      .set("Authorization", author())
      .send({ ...fresh.body, name: "Keen again" });
    expect(round.status).toBe(200);
    expect(round.body).toMatchObject({ name: "Keen again", version: 3, type: "attributes", conditions: fresh.body.conditions });
    expect(
      (
        await engine.http
          .put("/v1/segments/keen")
          .set("Authorization", author())
          .send({ ...round.body, type: "sql" })
      ).status,
    ).toBe(400);
    expect(
      (
        await engine.http
          .put("/v1/segments/keen")
          .set("Authorization", author())
          .send({ ...round.body, key: "other" })
      ).status,
    ).toBe(400);
    expect((await engine.http.put("/v1/segments/keen").set("Authorization", author()).send(fresh.body)).status).toBe(409);
    expect((await engine.http.delete("/v1/segments/keen").set("Authorization", author()).set("If-Match", '"1"')).status).toBe(409);
    expect((await engine.http.delete("/v1/segments/keen").set("Authorization", author()).set("If-Match", '"3"')).status).toBe(204);
    expect(await audits("keen", "segment.updated")).toBe(2);
  });

  it("templates: a GET-edit-PUT round trip adds a version; two PUTs on the same latest version give one 200 and one 409", async () => {
    const got = await engine.http.get("/v1/templates/tip").set("Authorization", author());
    expect(got.headers.etag).toBe(`"${got.body.latestVersion}"`);
    const round = await engine.http
      .put("/v1/templates/tip")
      .set("Authorization", author())
      .send({ ...got.body, name: "Tip v2" });
    expect(round.status).toBe(200);
    expect(round.body).toMatchObject({ name: "Tip v2", version: got.body.latestVersion + 1, latestVersion: got.body.latestVersion + 1 });
    expect(round.headers.etag).toBe(`"${round.body.latestVersion}"`);
    const [a, b] = await Promise.all(
      ["Tip A", "Tip B"].map((name) =>
        engine.http
          .put("/v1/templates/tip")
          .set("Authorization", author())
          .set("If-Match", round.headers.etag)
          .send({ ...template, key: undefined, name }),
      ),
    );
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect((a.status === 409 ? a : b).body.currentVersion).toBe(round.body.latestVersion + 1);
    // Sending back an older GET is stale; an unconditional PUT still works.
    expect((await engine.http.put("/v1/templates/tip").set("Authorization", author()).send(round.body)).status).toBe(409);
    expect(
      (
        await engine.http
          .put("/v1/templates/tip")
          .set("Authorization", author())
          .send({ ...template, key: undefined })
      ).status,
    ).toBe(200);
    const versions = await engine.ctx.prisma.templateVersion.count({ where: { templateKey: "tip" } });
    expect(await audits("tip", "template.updated")).toBe(versions - 1);
  });
});
