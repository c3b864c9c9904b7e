import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { connect, createServer as createNetServer, type AddressInfo } from "node:net";
import { waitFor } from "../setup/wait-for";
import { watchKeyLookups } from "../setup/key-lookups";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { clientAgent, inParallel, rawRequest, type RawResponse } from "../setup/raw-http";
import { closeServer, listen } from "../../src/http/server";
import { signLearnerToken } from "../../src/auth/learner-tokens";

const randomAdminKey = () => `coach_admin_${randomBytes(24).toString("base64url")}`;
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

/** Statuses in order, and the 429s' problem documents and Retry-After checked on the way. */
function statusesOf(responses: RawResponse[]): number[] {
  for (const res of responses.filter((r) => r.status === 429)) {
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 429, type: "https://coach.dev/problems/too-many-requests" });
    const retryAfter = Number(res.headers["retry-after"]);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
  }
  return responses.map((r) => r.status);
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe("failed authentication, limited per client address across processes", () => {
  // Two engines (two "processes") of one deployment: the same queue prefix, so the same counts in Redis.
  const prefix = `coach-test-${randomUUID().slice(0, 8)}`;
  let a: TestEngine;
  let b: TestEngine;
  let serverA: Server;
  let serverB: Server;
  let portA: number;
  let portB: number;

  beforeAll(async () => {
    // keepData for both: emptying the tables would give the second engine another engine identity, and a
    // prefix belongs to one engine (src/queue/prefix-owner.ts). Nothing here depends on earlier data.
    a = await startTestEngine({ env: { COACH_QUEUE_PREFIX: prefix }, keepData: true });
    b = await startTestEngine({ env: { COACH_QUEUE_PREFIX: prefix }, keepData: true });
    ({ server: serverA, port: portA } = await listen(a.app, 0));
    ({ server: serverB, port: portB } = await listen(b.app, 0));
  });
  afterAll(async () => {
    await Promise.all([closeServer(serverA), closeServer(serverB)]);
    await a.close();
    await b.close();
  });

  it("answers 3,000 random admin keys from one address with 30 × 401, then 429 with Retry-After, without looking the rest up", async () => {
    const lookups = watchKeyLookups(a.ctx);
    try {
      const agent = clientAgent("127.0.0.1");
      const responses = await inParallel(3_000, 16, () => rawRequest(portA, { path: "/v1/api-keys", headers: bearer(randomAdminKey()), agent }));
      agent.destroy();
      const statuses = statusesOf(responses);
      expect(count(statuses, 401)).toBe(30);
      expect(count(statuses, 429)).toBe(2_970);
      // The 31 counted up to the first refusal, plus at most the other 15 requests in flight then: everything
      // after was refused before its key was looked up.
      expect(lookups.total()).toBeLessThanOrEqual(31 + 15);
    } finally {
      lookups.stop();
    }
  });

  it("is refused by a second engine on the same Redis at its first request, even with a valid key; another address is not", async () => {
    expect((await rawRequest(portB, { path: "/v1/api-keys", headers: bearer(randomAdminKey()) })).status).toBe(429);
    const valid = await rawRequest(portB, { path: "/v1/api-keys", headers: bearer(b.keys.admin) });
    expect(valid.status).toBe(429); // blocked means blocked: the answer must not tell a right guess from a wrong one
    expect(Number(valid.headers["retry-after"])).toBeGreaterThanOrEqual(1);

    expect((await rawRequest(portB, { path: "/v1/api-keys", headers: bearer(b.keys.admin), localAddress: "127.0.0.2" })).status).toBe(200);
    expect((await rawRequest(portB, { path: "/v1/api-keys", headers: bearer(randomAdminKey()), localAddress: "127.0.0.2" })).status).toBe(401);
    expect((await rawRequest(portA, { path: "/v1/api-keys", headers: bearer(a.keys.admin), localAddress: "127.0.0.2" })).status).toBe(200);
  });

  it("counts only failures: 200 successful calls leave the whole allowance, and the 31st failure is refused", async () => {
    const agent = clientAgent("127.0.0.3", 4);
    const ok = await inParallel(200, 8, (i) => rawRequest(i % 2 ? portA : portB, { path: "/v1/api-keys", headers: bearer(i % 2 ? a.keys.admin : b.keys.admin), agent }));
    expect(ok.every((r) => r.status === 200)).toBe(true);
    const failures = [];
    for (let i = 0; i < 31; i++) failures.push(await rawRequest(i % 2 ? portA : portB, { path: "/v1/api-keys", headers: bearer(randomAdminKey()), agent }));
    agent.destroy();
    expect(statusesOf(failures)).toEqual([...new Array(30).fill(401), 429]);
  });

  it("counts a stale key once, not at each resend: a client stuck on it does not lock out its address", async () => {
    const stale = randomAdminKey();
    const resends = await inParallel(100, 1, () => rawRequest(portA, { path: "/v1/api-keys", headers: bearer(stale), localAddress: "127.0.0.9" }));
    expect(resends.every((r) => r.status === 401)).toBe(true);
    expect((await rawRequest(portA, { path: "/v1/api-keys", headers: bearer(a.keys.admin), localAddress: "127.0.0.9" })).status).toBe(200);
    // New guesses from that address are counted from 2: the 100 resends used up one failure between them.
    const guesses = [];
    for (let i = 0; i < 30; i++) guesses.push(await rawRequest(portA, { path: "/v1/api-keys", headers: bearer(randomAdminKey()), localAddress: "127.0.0.9" }));
    expect(statusesOf(guesses)).toEqual([...new Array(29).fill(401), 429]);
  });

  it("ignores X-Forwarded-For by default: a client cannot spread its failures over invented addresses", async () => {
    const responses = [];
    for (let i = 0; i < 35; i++) {
      responses.push(await rawRequest(portA, { path: "/v1/api-keys", headers: { ...bearer(randomAdminKey()), "x-forwarded-for": `198.51.100.${i}` }, localAddress: "127.0.0.4" }));
    }
    expect(statusesOf(responses)).toEqual([...new Array(30).fill(401), ...new Array(5).fill(429)]);
  });

  it("counts forged learner tokens but not expired ones (only the engine can sign those: a late caller, not a guess)", async () => {
    const expired = signLearnerToken(a.ctx.tokenKey, { learnerId: "L1", expiresAt: new Date(Date.now() - 60_000) });
    const late = await inParallel(40, 4, () => rawRequest(portA, { path: "/v1/learners/L1/messages", headers: bearer(expired), localAddress: "127.0.0.5" }));
    expect(late.every((r) => r.status === 401)).toBe(true);
    const forgedFrom = signLearnerToken(a.ctx.tokenKey, { learnerId: "L1", expiresAt: new Date(Date.now() + 60_000) });
    const forged = [];
    for (let i = 0; i < 31; i++) forged.push(await rawRequest(portA, { path: "/v1/learners/L1/messages", headers: bearer(`${forgedFrom.slice(0, -4)}${i}abc`), localAddress: "127.0.0.5" }));
    expect(statusesOf(forged)).toEqual([...new Array(30).fill(401), 429]);
  });
});

describe("failed authentication behind a trusted proxy", () => {
  let engine: TestEngine;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    engine = await startTestEngine({ env: { COACH_TRUST_PROXY: "loopback", COACH_AUTH_FAILURE_LIMIT: "5" } });
    ({ server, port } = await listen(engine.app, 0));
  });
  afterAll(async () => {
    await closeServer(server);
    await engine.close();
  });

  it("counts per forwarded client address when COACH_TRUST_PROXY names the proxy", async () => {
    const from = (ip: string, secret: string) => rawRequest(port, { path: "/v1/api-keys", headers: { ...bearer(secret), "x-forwarded-for": ip } });
    const blocked = [];
    for (let i = 0; i < 7; i++) blocked.push((await from("203.0.113.9", randomAdminKey())).status);
    expect(blocked).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect((await from("203.0.113.10", randomAdminKey())).status).toBe(401);
    expect((await from("203.0.113.10", engine.keys.admin)).status).toBe(200);
    // IPv6 clients count by /64: a fresh address in the same network is the same client.
    for (let i = 0; i < 5; i++) expect((await from(`2001:db8:7:7::${i + 1}`, randomAdminKey())).status).toBe(401);
    expect((await from("2001:db8:7:7:ffff::1", randomAdminKey())).status).toBe(429);
    expect((await from("2001:db8:7:8::1", randomAdminKey())).status).toBe(401);
  });
});

describe("failed authentication while Redis hangs or is gone (the in-memory insurance limiter)", () => {
  let redis: ChildProcess;
  let engine: TestEngine;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    const redisPort = await freePort();
    redis = spawn("redis-server", ["--port", String(redisPort), "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    await waitFor(
      () => canConnect(redisPort),
      (up) => up,
    );
    engine = await startTestEngine({ env: { REDIS_URL: `redis://127.0.0.1:${redisPort}` } });
    ({ server, port } = await listen(engine.app, 0));
    await waitFor(
      async () => engine.ctx.queues.connection.status,
      (s) => s === "ready",
    );
  });
  afterAll(async () => {
    if (redis.exitCode === null) {
      redis.kill("SIGCONT");
      redis.kill("SIGKILL");
    }
    await closeServer(server);
    await engine.close();
  });

  const failuresFrom = (localAddress: string, n: number) => inParallel(n, 8, () => rawRequest(port, { path: "/v1/api-keys", headers: bearer(randomAdminKey()), localAddress })).then(statusesOf);

  it("keeps counting in memory while Redis does not answer: every failure is answered, and the 31st is refused", async () => {
    redis.kill("SIGSTOP");
    try {
      const statuses = await failuresFrom("127.0.0.6", 40);
      expect(count(statuses, 401)).toBe(30);
      expect(count(statuses, 429)).toBe(10);
      expect((await rawRequest(port, { path: "/v1/api-keys", headers: bearer(engine.keys.admin), localAddress: "127.0.0.7" })).status).toBe(200);
    } finally {
      redis.kill("SIGCONT");
    }
  });

  it("and once Redis is gone", async () => {
    redis.kill("SIGKILL");
    await waitFor(
      async () => engine.ctx.queues.connection.status,
      (s) => s !== "ready",
    );
    const statuses = await failuresFrom("127.0.0.8", 40);
    expect(count(statuses, 401)).toBe(30);
    expect(count(statuses, 429)).toBe(10);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}
