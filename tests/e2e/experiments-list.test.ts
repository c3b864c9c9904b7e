/**
 * GET /v1/analytics/experiments lists every live rule that runs an experiment — an experiment setting, a
 * holdout, or two or more published variants — each with the same report GET /v1/analytics/experiments/{ruleKey}
 * gives (verdict in words, sample-ratio check, holdout lift); a single-variant rule and a deleted rule are not
 * listed; read access as for analytics.
 */
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { insertMessage } from "../factories/messages";

describe("the experiments list", () => {
  let engine: TestEngine;
  const as = (role: "analyst" | "author" | "ingest") => `Bearer ${engine.keys[role]}`;
  const send = (method: "post" | "delete", path: string, body?: object) => engine.http[method](path).set("Authorization", as("author")).send(body);

  beforeAll(async () => {
    engine = await startTestEngine();
    const variant = (key: string) => ({ key, title: `Title ${key}`, body: `Body ${key}`, weight: 1 });
    expect((await send("post", "/v1/templates", { key: "two", name: "Two variants", kind: "nudge", variants: [variant("A"), variant("B")] })).status).toBe(201);
    expect((await send("post", "/v1/templates", { key: "one", name: "One variant", kind: "nudge", variants: [variant("A")] })).status).toBe(201);
    const trigger = { eventType: "module.started" };
    for (const rule of [
      { key: "ab-split", name: "A/B by weight", templateKey: "two", trigger },
      { key: "bandit", name: "Bandit", templateKey: "two", trigger, experiment: { mode: "bandit" } },
      { key: "held", name: "Holdout only", templateKey: "one", trigger, holdout: { share: 0.2, followUp: { eventType: "module.completed", withinDays: 7 } } },
      { key: "plain", name: "Nothing to compare", templateKey: "one", trigger },
      { key: "gone", name: "Deleted", templateKey: "two", trigger },
    ])
      expect((await send("post", "/v1/rules", rule)).status).toBe(201);
    expect((await send("delete", "/v1/rules/gone")).status).toBe(204);
    const day = new Date("2026-11-20T10:00:00Z");
    for (let i = 0; i < 40; i++) {
      await insertMessage(engine.ctx, {
        ruleKey: "ab-split",
        templateKey: "two",
        variant: "A",
        deliveredAt: day,
        vote: i < 10 ? "helpful" : "not_helpful",
        assignment: { policy: "split", shares: { A: 0.5, B: 0.5 } },
      });
      await insertMessage(engine.ctx, {
        ruleKey: "ab-split",
        templateKey: "two",
        variant: "B",
        deliveredAt: day,
        vote: i < 35 ? "helpful" : "not_helpful",
        assignment: { policy: "split", shares: { A: 0.5, B: 0.5 } },
      });
    }
  });
  afterAll(async () => engine.close());

  it("lists the rules that run an experiment, each with its full report and a verdict in words", async () => {
    const res = await engine.http.get("/v1/analytics/experiments").set("Authorization", as("analyst"));
    expect(res.status).toBe(200);
    const list = res.body.experiments as Array<Record<string, unknown> & { ruleKey: string; verdict: { status: string; text: string } }>;
    expect(list.map((e) => e.ruleKey)).toEqual(["ab-split", "bandit", "held"]);
    const ab = list[0];
    expect(ab).toMatchObject({ ruleName: "A/B by weight", enabled: true, templateKey: "two", mode: "split", verdict: { status: "winner", winner: "B" } });
    expect(ab.verdict.text).toMatch(/^B is more helpful than A with \d+% probability$/);
    expect(ab.sampleRatio).toMatchObject({ flagged: false });
    const single = await engine.http.get("/v1/analytics/experiments/ab-split").set("Authorization", as("analyst"));
    const { ruleName: _name, enabled: _enabled, ...report } = ab;
    expect(report).toEqual(JSON.parse(JSON.stringify(single.body)));
    expect(list[2]).toMatchObject({ ruleKey: "held", holdout: { share: 0.2, lift: { followUp: { eventType: "module.completed", withinDays: 7 } } } });
    expect(list[1]).toMatchObject({ mode: "bandit", verdict: { status: "not_enough_data" } });
  });

  it("is empty, not an error, when nothing is being tested; authors read it, ingest keys get 403", async () => {
    expect((await engine.http.get("/v1/analytics/experiments").set("Authorization", as("author"))).status).toBe(200);
    expect((await engine.http.get("/v1/analytics/experiments").set("Authorization", as("ingest"))).status).toBe(403);
    for (const key of ["ab-split", "bandit", "held"]) expect((await send("delete", `/v1/rules/${key}`)).status).toBe(204);
    const res = await engine.http.get("/v1/analytics/experiments").set("Authorization", as("analyst"));
    expect(res.body).toEqual({ experiments: [] });
  });
});
