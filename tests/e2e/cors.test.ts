/**
 * Browsers reach the learner-facing endpoints only, from the origins in COACH_CORS_ORIGINS, and only with a
 * learner token; server-key endpoints never answer a cross-origin browser; the widget's bundle is public.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startTestEngine, type TestEngine } from "../setup/test-engine";

const PLAYER = "https://player.example.com";

describe("CORS for browser-side course players", () => {
  let engine: TestEngine;
  let token: string;

  beforeAll(async () => {
    engine = await startTestEngine({ env: { COACH_CORS_ORIGINS: `${PLAYER},https://other.example.org` } });
    token = (await engine.http.post("/v1/learner-tokens").set("Authorization", `Bearer ${engine.keys.ingest}`).send({ learnerId: "cors-1" })).body.token;
  });
  afterAll(async () => engine.close());

  const preflight = (path: string, origin: string, method = "POST") =>
    engine.http.options(path).set("Origin", origin).set("Access-Control-Request-Method", method).set("Access-Control-Request-Headers", "authorization, content-type");

  it.each([
    ["/v1/learners/cors-1/messages", "GET"],
    ["/v1/learners/cors-1/stream", "GET"],
    ["/v1/learners/cors-1/goals", "GET"],
    ["/v1/learners/cors-1/preferences", "PUT"],
    ["/v1/messages/00000000-0000-4000-8000-000000000000/feedback", "POST"],
  ])("answers the preflight of %s for an allowed origin", async (path, method) => {
    const res = await preflight(path, PLAYER, method);
    expect(res.status).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe(PLAYER);
    expect(res.headers["access-control-allow-headers"]).toMatch(/Authorization/);
    expect(res.headers["access-control-allow-credentials"]).toBeUndefined();
  });

  it("refuses the preflight of an origin not on the list, and of a server-key endpoint from any origin", async () => {
    for (const [path, origin] of [
      ["/v1/learners/cors-1/messages", "https://evil.example"],
      ["/v1/events", PLAYER],
      ["/v1/api-keys", PLAYER],
      ["/v1/templates", PLAYER],
    ]) {
      const res = await preflight(path, origin);
      expect(res.status).toBe(403);
      expect(res.headers["access-control-allow-origin"]).toBeUndefined();
      expect(res.type).toBe("application/problem+json");
    }
  });

  it("marks the learner's own answers for the allowed origin only", async () => {
    const allowed = await engine.http.get("/v1/learners/cors-1/messages").set("Origin", PLAYER).set("Authorization", `Bearer ${token}`);
    expect(allowed.status).toBe(200);
    expect(allowed.headers["access-control-allow-origin"]).toBe(PLAYER);
    expect(allowed.headers["vary"]).toMatch(/Origin/);
    const stranger = await engine.http.get("/v1/learners/cors-1/messages").set("Origin", "https://evil.example").set("Authorization", `Bearer ${token}`);
    expect(stranger.headers["access-control-allow-origin"]).toBeUndefined();
    const serverEndpoint = await engine.http.get("/v1/rules").set("Origin", PLAYER).set("Authorization", `Bearer ${engine.keys.author}`);
    expect(serverEndpoint.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("refuses a server key sent by a page on an allowed origin: browsers hold learner tokens", async () => {
    const res = await engine.http.get("/v1/learners/cors-1/messages").set("Origin", PLAYER).set("Authorization", `Bearer ${engine.keys.ingest}`);
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/learner token/);
    expect(res.headers["access-control-allow-origin"]).toBe(PLAYER); // so the page can read why
  });

  it("opens nothing to browsers by default (same origin only)", async () => {
    const plain = await startTestEngine();
    try {
      const res = await plain.http.options("/v1/learners/x/messages").set("Origin", PLAYER).set("Access-Control-Request-Method", "GET");
      expect(res.status).toBe(403);
      expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it("serves the widget as a public, cacheable ES module, the versioned URL immutable", async () => {
    const plain = await engine.http.get("/sdk/coach-inbox.js");
    expect(plain.status).toBe(200);
    expect(plain.type).toBe("text/javascript");
    expect(plain.headers["access-control-allow-origin"]).toBe("*");
    expect(plain.headers["cross-origin-resource-policy"]).toBe("cross-origin");
    expect(plain.headers["cache-control"]).toMatch(/max-age=300/);
    const etag = plain.headers["etag"];
    expect((await engine.http.get("/sdk/coach-inbox.js").set("If-None-Match", etag)).status).toBe(304);
    const { version } = JSON.parse(readFileSync(join(__dirname, "../../packages/coach-inbox/package.json"), "utf8")) as { version: string };
    const pinned = await engine.http.get(`/sdk/coach-inbox@${version}.js`);
    expect(pinned.headers["cache-control"]).toMatch(/immutable/);
    expect((await engine.http.get("/sdk/coach-inbox@0.0.0-nope.js")).status).toBe(404);
  });
});
