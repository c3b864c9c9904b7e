import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { clientAgent, inParallel, rawRequest } from "../setup/raw-http";
import { waitFor } from "../setup/wait-for";
import { watchKeyLookups } from "../setup/key-lookups";
import { closeServer, listen } from "../../src/http/server";
import { hashSecret } from "../../src/auth/secrets";
import { credentialGuard } from "../../src/http/middleware/authenticate";

/** The unknown side of the key cache in this test: the flood below is twice this and a little more. */
const REMEMBERED = 500;

describe("API-key lookups under a flood of unknown keys", () => {
  let engine: TestEngine;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    // A distributed flood (each address under the failure limit, behind a trusted proxy); a key TTL longer than
    // the test, so every lookup counted below is one the cache could not answer; an unknown side of REMEMBERED
    // entries (10,000 by default), so the flood goes twice past it in a fraction of the requests.
    engine = await startTestEngine({ env: { COACH_TRUST_PROXY: "loopback", COACH_AUTH_KEY_CACHE_SECONDS: "3600", COACH_AUTH_UNKNOWN_KEYS_REMEMBERED: String(REMEMBERED) } });
    ({ server, port } = await listen(engine.app, 0));
  });
  afterAll(async () => {
    await closeServer(server);
    await engine.close();
  });

  it("looks each unknown key up once, and a valid key never again, while unknown keys from as many addresses pour in, twice past the cache's unknown side", async () => {
    const valid = { authorization: `Bearer ${engine.keys.ingest}`, "x-forwarded-for": "192.0.2.1" };
    const issueToken = () => rawRequest(port, { method: "POST", path: "/v1/learner-tokens", headers: valid, body: { learnerId: "L1" }, agent });
    const agent = clientAgent("127.0.0.1", 16);
    expect((await issueToken()).status).toBe(201); // warms the cache with the valid key

    const lookups = watchKeyLookups(engine.ctx);
    const unknown = 2 * REMEMBERED + 50; // past the size at which the old cache cleared itself, valid keys included
    try {
      const results = await inParallel(unknown + unknown / 50, 16, (i) => {
        if (i % 51 === 50) return issueToken(); // a valid request after every 50 unknown keys
        const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
        const headers = { authorization: `Bearer coach_ingest_${randomBytes(24).toString("base64url")}`, "x-forwarded-for": address };
        return rawRequest(port, { method: "POST", path: "/v1/learner-tokens", headers, body: { learnerId: "L1" }, agent });
      });
      const validResults = results.filter((_, i) => i % 51 === 50);
      expect(validResults.length).toBe(unknown / 50);
      expect(validResults.every((r) => r.status === 201)).toBe(true);
      expect(results.filter((r) => r.status === 401).length).toBe(unknown);
      // Each unknown key asked about once, the valid one never (the old cache, cleared whole at 10,000 entries,
      // had to ask for it again).
      expect(lookups.hashes.size).toBe(unknown);
      expect([...lookups.hashes.values()].every((n) => n === 1)).toBe(true);
      expect(lookups.hashes.has(hashSecret(engine.keys.ingest))).toBe(false);
      // The unknown side stayed at its bound (the setting reached this process's cache), the valid key beside it.
      expect(credentialGuard(engine.ctx).keys.stats()).toEqual({ lookups: unknown + 1, validEntries: 1, unknownEntries: REMEMBERED });
    } finally {
      lookups.stop();
      agent.destroy();
    }
  }, 180_000); // ~1,000 requests: a few seconds on a quiet machine; the bound is for a busy one
});

describe("an API key's lastUsedAt", () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine.close());

  it("is written when the key is used, at most once a minute per process, without holding up the request", async () => {
    const admin = `Bearer ${engine.keys.admin}`;
    const created = await engine.http.post("/v1/api-keys").set("Authorization", admin).send({ name: "player", role: "ingest" });
    expect(created.body.lastUsedAt).toBeNull();
    const before = Date.now();
    const call = () => engine.http.post("/v1/learner-tokens").set("Authorization", `Bearer ${created.body.secret}`).send({ learnerId: "L1" });
    expect((await call()).status).toBe(201);

    const listed = async () => (await engine.http.get("/v1/api-keys").set("Authorization", admin)).body.apiKeys.find((k: { id: string }) => k.id === created.body.id);
    const first = await waitFor(listed, (k) => k.lastUsedAt !== null);
    expect(Date.parse(first.lastUsedAt)).toBeGreaterThanOrEqual(before - 1_000);

    for (let i = 0; i < 20; i++) expect((await call()).status).toBe(201);
    const stored = await engine.ctx.prisma.apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(stored.lastUsedAt?.toISOString()).toBe(first.lastUsedAt); // throttled: the 20 later uses wrote nothing
  });
});
