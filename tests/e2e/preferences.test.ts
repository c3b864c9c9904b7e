import { startTestEngine, type TestEngine } from "../setup/test-engine";

describe("learner preferences", () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine.close());

  it("lets a learner token snooze coaching and opt out of a kind, and reads them back", async () => {
    const token = (await engine.http.post("/v1/learner-tokens").set("Authorization", `Bearer ${engine.keys.ingest}`).send({ learnerId: "me" })).body.token;
    const put = await engine.http
      .put("/v1/learners/me/preferences")
      .set("Authorization", `Bearer ${token}`)
      .send({ snoozeHours: 24, optedOutKinds: ["goal_prompt"] });
    expect(put.status).toBe(200);
    expect(put.body.optedOutKinds).toEqual(["goal_prompt"]);
    expect(Date.parse(put.body.snoozedUntil) - Date.now()).toBeGreaterThan(23 * 3600_000);
    const unsnooze = await engine.http.put("/v1/learners/me/preferences").set("Authorization", `Bearer ${engine.keys.ingest}`).send({ snoozeHours: 0 });
    expect(unsnooze.body).toMatchObject({ snoozedUntil: null, optedOutKinds: ["goal_prompt"] });
  });

  it("refuses another learner's token with 403 and an unknown kind with 400", async () => {
    const token = (await engine.http.post("/v1/learner-tokens").set("Authorization", `Bearer ${engine.keys.ingest}`).send({ learnerId: "me" })).body.token;
    expect((await engine.http.put("/v1/learners/you/preferences").set("Authorization", `Bearer ${token}`).send({ snoozeHours: 1 })).status).toBe(403);
    const bad = await engine.http
      .put("/v1/learners/me/preferences")
      .set("Authorization", `Bearer ${token}`)
      .send({ optedOutKinds: ["spam"] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe("optedOutKinds[0]");
  });
});
