import { get, type Server } from "node:http";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { clientAgent, rawRequest } from "../setup/raw-http";
import { insertMessage } from "../factories/messages";
import { closeServer, listen } from "../../src/http/server";
import type { Role } from "../../src/auth/principal";

const KEY_ROLES: Role[] = ["ingest", "author", "analyst"];

/** Bodies no route accepts: wrong types with NUL and a lone surrogate, malformed JSON, and nesting past 64 levels. */
const HOSTILE_BODIES: Array<[string, string]> = [
  ["an invalid object", JSON.stringify({ "bad\u0000key": "\ud800", learnerId: 42, events: "nope", name: ["x"], sql: { a: 1 } })],
  ["malformed JSON", '{"name": "unterminated'],
  ["70 levels of nesting", `${"[".repeat(70)}${"]".repeat(70)}`],
];

interface Operation {
  method: string;
  path: string;
  roles: Role[];
}

describe("authorization before the body is looked at", () => {
  let engine: TestEngine;
  let server: Server;
  let port: number;
  let operations: Operation[];
  const agent = clientAgent();

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ server, port } = await listen(engine.app, 0));
    // Every registered route, with its roles, from the OpenAPI document route() builds from the same specs.
    const doc = (await rawRequest(port, { path: "/openapi.json", agent })).body as { paths: Record<string, Record<string, { description?: string }>> };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) => {
        const access = /^Access: ([a-z, ]+?)(?: \(admin always\))?\./.exec(op.description ?? "")?.[1];
        if (!access || access === "public") return [];
        return [{ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, "x"), roles: access.split(", ") as Role[] }];
      }),
    );
  });
  afterAll(async () => {
    agent.destroy();
    await closeServer(server);
    await engine.close();
  });

  const send = (op: Operation, headers: Record<string, string>, body?: string) =>
    rawRequest(port, { method: op.method, path: `${op.path}?limit=-1&courseId=%00`, headers: { "content-type": "application/json", "x-experience-api-version": "1.0.3", ...headers }, body, agent });

  it("answers 403 to a key of the wrong role on every write route, whatever the body", async () => {
    const writes = operations.filter((op) => op.method !== "GET");
    expect(writes.length).toBeGreaterThanOrEqual(20); // the document was read, not an empty list
    const wrong: string[] = [];
    for (const op of writes) {
      for (const role of KEY_ROLES.filter((r) => !op.roles.includes(r))) {
        for (const [name, body] of HOSTILE_BODIES) {
          const res = await send(op, { authorization: `Bearer ${engine.keys[role]}` }, body);
          if (res.status !== 403 || !/problem\+json/.test(String(res.headers["content-type"]))) wrong.push(`${op.method} ${op.path} as ${role} with ${name}: ${res.status} ${res.text.slice(0, 120)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("answers 403 to a key of the wrong role on every read route, whatever the query", async () => {
    const wrong: string[] = [];
    for (const op of operations.filter((o) => o.method === "GET")) {
      for (const role of KEY_ROLES.filter((r) => !op.roles.includes(r))) {
        const res = await send(op, { authorization: `Bearer ${engine.keys[role]}` });
        if (res.status !== 403) wrong.push(`${op.method} ${op.path} as ${role}: ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("answers 401 without credentials and 403 to a learner token on every server route, whatever the body", async () => {
    const token = (await rawRequest(port, { method: "POST", path: "/v1/learner-tokens", headers: { authorization: `Bearer ${engine.keys.ingest}` }, body: { learnerId: "L1" }, agent })).body.token;
    const learnerScoped = /^\/v1\/(learners\/x\/(messages|stream|preferences|goals)|messages\/x\/feedback)$/;
    const wrong: string[] = [];
    for (const op of operations.filter((o) => o.method !== "GET")) {
      for (const [name, body] of HOSTILE_BODIES) {
        const anonymous = await send(op, {}, body);
        if (anonymous.status !== 401) wrong.push(`${op.method} ${op.path} without a key, ${name}: ${anonymous.status}`);
        if (learnerScoped.test(op.path)) continue;
        const learner = await send(op, { authorization: `Bearer ${token}` }, body);
        if (learner.status !== 403) wrong.push(`${op.method} ${op.path} with a learner token, ${name}: ${learner.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe("a learner token and the learnerId in a body", () => {
  let engine: TestEngine;
  let token: string;
  beforeAll(async () => {
    engine = await startTestEngine();
    token = (await engine.http.post("/v1/learner-tokens").set("Authorization", `Bearer ${engine.keys.ingest}`).send({ learnerId: "L1" })).body.token;
  });
  afterAll(async () => engine.close());

  const feedback = (messageId: string, body: unknown, auth: string) =>
    engine.http
      .post(`/v1/messages/${messageId}/feedback`)
      .set("Authorization", `Bearer ${auth}`)
      .send(body as object);

  it("may leave learnerId out of feedback: it is the token's learner", async () => {
    const m = await insertMessage(engine.ctx, { learnerId: "L1" });
    const res = await feedback(m.id, { type: "clicked" }, token);
    expect(res.status).toBe(200);
    expect(res.body.engagement.clickedAt).not.toBeNull();
    expect(await engine.ctx.prisma.feedback.count({ where: { messageId: m.id, learnerId: "L1" } })).toBe(1);
  });

  it("may give its own learnerId, and gets 403 for another learner's, before the rest of the body is validated", async () => {
    const m = await insertMessage(engine.ctx, { learnerId: "L1" });
    expect((await feedback(m.id, { learnerId: "L1", type: "seen" }, token)).status).toBe(200);
    expect((await feedback(m.id, { learnerId: "L2", type: "seen" }, token)).status).toBe(403);
    expect((await feedback(m.id, { learnerId: "L2", type: "no-such-type", extra: true }, token)).status).toBe(403);
    expect(await engine.ctx.prisma.feedback.count({ where: { messageId: m.id } })).toBe(1);
  });

  it("still validates the rest of the body for the token's own learner", async () => {
    const m = await insertMessage(engine.ctx, { learnerId: "L1" });
    const res = await feedback(m.id, { type: "no-such-type" }, token);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(["type"]);
  });

  it("does not let a server key leave learnerId out", async () => {
    const m = await insertMessage(engine.ctx, { learnerId: "L1" });
    const res = await feedback(m.id, { type: "seen" }, engine.keys.ingest);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(["learnerId"]);
  });

  it("takes an optional learnerId in preferences: the token's own is fine, another's is 403, a key's mismatch 400", async () => {
    const put = (learner: string, body: object, auth: string) => engine.http.put(`/v1/learners/${learner}/preferences`).set("Authorization", `Bearer ${auth}`).send(body);
    expect((await put("L1", { learnerId: "L1", snoozeHours: 1 }, token)).status).toBe(200);
    expect((await put("L1", { learnerId: "L2", snoozeHours: 1 }, token)).status).toBe(403);
    const mismatch = await put("L1", { learnerId: "L2", snoozeHours: 1 }, engine.keys.ingest);
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors[0].path).toBe("learnerId");
    expect((await put("L1", { snoozeHours: 0 }, engine.keys.ingest)).status).toBe(200);
  });

  it("takes a learner token as ?access_token= on the stream only, and never an API key there", async () => {
    const { server, port } = await listen(engine.app, 0);
    const open = (path: string) =>
      new Promise<{ status: number; type: string }>((resolve, reject) => {
        const req = get({ host: "127.0.0.1", port, path }, (res) => {
          resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]) });
          req.destroy(); // a stream never ends by itself
        });
        req.on("error", (err) => (err.message === "socket hang up" ? undefined : reject(err)));
      });
    try {
      expect(await open(`/v1/learners/L1/stream?access_token=${token}`)).toMatchObject({ status: 200, type: expect.stringMatching(/text\/event-stream/) });
      expect((await open(`/v1/learners/L2/stream?access_token=${token}`)).status).toBe(403);
      expect((await open(`/v1/learners/L1/stream?access_token=${engine.keys.ingest}`)).status).toBe(401);
      expect((await open(`/v1/learners/L1/messages?access_token=${token}`)).status).toBe(401);
    } finally {
      await closeServer(server);
    }
  });
});
